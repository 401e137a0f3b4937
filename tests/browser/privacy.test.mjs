// The privacy promise of docs/embed.md: until the donor starts on the form, nothing leaves their
// browser but the page's own requests and the campaign's public data from the association's
// edge; no cookie is set and nothing is stored, inline or framed.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { edgeUrl, launch, phonePage, siteUrl, waitReady, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// Every request the page and its frames make, by origin, in order.
function record(page) {
  const origins = [];
  page.on("request", (request) => origins.push(new URL(request.url()).origin));
  return origins;
}

/// What the page and each of its frames keep in cookies and storage.
async function kept(page) {
  const cookies = await page.context().cookies();
  const storage = [];
  for (const frame of page.frames()) {
    storage.push(
      await frame.evaluate(() => {
        try {
          return localStorage.length + sessionStorage.length;
        } catch {
          return 0;
        }
      }),
    );
  }
  return { cookies, stored: storage.reduce((a, b) => a + b, 0) };
}

const pages = [
  ["inline", "/", (page) => waitReady(page, "jardin-2026"), (page) => widget(page, "jardin-2026")],
  [
    "framed",
    "/humhub.html",
    (page) =>
      page
        .frameLocator("iframe[data-tirelire-frame]")
        .locator('[data-tirelire-campaign="jardin-2026"][data-tirelire-state="ready"]')
        .waitFor(),
    (page) => page.frameLocator("iframe[data-tirelire-frame]").locator("[data-tirelire-campaign=jardin-2026]"),
  ],
];

for (const [mode, path, ready, root] of pages) {
  test(`${mode}: a donor who only looks sends nothing to anyone but the edge, and nothing is kept`, async () => {
    const page = await phonePage(browser);
    const origins = record(page);
    await page.goto(`${siteUrl}${path}`);
    await ready(page);
    // Time for anything lazy to start.
    await page.waitForTimeout(1500);

    const elsewhere = origins.filter((origin) => origin !== siteUrl && origin !== edgeUrl);
    assert.deepEqual(elsewhere, [], "requests before the donor did anything");
    assert.ok(origins.includes(edgeUrl), "the campaign came from the edge");
    assert.deepEqual(await kept(page), { cookies: [], stored: 0 });

    // Once the donor starts on the form, the anti-robot check starts, in the edge's frame.
    const check = root(page).getByTestId("challenge");
    assert.equal(await check.getAttribute("src"), null, "the check's frame waits, empty");
    await root(page).getByLabel("Prénom").click();
    await root(page).locator("[data-testid=challenge][src]").waitFor({ state: "attached" });
    assert.match((await check.getAttribute("src")) ?? "", /\/widget\/v1\/challenge\.html\?/);
  });
}
