// Accessibility (WCAG 2.2 AA): on every demo page the form passes axe-core, fits a 320 px wide
// screen without scrolling sideways, and a donation can be made with the keyboard alone.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  artifacts, fillDonor, launch, phonePage, simUrl, siteUrl, violations, waitReady, widget,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const CAMPAIGN = "[data-tirelire-campaign=jardin-2026]";

/// The demo pages, how the form shows on each, and where axe looks.
const pages = [
  { name: "hostile-css", path: "/", mode: "inline" },
  { name: "two-widgets", path: "/projets.html", mode: "inline" },
  { name: "humhub", path: "/humhub.html", mode: "framed" },
  { name: "wordpress", path: "/wordpress.html", mode: "inline" },
  { name: "pinned", path: "/epingle.html", mode: "inline" },
  { name: "colours", path: "/couleurs.html", mode: "inline" },
];

async function ready(page, mode) {
  if (mode === "inline") {
    await waitReady(page, "jardin-2026");
    return { frame: page.mainFrame(), include: [[CAMPAIGN]] };
  }
  const handle = await page.locator("iframe[data-tirelire-frame]").first().elementHandle();
  const frame = await handle.contentFrame();
  await frame.locator(`${CAMPAIGN}[data-tirelire-state=ready]`).waitFor();
  return { frame, include: null };
}

for (const { name, path, mode } of pages) {
  test(`${name}: axe finds no WCAG 2.2 AA violation, before and after a failed submission`, async () => {
    const page = await phonePage(browser);
    await page.goto(`${siteUrl}${path}`);
    const { frame, include } = await ready(page, mode);
    assert.deepEqual(await violations(frame, include), [], "the form as it opens");

    // Errors shown, and the check's frame started.
    const root = frame.locator(CAMPAIGN).first();
    await root.getByRole("button", { name: /Donner/ }).click();
    await root.getByText("Indiquez votre prénom.").waitFor();
    assert.deepEqual(await violations(frame, include), [], "the form with its errors");
    await page.screenshot({ path: join(artifacts, `access-${name}.png`), fullPage: true });
  });

  test(`${name}: at 320 px wide the form needs no sideways scroll`, async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 700 }, locale: "fr-FR" });
    const page = await context.newPage();
    await page.goto(`${siteUrl}${path}`);
    const { frame } = await ready(page, mode);
    const overflow = await frame.evaluate((selector) => {
      const host = document.querySelector(selector);
      const inner = host.shadowRoot ? host.shadowRoot.querySelector(".card") ?? host : host;
      const box = host.getBoundingClientRect();
      return {
        hostRight: box.right,
        viewport: document.documentElement.clientWidth,
        innerScroll: inner.scrollWidth - inner.clientWidth,
      };
    }, CAMPAIGN);
    assert.ok(overflow.hostRight <= overflow.viewport + 0.5, JSON.stringify(overflow));
    assert.ok(overflow.innerScroll <= 0, JSON.stringify(overflow));
    await page.screenshot({ path: join(artifacts, `narrow-${name}.png`), fullPage: true });
    await context.close();
  });
}

test("a donation made with the keyboard alone", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");
  // Tab from the top of the page until the focus is in the form.
  const inForm = () =>
    page.evaluate((selector) => document.activeElement === document.querySelector(selector), CAMPAIGN);
  for (let i = 0; i < 30 && !(await inForm()); i += 1) {
    await page.keyboard.press("Tab");
  }
  assert.ok(await inForm(), "Tab reaches the form");
  // The first amount has the focus; the arrows move between amounts.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Space");
  const typeInto = async (label, text) => {
    while (!(await root.getByLabel(label, { exact: true }).evaluate((el) => el.getRootNode().activeElement === el))) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type(text);
  };
  await typeInto("Prénom", "Camille");
  await typeInto("Nom", "Dupont");
  await typeInto("Adresse e-mail", `clavier+${process.pid}@example.fr`);
  const consent = root.getByLabel(/J'accepte que/);
  while (!(await consent.evaluate((el) => el.getRootNode().activeElement === el))) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Space");
  assert.ok(await consent.isChecked());
  await page.keyboard.press("Enter");
  await page.waitForURL(`${simUrl}/c/pay/**`);
  assert.deepEqual(page.scriptErrors, []);
});
