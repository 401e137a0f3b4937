// Campaigns in the back-office: a volunteer reads the settings and is offered no way to change
// them, and the route refuses them anyway; a treasurer sets up a kind other than donations. The
// treasurer's donation campaign, from creation to a donor's payment, is in journey.test.mjs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { artifacts, launch, staffPage, violations } from "./support.mjs";

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

test("a treasurer sets up a ticketed event from the form, and the preview sells its rates", async () => {
  const page = await staffPage(browser, "treasurer", { width: 1000, height: 900 });
  await page.getByRole("button", { name: "Campagnes" }).click();
  await page.getByRole("button", { name: "Nouvelle campagne" }).click();
  const form = page.getByRole("form", { name: "Réglages de la campagne" });
  const slug = `bal-${process.pid}`;
  await form.getByLabel("Titre").fill("Le bal du printemps");
  await form.getByLabel(/^Nom court/).fill(slug);
  await form.getByLabel("Ce que la campagne collecte").selectOption("event");
  // An event sells its rates: no free amount, no goal.
  for (const label of ["Montant minimum (€)", "Montants proposés (€, séparés par des espaces)", "Objectif (€, facultatif)"]) {
    assert.equal(await form.getByLabel(label).count(), 0, label);
  }
  await form.getByRole("button", { name: "Ajouter une catégorie de billet" }).click();
  await form.getByRole("button", { name: "Ajouter une catégorie de billet" }).click();
  await form.locator("#item-0-label").fill("Plein tarif");
  await form.locator("#item-0-label").blur();
  await form.locator("#item-0-price").fill("12");
  await form.locator("#item-0-price").blur();
  await form.locator("#item-1-label").fill("Enfant");
  await form.locator("#item-1-label").blur();
  await form.locator("#item-1-price").fill("0");
  await form.locator("#item-1-price").blur();
  await form.getByLabel(/^Places en tout/).fill("80");
  await form.getByLabel(/^Places en tout/).blur();
  await form.getByLabel("Afficher les places restantes").check();
  await form.getByRole("button", { name: "Ajouter un code promo" }).click();
  await form.locator("#code-0-code").fill("benevole");
  await form.locator("#code-0-code").blur();
  await form.getByRole("button", { name: "Ajouter une question" }).click();
  await form.locator("#question-0-label").fill("Régime alimentaire");
  await form.locator("#question-0-label").blur();
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-event-form.png"), fullPage: true });
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText("La campagne « Le bal du printemps » est enregistrée.").waitFor();

  const saved = await page.evaluate(async (slug) => (await fetch(`/v1/admin/campaigns/${slug}`)).json(), slug);
  assert.equal(saved.kind, "event");
  assert.deepEqual(saved.offer.items.map((item) => [item.key, item.label, item.price]), [
    ["plein-tarif", "Plein tarif", 1200],
    ["enfant", "Enfant", 0],
  ]);
  assert.equal(saved.offer.capacity, 80);
  assert.equal(saved.offer.promo_codes[0].code, "BENEVOLE");
  assert.equal(saved.offer.questions[0].key, "regime-alimentaire");

  // The preview is the form donors will see: the rates, what is left, the question.
  const preview = page.frameLocator('iframe[title="Aperçu du formulaire de la campagne"]');
  await preview.getByText("Vos billets", { exact: true }).waitFor();
  await preview.getByLabel("Nombre de billets «\u00a0Enfant\u00a0»").waitFor();
  await preview.getByText("80 restant(s)").first().waitFor();
  await preview.getByLabel(/Régime alimentaire/).waitFor();
  assert.deepEqual(page.scriptErrors, []);
});

