// The back-office's payments, used as a treasurer and a volunteer would: a cheque recorded by
// hand, found with the filters, exported, and cancelled; a volunteer reads the list and is
// offered nothing that changes money, and the routes refuse them anyway.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { artifacts, launch, staffPage, violations } from "./support.mjs";

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

async function scrollsSideways(page) {
  const wide = await page.evaluate(() => {
    const limit = document.scrollingElement.clientWidth;
    if (document.scrollingElement.scrollWidth <= limit) return [];
    return [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > limit)
      .slice(0, 5)
      .map((element) => `${element.tagName}.${element.className}#${element.id} ${Math.round(element.getBoundingClientRect().right)}`);
  });
  if (wide.length > 0) console.log(`wider than the screen: ${wide.join(", ")}`);
  return wide.length > 0;
}

test("a treasurer records a cheque, finds it, exports it and cancels it", async () => {
  const page = await staffPage(browser, "treasurer");
  const payer = `Browser${process.pid}`;
  await page.getByRole("button", { name: "Paiements" }).click();

  const form = page.getByRole("form", { name: "Paiement reçu à la main" });
  await page.getByText("Enregistrer un paiement reçu à la main").click();
  await form.getByLabel("Campagne").selectOption("test-hand");
  await form.getByLabel("Montant (€)").fill("45,50");
  await form.getByLabel("Prénom").fill("Lucie");
  await form.getByLabel("Nom", { exact: true }).fill(payer);
  await form.getByLabel("N° de chèque ou référence du virement").fill("7654321");
  await page.screenshot({ path: join(artifacts, "admin-hand-payment.png"), fullPage: true });
  await form.getByRole("button", { name: "Enregistrer le paiement" }).click();
  await page.getByText("Le paiement de 45,50 € est enregistré et compte dans les totaux.").waitFor();

  // Found with the filters.
  const filters = page.getByRole("form", { name: "Filtrer les paiements" });
  await filters.getByLabel("Nom ou e-mail").fill(payer);
  await filters.getByRole("button", { name: "Filtrer" }).click();
  const summary = page.getByTestId("payments-summary");
  await page.getByText("1 paiement · 45,50 € comptés dans les totaux").waitFor();
  const row = page.locator("tbody tr", { hasText: payer });
  assert.equal(await row.count(), 1);
  const cells = await cellsOf(row);
  assert.ok(cells.some((text) => text.includes("45,50 €")), cells.join(" | "));
  assert.ok(cells.some((text) => text.includes("Chèque") && text.includes("n° 7654321")), cells.join(" | "));
  assert.ok(cells.includes("Payé"), cells.join(" | "));
  assert.equal(await scrollsSideways(page), false, "the page never scrolls sideways on a phone");
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-payments-phone.png"), fullPage: true });

  // The export is the filtered list, as a spreadsheet opens it.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Exporter (CSV)" }).click(),
  ]);
  const csv = await readFile(await download.path(), "utf8");
  assert.ok(csv.startsWith("\ufeffDate;Référence;Campagne;"), csv.slice(0, 80));
  const lines = csv.trim().split("\r\n");
  assert.equal(lines.length, 2, csv);
  assert.match(lines[1], new RegExp(`;Payé;Chèque;7654321;45,50;0,00;45,50;EUR;Lucie;${payer};$`));

  // Cancelled with a reason: the reversing entry takes it out of the totals.
  page.once("dialog", (dialog) => dialog.accept("Chèque saisi deux fois"));
  await row.getByRole("button", { name: "Annuler le paiement de 45,50 €" }).click();
  await page.getByText("Le paiement est annulé ; il ne compte plus dans les totaux.").waitFor();
  await page.getByText("1 paiement · 0,00 € comptés dans les totaux").waitFor();
  const after = await cellsOf(page.locator("tbody tr", { hasText: payer }));
  assert.ok(after.includes("Annulé"), after.join(" | "));
  assert.equal(await page.locator("tbody tr", { hasText: payer }).getByRole("button", { name: /^Annuler/ }).count(), 0);
  assert.match(await summary.textContent(), /^1 paiement · 0,00\s€/);
  assert.deepEqual(page.scriptErrors, []);
});

test("a volunteer reads the payments but is offered nothing that moves money, and is refused anyway", async () => {
  const page = await staffPage(browser, "volunteer");
  await page.getByRole("button", { name: "Paiements" }).click();
  await page.getByTestId("payments-summary").waitFor();
  assert.equal(await page.getByRole("link", { name: "Exporter (CSV)" }).count(), 0);
  assert.equal(await page.getByText("Enregistrer un paiement reçu à la main").count(), 0);
  assert.equal(await page.getByRole("button", { name: /^Annuler le paiement/ }).count(), 0);
  assert.equal(await page.getByRole("button", { name: /^Rembourser le paiement/ }).count(), 0);

  // The same calls the treasurer's page makes, from the volunteer's page and session.
  const statuses = await page.evaluate(async () => {
    const post = (path, body) =>
      fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const offline = await post("/v1/admin/payments/offline", {
      campaign: "test-hand",
      amount: 1000,
      method: "cash",
      received_at: Math.floor(Date.now() / 1000),
      first_name: "Nope",
      last_name: "Nope",
    });
    const reversal = await post("/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA/reversal", { reason: "x" });
    const refund = await post("/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA/refund", { amount: 100 });
    const csv = await fetch("/v1/admin/payments.csv");
    return [offline.status, (await offline.json()).error.code, reversal.status, refund.status, csv.status];
  });
  assert.deepEqual(statuses, [403, "forbidden", 403, 403, 403]);
  assert.deepEqual(await violations(page.mainFrame()), []);
  assert.deepEqual(page.scriptErrors, []);
});

test("a treasurer hands a donor their data and erases it on request", async () => {
  const page = await staffPage(browser, "treasurer");
  const email = `gaspard.${process.pid}@example.org`;
  const recorded = await page.evaluate(async (email) => {
    const response = await fetch("/v1/admin/payments/offline", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        campaign: "test-hand",
        amount: 1200,
        method: "cash",
        received_at: Math.floor(Date.now() / 1000),
        first_name: "Gaspard",
        last_name: "Lenoir",
        email,
      }),
    });
    return response.status;
  }, email);
  assert.equal(recorded, 201);

  await page.getByRole("button", { name: "Données personnelles" }).click();
  const search = page.getByRole("form", { name: "Chercher une personne" });
  await search.getByLabel("Adresse e-mail").fill(email.toUpperCase());
  await search.getByRole("button", { name: "Chercher" }).click();
  const file = page.getByTestId("donor-file");
  await file.getByText(`1 paiement(s) et 0 message(s) pour ${email}`).waitFor();
  assert.match(await file.textContent(), /12,00\s€ · Payments by hand · Gaspard Lenoir · Payé/);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Télécharger ses données (JSON)" }).click(),
  ]);
  const handed = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.equal(handed.payments[0].last_name, "Lenoir");
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-donor.png"), fullPage: true });

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Effacer ses données" }).click();
  await page.getByText("Données effacées : 1 paiement(s) n'ont plus de nom ni d'adresse").waitFor();
  await search.getByRole("button", { name: "Chercher" }).click();
  await file.getByText(`0 paiement(s) et 0 message(s) pour ${email}`).waitFor();
  assert.deepEqual(page.scriptErrors, []);
});
