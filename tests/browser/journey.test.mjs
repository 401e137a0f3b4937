// The back-office from end to end, as a treasurer lives it: a link by mail, a new campaign, its
// snippet pasted into a page of the site, a gift through it, found in the payments, half of it
// refunded, and the list, the campaign's total and the export agreeing; then the campaign
// closes and the page thanks donors instead of asking.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import {
  artifacts,
  campaign,
  edgeUrl,
  fillDonor,
  invite,
  launch,
  mailTo,
  orderRow,
  pastedDir,
  phonePage,
  siteUrl,
  simUrl,
  staffAddress,
  violations,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// A row's cells as read aloud: every kind of space as one.
async function cellsOf(row) {
  return (await row.locator("td").allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
}

test("a treasurer creates a campaign, a gift comes through its snippet, half is refunded, and every figure agrees", async () => {
  // The treasurer was let in once; today they ask for a link by mail.
  const treasurer = staffAddress("tresoriere");
  await invite(treasurer, "treasurer");
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "fr-FR", acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${edgeUrl}/admin/`);
  await page.getByLabel("Votre adresse e-mail").fill(treasurer);
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await page.getByText("un lien de connexion vient de lui être envoyé").waitFor();
  const [mail] = await mailTo(treasurer);
  await page.goto(mail.text.split(/\s+/).find((word) => word.includes("#sign-in=")));
  await page.getByTestId("signed-in").waitFor();

  // A new campaign, without SQL.
  const slug = `loto-${process.pid}`;
  const title = "Le loto de l'école";
  await page.getByRole("button", { name: "Campagnes" }).click();
  await page.getByRole("button", { name: "Nouvelle campagne" }).click();
  const form = page.getByRole("form", { name: "Réglages de la campagne" });
  await form.getByLabel("Titre").fill(title);
  await form.getByLabel(/^Nom court/).fill(slug);
  await form.getByLabel("Description").fill("Pour les lots et la sono.");
  await form.getByLabel(/^Montants proposés/).fill("10 20 50");
  await form.getByLabel("Montant minimum (€)").fill("2");
  await form.getByLabel("Montant maximum (€)").fill("500");
  await form.getByLabel(/^Objectif/).fill("1000");
  await form.getByLabel(/^Sites où le formulaire/).fill(`${siteUrl}/`);
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-campaign-form.png"), fullPage: true });
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText(`La campagne « ${title} » est enregistrée.`).waitFor();

  // Its snippet names it, and the preview shows the form donors will see.
  const snippet = await page.getByLabel("Le code à coller pour cette campagne").inputValue();
  assert.match(snippet, new RegExp(`<div data-tirelire-campaign="${slug}"></div>`));
  const preview = page.frameLocator('iframe[title="Aperçu du formulaire de la campagne"]');
  await preview.getByRole("heading", { name: title }).waitFor();

  // Pasted into a page of the association's site, and checked from the back-office.
  await writeFile(
    join(pastedDir, `${slug}.html`),
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Loto</title></head><body><main>${snippet}</main></body></html>`,
  );
  const pasted = `${siteUrl}/pasted/${slug}.html`;
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

  // A donor gives 50 € on that page.
  const donor = await phonePage(browser);
  await donor.goto(pasted);
  const root = donor.locator(`[data-tirelire-campaign="${slug}"]`);
  await root.getByRole("heading", { name: title }).waitFor();
  await root.getByLabel("50 €", { exact: true }).check();
  await fillDonor(root);
  await root.getByRole("button", { name: "Donner 50,00\u00a0€" }).click();
  await donor.waitForURL(`${simUrl}/c/pay/**`);
  const [response] = await Promise.all([
    donor.waitForResponse((r) => r.url().startsWith(siteUrl) && r.url().includes("tirelire_result=paid")),
    donor.getByRole("button", { name: /Payer/ }).click(),
  ]);
  const orderId = new URL(response.url()).searchParams.get("tirelire_order");
  await root.getByTestId("thanks").waitFor();
  const { email } = orderRow(orderId);

  // The dashboard counts it.
  await page.getByRole("button", { name: "Tableau de bord" }).click();
  const board = page.getByRole("region", { name: "Tableau de bord" });
  await board.getByRole("progressbar", { name: `${title} : 50,00 € sur 1 000,00 €` }).waitFor();
  assert.ok(await board.getByRole("img", { name: "Montants reçus par mois (remboursements déduits)" }).isVisible());
  assert.ok(await board.getByRole("cell", { name: "Carte" }).isVisible());
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-dashboard.png"), fullPage: true });

  // The payments list shows it.
  await page.getByRole("button", { name: "Paiements" }).click();
  const filters = page.getByRole("form", { name: "Filtrer les paiements" });
  await filters.getByLabel("Campagne").selectOption(slug);
  await filters.getByRole("button", { name: "Filtrer" }).click();
  await page.getByText("1 paiement · 50,00 € comptés dans les totaux").waitFor();
  const row = page.locator(`tr[data-order="${orderId}"]`);
  assert.deepEqual((await cellsOf(row)).slice(1, 6), [`Camille Dupont ${email}`, title, "50,00 €", "Payé", "Carte"]);
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-payments.png"), fullPage: true });

  // Its detail: the provider's events, the receipt, a note; the receipt goes again.
  await row.getByRole("button", { name: "Détails du paiement de 50,00 €" }).click();
  const panel = page.getByTestId("payment-detail");
  await panel.getByText(/checkout\.session\.completed/).waitFor();
  assert.match(await panel.textContent(), /Reçu au donateur ou à la donatrice · envoyé le/);
  await panel.getByLabel("Note pour l'équipe").fill("Remboursement de moitié demandé par téléphone");
  await panel.getByRole("button", { name: "Garder la note" }).click();
  await panel.getByText(/note : Remboursement de moitié demandé par téléphone/).waitFor();
  await panel.getByRole("button", { name: "Renvoyer le reçu" }).click();
  await panel.getByText("Le reçu part à nouveau").waitFor();
  assert.equal((await mailTo(email, 2)).length, 2, "the receipt came again");
  await panel.getByRole("button", { name: "Fermer" }).click();

  // Half of it goes back to the card, with a confirmation.
  const asked = [];
  page.on("dialog", (dialog) => {
    asked.push(dialog.type());
    return dialog.type() === "prompt" ? dialog.accept("25") : dialog.accept();
  });
  await row.getByRole("button", { name: "Rembourser le paiement de 50,00 €" }).click();
  await page.getByText("Remboursement de 25,00 € demandé.").waitFor();
  assert.deepEqual(asked, ["prompt", "confirm"]);
  await page.getByText("1 paiement · 25,00 € comptés dans les totaux").waitFor();
  assert.match((await cellsOf(row))[3], /^50,00 € dont 25,00 € rendus$/);
  await page.screenshot({ path: join(artifacts, "admin-refund.png"), fullPage: true });

  // The campaign's total and the export say the same.
  assert.equal((await campaign(slug)).raised_amount, 2500);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Exporter (CSV)" }).click(),
  ]);
  const lines = (await readFile(await download.path(), "utf8")).trim().split("\r\n");
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.ok(lines[1].includes(`;${orderId};${title};Payé;Carte;;50,00;25,00;25,00;EUR;Camille;Dupont;${email}`), lines[1]);

  // Closed: the page thanks donors instead of asking.
  await page.getByRole("button", { name: "Campagnes" }).click();
  await page.getByRole("button", { name: `Modifier la campagne ${title}` }).click();
  await form.getByLabel("État").selectOption("closed");
  await form.getByRole("button", { name: "Enregistrer la campagne" }).click();
  await page.getByText(`La campagne « ${title} » est enregistrée.`).waitFor();
  await donor.goto(pasted);
  await root.getByText("Cette collecte est terminée.").waitFor();
  assert.equal(await root.getByRole("button", { name: /Donner/ }).count(), 0);
  assert.match(await root.getByTestId("raised").textContent(), /^25\s€ collectés/);
  assert.deepEqual(errors, []);
  assert.deepEqual(donor.scriptErrors, []);
});
