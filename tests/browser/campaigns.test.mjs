// Campaigns in the back-office for a volunteer: they read the settings and are offered no way
// to change them, and the route refuses them anyway. The treasurer's side is in
// journey.test.mjs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { launch, staffPage, violations } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a volunteer reads a campaign's settings and is offered no way to change them", async () => {
  const page = await staffPage(browser, "volunteer");
  await page.getByRole("button", { name: "Campagnes" }).click();
  assert.equal(await page.getByRole("button", { name: "Nouvelle campagne" }).count(), 0);
  await page.getByRole("button", { name: "Voir la campagne Un composteur pour le jardin" }).click();
  const form = page.getByRole("form", { name: "Réglages de la campagne" });
  assert.equal(await form.getByLabel("Titre").inputValue(), "Un composteur pour le jardin");
  assert.ok(await form.getByLabel("Titre").isDisabled());
  assert.equal(await form.getByRole("button", { name: "Enregistrer la campagne" }).count(), 0);
  const status = await page.evaluate(async () => {
    const response = await fetch("/v1/admin/campaigns", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "pirate", status: "open", title: "x", currency: "EUR", min_amount: 100, max_amount: 1000 }),
    });
    return [response.status, (await response.json()).error.code];
  });
  assert.deepEqual(status, [403, "forbidden"]);
  assert.deepEqual(await violations(page.mainFrame()), []);
  assert.deepEqual(page.scriptErrors, []);
});
