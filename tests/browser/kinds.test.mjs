// Every kind of collection through the one snippet, as donors on a phone use it: a monthly
// gift, a membership, tickets with a free seat, a crowdfunding contribution with a reward; and
// a volunteer who checks a ticket in at the door from its QR code.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  artifacts, edgeUrl, fillDonor, launch, payAtSimulator, phonePage, row, siteUrl, staffPage,
  violations, waitReady, widget,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// This year in the association's time zone (the edge's TIME_ZONE), which counts its
/// calendar years: on 31 December at 23:30 UTC, Paris is already in the next one.
function parisYear() {
  return new Intl.DateTimeFormat("en", { timeZone: "Europe/Paris", year: "numeric" }).format(new Date());
}

/// Opens a demo page and gives its widget, after checking it with axe.
async function open(path, slug) {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}${path}`);
  await waitReady(page, slug);
  const root = widget(page, slug);
  // The demo page's own CSS is hostile on purpose; the widget is what axe looks at.
  assert.deepEqual(await violations(page.mainFrame(), [[`[data-tirelire-campaign="${slug}"]`]]), []);
  return { page, root };
}

test("a monthly gift with the fees covered is paid as a subscription", async () => {
  const { page, root } = await open("/", "jardin-2026");
  await root.getByLabel("Chaque mois").check();
  await root.getByLabel("20 €", { exact: true }).check();
  await root.getByLabel(/J'ajoute 0,56\u00a0€ pour couvrir les frais/).check();
  assert.match(await root.getByTestId("total").textContent(), /20,56\u00a0€/);
  await fillDonor(root);
  await root.screenshot({ path: join(artifacts, "widget-monthly.png") });
  await root.getByRole("button", { name: "Donner 20,56\u00a0€ par mois" }).click();
  const orderId = await payAtSimulator(page);
  await root.getByTestId("thanks").waitFor();
  const order = row("SELECT status, amount, monthly, psp_subscription_id FROM orders WHERE id = ?", orderId);
  assert.equal(order.status, "paid");
  assert.equal(order.amount, 2056);
  assert.equal(order.monthly, 1);
  assert.match(order.psp_subscription_id ?? "", /^sub_/);
  assert.deepEqual(page.scriptErrors, []);
});

test("a membership with a question becomes a member with a card", async () => {
  const { page, root } = await open("/adhesion.html", "adhesion-2026");
  await root.getByLabel(/Tarif réduit/).check();
  await root.getByLabel("Souhaitez-vous une parcelle ?").check();
  assert.match(await root.getByTestId("total").textContent(), /10,00\u00a0€/);
  await fillDonor(root);
  await root.screenshot({ path: join(artifacts, "widget-membership.png") });
  await root.getByRole("button", { name: "Adhérer — 10,00\u00a0€" }).click();
  const orderId = await payAtSimulator(page);
  await root.getByTestId("thanks").waitFor();
  assert.match(await root.getByTestId("thanks").textContent(), /Votre adhésion \(10,00\u00a0€\) est confirmée/);
  const member = row(
    "SELECT m.starts_on, m.ends_on, o.answers FROM memberships m JOIN orders o ON o.id = m.order_id WHERE m.order_id = ?",
    orderId,
  );
  assert.ok(member, "a membership is recorded");
  assert.equal(member.ends_on, `${parisYear()}-12-31`);
  assert.equal(member.answers, '{"parcelle":"yes"}');
  assert.deepEqual(page.scriptErrors, []);
});

test("tickets: seats of each rate, a free one, and the seats left go down", async () => {
  const { page, root } = await open("/fete.html", "fete-des-semis");
  const left = Number((await root.getByText(/restant/).first().textContent()).match(/\d+/)[0]);
  await root.getByLabel("Nombre de billets «\u00a0Plein tarif\u00a0»").fill("2");
  await root.getByLabel("Nombre de billets «\u00a0Enfant (moins de 12 ans)\u00a0»").fill("1");
  await root.getByLabel("Atelier préféré").selectOption("Compost");
  assert.match(await root.getByTestId("total").textContent(), /16,00\u00a0€/);
  await fillDonor(root);
  await root.screenshot({ path: join(artifacts, "widget-event.png") });
  await root.getByRole("button", { name: "Réserver — 16,00\u00a0€" }).click();
  const orderId = await payAtSimulator(page);
  await root.getByTestId("thanks").waitFor();
  assert.match(await root.getByTestId("thanks").textContent(), /Vos billets arrivent par e-mail/);
  assert.equal(row("SELECT count(*) AS n FROM tickets WHERE order_id = ?", orderId).n, 3);
  const again = await open("/fete.html", "fete-des-semis");
  const now = Number((await again.root.getByText(/restant/).first().textContent()).match(/\d+/)[0]);
  assert.equal(now, left - 3);
  assert.deepEqual(page.scriptErrors, []);
});

test("a crowdfunding contribution with a reward moves the bar", async () => {
  const { page, root } = await open("/serre.html", "serre-solidaire");
  await root.getByLabel("60 €", { exact: true }).check();
  await root.getByLabel(/Une place à l'atelier de rempotage/).check();
  await fillDonor(root);
  await root.screenshot({ path: join(artifacts, "widget-crowdfunding.png") });
  await root.getByRole("button", { name: "Donner 60,00\u00a0€" }).click();
  const orderId = await payAtSimulator(page);
  await root.getByTestId("thanks").waitFor();
  const lines = row("SELECT group_concat(key) AS keys FROM order_lines WHERE order_id = ?", orderId);
  assert.equal(lines.keys, ",atelier");
  const progress = await (await fetch(`${edgeUrl}/v1/campaigns/serre-solidaire/progress`)).json();
  assert.ok(progress.raised >= 6000, JSON.stringify(progress));
  assert.deepEqual(page.scriptErrors, []);
});

test("a volunteer on a phone checks a ticket in from its QR code, once", async () => {
  // A donor books one seat; their ticket page shows its QR code.
  const { page, root } = await open("/fete.html", "fete-des-semis");
  await root.getByLabel("Nombre de billets «\u00a0Tarif réduit\u00a0»").fill("1");
  await fillDonor(root);
  await root.getByRole("button", { name: "Réserver — 4,00\u00a0€" }).click();
  const orderId = await payAtSimulator(page);
  await root.getByTestId("thanks").waitFor();
  const order = row("SELECT donor_token FROM orders WHERE id = ?", orderId);
  const ticketPage = await phonePage(browser);
  await ticketPage.goto(`${edgeUrl}/o/${order.donor_token}`);
  const code = ticketPage.locator(".ticket svg").first();
  await code.waitFor();
  await ticketPage.screenshot({ path: join(artifacts, "ticket-page.png"), fullPage: true });
  const picture = join(artifacts, "ticket-qr.png");
  await code.screenshot({ path: picture });

  // At the door, the volunteer reads the picture of the code.
  const door = await staffPage(browser, "volunteer", { width: 360, height: 780 });
  await door.getByRole("button", { name: "Entrées" }).click();
  await door.getByLabel("Événement").selectOption("fete-des-semis");
  await door.locator("#door-photo").setInputFiles(picture);
  const verdict = door.getByTestId("verdict");
  // Decoding runs in WebAssembly when the browser has no detector of its own.
  await verdict.waitFor({ timeout: 60_000 });
  assert.match(await verdict.textContent(), /✓ Entrée validée — .*Tarif réduit · place 1/);
  await door.screenshot({ path: join(artifacts, "admin-door-phone.png"), fullPage: true });

  // The same code again: refused, with the time it was used.
  await door.locator("#door-photo").setInputFiles(picture);
  await door.getByText(/Déjà utilisé le/).waitFor({ timeout: 90_000 });
  assert.match(await verdict.textContent(), /✗ Déjà utilisé le \d\d\/\d\d\/\d{4}/);
  assert.equal(row("SELECT count(*) AS n FROM tickets WHERE order_id = ? AND used_at IS NOT NULL", orderId).n, 1);
  const wide = await door.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the door page is ${wide} px wide`);
  assert.deepEqual(await violations(door.mainFrame()), []);
  assert.deepEqual(door.scriptErrors, []);
});
