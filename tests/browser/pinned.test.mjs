// A page that pins the widget with Subresource Integrity: the browser checks the loader's hash,
// the loader checks the wasm file's. A tampered file leaves the page with its fallback link,
// not a broken form.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { artifacts, edgeUrl, launch, phonePage, siteUrl, waitReady, widget } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// Serves the files matching `pattern` with one byte changed.
async function tamper(page, pattern) {
  await page.route(pattern, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length - 2] ^= 0x01;
    await route.fulfill({ response, body });
  });
}

/// The console's messages, as they come.
function consoleOf(page) {
  const messages = [];
  page.on("console", (message) => messages.push(message.text()));
  return messages;
}

test("the pinned snippet loads the widget from content-named files", async () => {
  const page = await phonePage(browser);
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(`${siteUrl}/epingle.html`);
  await waitReady(page, "jardin-2026");
  const script = await page.locator("script[integrity]").getAttribute("src");
  assert.match(script, new RegExp(`^${edgeUrl}/widget/v1/tirelire-[0-9a-f]{12}\\.js$`));
  assert.match(await page.locator("script[integrity]").getAttribute("integrity"), /^sha384-[A-Za-z0-9+/]{64}$/);
  assert.ok(requests.some((url) => /\/widget\/v1\/tirelire-[0-9a-f]{12}\.wasm$/.test(url)), "the wasm by its hash");
  assert.ok(!requests.some((url) => url.endsWith("/widget/v1/tirelire.js")), "not the unpinned loader");
  await widget(page, "jardin-2026").getByRole("button", { name: /Donner/ }).waitFor();
  assert.deepEqual(page.scriptErrors, []);
});

test("a tampered loader is refused and the page keeps its link to give", async () => {
  const page = await phonePage(browser);
  const messages = consoleOf(page);
  await tamper(page, "**/widget/v1/tirelire-*.js");
  await page.goto(`${siteUrl}/epingle.html`);
  const link = page.locator("a.tirelire-fallback");
  await link.waitFor();
  await page.waitForTimeout(1500);
  assert.ok(await link.isVisible(), "the link stays");
  assert.equal(await page.locator("[data-tirelire-state]").count(), 0, "the loader never ran");
  assert.ok(messages.some((text) => /integrity/i.test(text)), messages.join("\n"));
  await page.screenshot({ path: join(artifacts, "pinned-tampered.png"), fullPage: true });

  // The link still leads to a working form, on the edge's own page.
  await page.unrouteAll();
  await link.click();
  await page.waitForURL(`${edgeUrl}/widget/v1/page.html**`);
  await waitReady(page, "jardin-2026");
});

test("a tampered wasm file is refused by the loader", async () => {
  const page = await phonePage(browser);
  const messages = consoleOf(page);
  await tamper(page, "**/widget/v1/*.wasm");
  await page.goto(`${siteUrl}/epingle.html`);
  const host = page.locator("[data-tirelire-campaign=jardin-2026]");
  await page.waitForFunction(
    () => document.querySelector("[data-tirelire-campaign]")?.getAttribute("data-tirelire-state") === "fallback",
  );
  assert.equal(await host.getAttribute("data-tirelire-state"), "fallback");
  assert.ok(messages.some((text) => /integrity/i.test(text)), messages.join("\n"));
});