test("a treasurer sets up a membership and a crowdfunding from the form, each with its own settings", async () => {
  const page = await staffPage(browser, "treasurer", { width: 1000, height: 900 });
  await page.getByRole("button", { name: "Campagnes" }).click();
  const form = page.getByRole("form", { name: "Réglages de la campagne" });
  const blurFill = async (locator, value) => {
    await locator.fill(value);
    await locator.blur();
  };
  const saved = (slug) => page.evaluate(async (slug) => (await fetch(`/v1/admin/campaigns/${slug}`)).json(), slug);

  // A membership: two tiers, one of them pay-what-you-want; twelve rolling months; reminders.
  await page.getByRole("button", { name: "Nouvelle campagne" }).click();
  const membership = `adhesion-${process.pid}`;
  await form.getByLabel("Titre").fill("Adhésion 2027");
  await form.getByLabel(/^Nom court/).fill(membership);
  await form.getByLabel("Ce que la campagne collecte").selectOption("membership");
  assert.equal(await form.getByLabel("Objectif (€, facultatif)").count(), 0, "a membership has no goal");
  await form.getByRole("button", { name: "Ajouter une formule" }).click();
  await form.getByRole("button", { name: "Ajouter une formule" }).click();
  await blurFill(form.locator("#item-0-label"), "Plein tarif");
  await blurFill(form.locator("#item-0-price"), "25");
  await blurFill(form.locator("#item-1-label"), "Bienfaiteur");
  await blurFill(form.locator("#item-1-price"), "50");
  await form.getByRole("group", { name: "Formule 2" }).getByLabel("Montant libre, à partir de ce prix").check();
  await form.getByLabel("L'adhésion vaut").selectOption("rolling");
  await blurFill(form.getByLabel("Nombre de mois"), "12");
  await blurFill(form.getByLabel(/^Rappels de renouvellement/), "-30, 7");
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-membership-form.png"), fullPage: true });
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText("La campagne « Adhésion 2027 » est enregistrée.").waitFor();
  const joined = await saved(membership);
  assert.equal(joined.kind, "membership");
  assert.deepEqual(joined.offer.items.map((item) => [item.key, item.price, Boolean(item.open_price)]), [
    ["plein-tarif", 2500, false],
    ["bienfaiteur", 5000, true],
  ]);
  assert.deepEqual(joined.offer.validity, { type: "rolling_months", months: 12 });
  assert.deepEqual(joined.offer.reminder_days, [-30, 7]);
  let preview = page.frameLocator('iframe[title="Aperçu du formulaire de la campagne"]');
  await preview.getByText("Votre formule", { exact: true }).waitFor();
  await preview.getByText("Bienfaiteur", { exact: true }).waitFor();
  await form.getByRole("button", { name: "Retour à la liste" }).click();

  // A crowdfunding: a goal, an end, a reward limited in number.
  await page.getByRole("button", { name: "Nouvelle campagne" }).click();
  const crowdfunding = `serre-${process.pid}`;
  await form.getByLabel("Titre").fill("La serre");
  await form.getByLabel(/^Nom court/).fill(crowdfunding);
  await form.getByLabel("Ce que la campagne collecte").selectOption("crowdfunding");
  await form.getByLabel("Objectif (€, facultatif)").fill("4000");
  await form.getByRole("button", { name: "Ajouter une contrepartie" }).click();
  await blurFill(form.locator("#item-0-label"), "Un pot de miel");
  await blurFill(form.locator("#item-0-price"), "30");
  await blurFill(form.locator("#item-0-quota"), "20");
  await blurFill(form.getByLabel("La collecte se termine le"), "2099-06-30T18:00");
  assert.deepEqual(await violations(page.mainFrame()), []);
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText("La campagne « La serre » est enregistrée.").waitFor();
  const raised = await saved(crowdfunding);
  assert.equal(raised.kind, "crowdfunding");
  assert.equal(raised.goal_amount, 400000);
  assert.deepEqual(raised.offer.items.map((item) => [item.key, item.price, item.quota]), [["un-pot-de-miel", 3000, 20]]);
  assert.ok(raised.offer.closes_at > Date.UTC(2099, 5, 29) / 1000, String(raised.offer.closes_at));
  preview = page.frameLocator('iframe[title="Aperçu du formulaire de la campagne"]');
  await preview.getByText("Une contrepartie\u202f?").waitFor();
  await preview.getByText("Un pot de miel", { exact: true }).waitFor();
  await preview.getByText(/jours restants/).waitFor();
  assert.deepEqual(page.scriptErrors, []);
});
