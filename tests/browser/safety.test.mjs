// The widget trusts nothing it did not come from, and the anti-robot check holds, inline and
// framed, in headless Chromium.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  artifacts, fillDonor, launch, orderCount, phonePage, simUrl, siteUrl, waitReady, widget,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const CHECKOUT = "**/v1/campaigns/jardin-2026/checkout";

/// Sends every checkout through `change`, which edits the body the widget sent, then on to the
/// page's own handler.
async function rewriteCheckouts(page, change) {
  await page.route(CHECKOUT, async (route) => {
    const body = JSON.parse(route.request().postData());
    await route.fallback({ postData: JSON.stringify(change(body)) });
  });
}

/// Fills the form and presses the button; returns the root to read the outcome from.
async function give(root, euros) {
  await root.getByLabel(`${euros} €`, { exact: true }).check();
  await fillDonor(root);
  await root.getByRole("button", { name: `Donner ${euros},00\u00a0€` }).click();
}

for (const mode of ["inline", "framed"]) {
  test(`${mode}: missing, failing and spent challenge tokens are refused, and nothing is stored`, async () => {
    const page = await phonePage(browser);
    const path = mode === "inline" ? "/" : "/humhub.html";
    let spent = null;
    const cases = [
      ["missing", (body) => ({ ...body, challenge_token: undefined })],
      ["failing", (body) => ({ ...body, challenge_token: "XXXX.DUMMY.TOKEN.XXXX" })],
      ["spent", (body) => ({ ...body, challenge_token: spent })],
    ];
    // A first donation passes, and its token is kept to be played again.
    let current = (body) => {
      spent = body.challenge_token;
      return body;
    };
    await rewriteCheckouts(page, (body) => current(body));
    await page.goto(`${siteUrl}${path}`);
    const root = mode === "inline"
      ? widget(page, "jardin-2026")
      : page.frameLocator("iframe[data-tirelire-frame]").locator("[data-tirelire-campaign=jardin-2026]");
    await root.locator(".card").waitFor();

    await give(root, 10);
    await page.waitForURL(`${simUrl}/c/pay/**`);
    assert.ok(spent, "the widget sent a token");

    for (const [what, change] of cases) {
      current = change;
      await page.goto(`${siteUrl}${path}`);
      await root.locator(".card").waitFor();
      const before = orderCount("jardin-2026");
      await give(root, 10);
      const failure = root.getByTestId("checkout-failure");
      await failure.waitFor();
      assert.match(await failure.textContent(), /vérification anti-robot/, what);
      assert.equal(orderCount("jardin-2026"), before, `${what}: no order`);
      assert.match(page.url(), new RegExp(`^${siteUrl}`), `${what}: the donor stays`);
    }
    await page.screenshot({ path: join(artifacts, `challenge-refused-${mode}.png`), fullPage: true });

    // With a fresh token the donor goes on: the widget asked the frame for a new one.
    current = (body) => body;
    await root.getByRole("button", { name: /Donner/ }).click();
    await page.waitForURL(`${simUrl}/c/pay/**`);
  });
}

test("a page whose data-tirelire-edge points elsewhere still talks only to its own edge", async () => {
  const page = await phonePage(browser);
  const foreign = [];
  page.on("request", (request) => {
    if (request.url().startsWith("http://127.0.0.1:9/")) {
      foreign.push(request.url());
    }
  });
  await page.goto(`${siteUrl}/auteur.html`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");
  await give(root, 10);
  await page.waitForURL(`${simUrl}/c/pay/**`);
  assert.deepEqual(foreign, []);
});

for (const [what, url] of [
  ["javascript:", "javascript:alert(document.domain)"],
  ["another site", "https://evil.example/pay"],
  ["plain http", "http://checkout.stripe.com/c/pay/cs_1"],
]) {
  test(`an edge answering a ${what} checkout URL sends the donor nowhere`, async () => {
    const page = await phonePage(browser);
    const dialogs = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    await page.route(CHECKOUT, (route) =>
      route.fulfill({
        status: 201,
        contentType: "application/json",
        headers: { "Access-Control-Allow-Origin": "*" },
        body: JSON.stringify({ order_id: "ord_AAAAAAAAAAAAAAAAAAAAAA", checkout_url: url }),
      }),
    );
    await page.goto(`${siteUrl}/`);
    await waitReady(page, "jardin-2026");
    const root = widget(page, "jardin-2026");
    await give(root, 10);
    await root.getByTestId("checkout-failure").waitFor();
    assert.equal(page.url(), `${siteUrl}/`);
    assert.deepEqual(dialogs, []);
  });
}

test("without WebAssembly the page shows one frame at most, then a message", async () => {
  const context = await browser.newContext({ viewport: { width: 400, height: 900 }, locale: "fr-FR" });
  // As in iOS Lockdown Mode: no WebAssembly anywhere, frames included.
  await context.addInitScript(() => {
    delete globalThis.WebAssembly;
  });
  const page = await context.newPage();
  await page.goto(`${siteUrl}/`);
  const frame = page.frameLocator("iframe[data-tirelire-frame]");
  const message = frame.locator("[data-tirelire-unsupported]");
  await message.waitFor();
  assert.match(await message.textContent(), /WebAssembly/);
  assert.ok(await frame.locator("a[data-tirelire-fallback]").isVisible(), "a link is offered");
  // Let any further fallback happen, then count the frames.
  await page.waitForTimeout(1000);
  assert.equal(await page.locator("iframe").count(), 1);
  assert.equal(page.frames().length, 2, "the page and one frame, nothing nested");
  await page.screenshot({ path: join(artifacts, "no-webassembly.png"), fullPage: true });
  await context.close();
});

test("under a strict style-src the progress bar renders, with no policy violation", async () => {
  const page = await phonePage(browser);
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.violations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(`${siteUrl}/strict.html`);
  await waitReady(page, "jardin-2026");
  const bar = widget(page, "jardin-2026").locator("progress");
  await bar.waitFor();
  const box = await bar.boundingBox();
  assert.ok(box && box.width > 100 && box.height > 2, JSON.stringify(box));
  assert.equal(await bar.getAttribute("max"), "100");
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await widget(page, "jardin-2026").screenshot({ path: join(artifacts, "strict-csp.png") });
});

test("a donor is never left on 'being confirmed': after the wait, a plain word and a way on", async () => {
  const page = await phonePage(browser);
  await page.clock.install();
  // The payment's confirmation never comes.
  await page.route("**/v1/orders/**", (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/json",
      headers: { "Access-Control-Allow-Origin": "*" },
      body: JSON.stringify({ id: "ord_AAAAAAAAAAAAAAAAAAAAAA", status: "pending", amount: 2000, currency: "EUR" }),
    }),
  );
  await page.goto(
    `${siteUrl}/?tirelire_campaign=jardin-2026&tirelire_order=ord_AAAAAAAAAAAAAAAAAAAAAA&tirelire_result=paid`,
  );
  const root = widget(page, "jardin-2026");
  await root.getByTestId("confirming").waitFor();
  // Each poll waits on the clock, then on the network: move the clock a poll at a time.
  const still = root.getByTestId("still-confirming");
  for (let poll = 0; poll < 40 && !(await still.isVisible()); poll += 1) {
    await page.clock.runFor(2_000);
    await page.waitForTimeout(20);
  }
  await still.waitFor();
  assert.match(await still.textContent(), /l'association le verra/);
  await root.getByRole("button", { name: "Faire un autre don" }).click();
  await root.getByRole("button", { name: /Donner/ }).waitFor();
});
