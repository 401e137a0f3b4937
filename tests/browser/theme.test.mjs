// On-brand: the association's colour with readable text on it, the page's font, and a dark
// theme that passes axe, inline and in the edge's frame.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { artifacts, contrast, launch, phonePage, siteUrl, violations, waitReady, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const BOTH = [["[data-tirelire-campaign]"]];

/// The computed colours that make a widget's look, and the contrast of its button and of a
/// chosen amount.
async function looks(root) {
  const button = root.getByRole("button", { name: /Donner/ });
  const chosen = root.locator(".amounts .choice input:checked + span");
  const style = await button.evaluate((element) => {
    const card = element.closest(".card");
    return {
      accent: getComputedStyle(element).backgroundColor,
      font: getComputedStyle(element).fontFamily,
      paper: getComputedStyle(card).backgroundColor,
      scheme: getComputedStyle(card).colorScheme,
    };
  });
  return { ...style, button: await contrast(button), chosen: await contrast(chosen) };
}

async function open(scheme) {
  const page = await phonePage(browser);
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(`${siteUrl}/couleurs.html`);
  await waitReady(page, "jardin-2026");
  await waitReady(page, "ruches-2026");
  return page;
}

test("a light accent gets dark text that reads at 4.5:1, in the page's own font", async () => {
  const page = await open("light");
  const garden = await looks(widget(page, "jardin-2026"));
  assert.equal(garden.accent, "rgb(255, 210, 63)");
  assert.equal(garden.paper, "rgb(255, 255, 255)");
  assert.ok(garden.button >= 4.5, `button contrast ${garden.button}`);
  assert.ok(garden.chosen >= 4.5, `chosen amount contrast ${garden.chosen}`);
  assert.match(garden.font, /^Georgia/);

  // A dark accent on the dark widget gets light text.
  const bees = await looks(widget(page, "ruches-2026"));
  assert.equal(bees.accent, "rgb(123, 44, 191)");
  assert.equal(bees.scheme, "dark");
  assert.ok(bees.button >= 4.5, `button contrast ${bees.button}`);

  assert.deepEqual(await violations(page.mainFrame(), BOTH), []);
  await page.screenshot({ path: join(artifacts, "theme-light.png"), fullPage: true });
  assert.deepEqual(page.scriptErrors, []);
});

test("dark mode: the widget set to auto follows the device, and axe finds nothing", async () => {
  const page = await open("dark");
  const garden = await looks(widget(page, "jardin-2026"));
  assert.equal(garden.scheme, "dark");
  assert.notEqual(garden.paper, "rgb(255, 255, 255)");
  assert.ok(garden.button >= 4.5, `button contrast ${garden.button}`);

  // With errors on show, in the dark.
  await widget(page, "jardin-2026").getByRole("button", { name: /Donner/ }).click();
  await widget(page, "jardin-2026").getByText("Indiquez votre prénom.").waitFor();
  assert.deepEqual(await violations(page.mainFrame(), BOTH), []);
  await page.screenshot({ path: join(artifacts, "theme-dark.png"), fullPage: true });
  assert.deepEqual(page.scriptErrors, []);
});

test("a colour the browser cannot read is ignored, and the form keeps its own", async () => {
  const page = await phonePage(browser);
  // Changes the attribute as the page is parsed, before the loader reads it.
  await page.addInitScript(() => {
    new MutationObserver(() => {
      const host = document.querySelector("[data-tirelire-campaign=jardin-2026]");
      if (host && !host.hasAttribute("data-tirelire-state")) {
        host.setAttribute("data-tirelire-color", "red; background: url(https://tracker.example/)");
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${siteUrl}/couleurs.html`);
  await waitReady(page, "jardin-2026");
  const garden = await looks(widget(page, "jardin-2026"));
  assert.equal(garden.accent, "rgb(47, 125, 74)");
  assert.ok(garden.button >= 4.5);
});

test("framed: the colour reaches the edge's frame", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/humhub.html`);
  const handle = await page.locator("iframe[data-tirelire-frame]").elementHandle();
  const frame = await handle.contentFrame();
  await frame.locator("[data-tirelire-campaign=jardin-2026][data-tirelire-state=ready]").waitFor();
  const framed = await looks(frame.locator("[data-tirelire-campaign=jardin-2026]"));
  assert.equal(framed.accent, "rgb(29, 95, 138)");
  assert.ok(framed.button >= 4.5, `button contrast ${framed.button}`);
  assert.deepEqual(page.scriptErrors, []);
});
