// Campaigns set up in the back-office, as a treasurer would: created without SQL, previewed,
// its snippet pasted into a page of the association's site, a gift made through it, and the
// gift counted in the back-office; a volunteer reads the settings and changes nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import {
  artifacts,
  fillDonor,
  launch,
  pastedDir,
  phonePage,
  siteUrl,
  simUrl,
  staffPage,
  violations,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a treasurer creates a campaign, pastes its snippet into a page, and a gift through it is counted", async () => {
  const page = await staffPage(browser, "treasurer", { width: 1100, height: 900 });
  const slug = `loto-${process.pid}`;
  await page.getByRole("button", { name: "Campagnes" }).click();
  await page.getByRole("button", { name: "Nouvelle campagne" }).click();
  const form = page.getByRole("form", { name: "Réglages de la campagne" });
  await form.getByLabel("Titre").fill("Le loto de l'école");
  await form.getByLabel(/^Nom court/).fill(slug);
  await form.getByLabel("Description").fill("Pour les lots et la sono.");
  await form.getByLabel(/^Montants proposés/).fill("5 10 20");
  await form.getByLabel("Montant minimum (€)").fill("2");
  await form.getByLabel("Montant maximum (€)").fill("500");
  await form.getByLabel(/^Objectif/).fill("1000");
  await form.getByLabel(/^Sites où le formulaire/).fill(`${siteUrl}/`);
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-campaign-form.png"), fullPage: true });
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText("La campagne « Le loto de l'école » est enregistrée.").waitFor();

  // The snippet names the campaign, and the preview shows the form donors will see.
  const snippet = await page.getByLabel("Le code à coller pour cette campagne").inputValue();
  assert.match(snippet, new RegExp(`<div data-tirelire-campaign="${slug}"></div>`));
  const preview = page.frameLocator('iframe[title="Aperçu du formulaire de la campagne"]');
  await preview.getByRole("heading", { name: "Le loto de l'école" }).waitFor();
  assert.ok(await preview.getByLabel("10 €", { exact: true }).isVisible());

  // The snippet pasted into a page of the association's site: a donor gives 10 €.
  const donor = await phonePage(browser);
  await writeFile(
    join(pastedDir, `${slug}.html`),
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Loto</title></head><body><main>${snippet}</main></body></html>`,
  );
  const pasted = `${siteUrl}/pasted/${slug}.html`;
  await donor.goto(pasted);
  const root = donor.locator(`[data-tirelire-campaign="${slug}"]`);
  await root.getByRole("heading", { name: "Le loto de l'école" }).waitFor();
  await root.getByLabel("10 €", { exact: true }).check();
  await fillDonor(root);
  await root.getByRole("button", { name: "Donner 10,00\u00a0€" }).click();
  await donor.waitForURL(`${simUrl}/c/pay/**`);
  await donor.getByRole("button", { name: /Payer/ }).click();
  await root.getByTestId("thanks").waitFor();
  assert.deepEqual(donor.scriptErrors, []);

  // The back-office checks the page: the form is there, from this edge, on an allowed site.
  const check = page.getByRole("form", { name: "Vérifier une page du site" });
  await check.getByLabel(/^Une page de votre site/).fill(pasted);
  await check.getByRole("button", { name: "Vérifier ce site" }).click();
  const found = page.getByTestId("site-check");
  await found.waitFor();
  assert.deepEqual(
    (await found.locator("li").allInnerTexts()).map((line) => line.slice(0, 1)),
    ["✓", "✓", "✓", "✓"],
    await found.innerText(),
  );
  await check.getByLabel(/^Une page de votre site/).fill(`${siteUrl}/humhub.html`);
  await check.getByRole("button", { name: "Vérifier ce site" }).click();
  await found.getByText("✗ le code de cette campagne n'est pas sur la page", { exact: false }).waitFor();

  // Counted in the back-office.
  await page.getByRole("button", { name: "Retour à la liste" }).click();
  await page.reload();
  await page.getByRole("button", { name: "Campagnes" }).click();
  const entry = page.locator(`li[data-campaign="${slug}"]`);
  await entry.getByText(/10,00\s€ sur 1\s000,00\s€ · 1 paiement$/).waitFor();
  await page.screenshot({ path: join(artifacts, "admin-campaigns.png"), fullPage: true });

  // Closed: the page thanks donors instead of asking.
  await entry.getByRole("button", { name: "Modifier la campagne Le loto de l'école" }).click();
  await form.getByLabel("État").selectOption("closed");
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText("La campagne « Le loto de l'école » est enregistrée.").waitFor();
  // The edge keeps a copy of each campaign for a minute, forgotten when it changes.
  await donor.goto(pasted);
  await root.getByText("Cette collecte est terminée.").waitFor();
  assert.equal(await root.getByRole("button", { name: /Donner/ }).count(), 0);
  assert.deepEqual(page.scriptErrors, []);
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
