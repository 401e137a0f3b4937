// Shared by the browser tests: the running stack (from the variables `cargo xtask test` sets),
// a headless Chromium, and read-only access to the edge's local D1.

import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

function need(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with \`cargo xtask test\``);
  }
  return value;
}

export const edgeUrl = need("TIRELIRE_EDGE_URL");
export const siteUrl = need("TIRELIRE_SITE_URL");
export const simUrl = need("TIRELIRE_SIM_URL");
export const mailUrl = need("TIRELIRE_MAIL_URL");
export const adminToken = need("TIRELIRE_ADMIN_TOKEN");
export const pastedDir = need("TIRELIRE_PASTED_DIR");
export const artifacts = need("TIRELIRE_ARTIFACTS");
const persistDir = need("TIRELIRE_PERSIST_DIR");

const require = createRequire(join(need("TIRELIRE_NODE_MODULES"), "noop.js"));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/// The WCAG 2.2 A and AA violations axe-core finds in a frame, within `include` (selectors,
/// reaching into shadow roots) or in the whole document. Axe is evaluated through the
/// browser's debugging protocol, so the page's own CSP does not stop it.
export async function violations(frame, include) {
  await frame.evaluate(axeSource);
  return frame.evaluate(async (include) => {
    const context = include ? { include } : document;
    const result = await globalThis.axe.run(context, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((node) => JSON.stringify(node.target)).slice(0, 5),
      summary: v.nodes.map((node) => node.failureSummary).slice(0, 2),
    }));
  }, include ?? null);
}

// Flags that keep Chromium from reaching for the network on a closed machine.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch() {
  return chromium.launch({ executablePath: need("TIRELIRE_CHROMIUM"), args: FLAGS });
}

let clients = 0;

/// A phone-sized page that fails the test on any script error. Its checkouts come from a client
/// address of their own, as Cloudflare would tell the edge (`CF-Connecting-IP`): the edge limits
/// checkouts per address, and every test here runs from the same machine.
export async function phonePage(browser) {
  const context = await browser.newContext({ viewport: { width: 400, height: 900 }, locale: "fr-FR" });
  const page = await context.newPage();
  clients += 1;
  const address = `198.19.${process.pid % 250}.${clients % 250}`;
  await page.route("**/v1/campaigns/*/checkout", (route) =>
    route.continue({ headers: { ...route.request().headers(), "cf-connecting-ip": address } }),
  );
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.scriptErrors = errors;
  return page;
}

/// The widget root inside the given host's shadow DOM (Playwright's locators pierce open roots).
export function widget(page, campaign) {
  return page.locator(`[data-tirelire-campaign="${campaign}"]`);
}

export async function waitReady(page, campaign) {
  await page.locator(`[data-tirelire-campaign="${campaign}"][data-tirelire-state="ready"]`).waitFor();
}

/// An amount as the widget writes it in French: "1 520 €", "20,50 €".
export function euros(minor) {
  return new Intl.NumberFormat("fr-FR", {
    style: "currency",
    currency: "EUR",
    minimumFractionDigits: minor % 100 === 0 ? 0 : 2,
  }).format(minor / 100);
}

export async function campaign(slug) {
  const response = await fetch(`${edgeUrl}/v1/campaigns/${slug}`);
  if (!response.ok) {
    throw new Error(`campaign ${slug}: ${response.status}`);
  }
  return response.json();
}

function d1File() {
  const folder = join(persistDir, "v3/d1/miniflare-D1DatabaseObject");
  // The database is named by a hash; miniflare keeps its own metadata.sqlite beside it.
  const file = readdirSync(folder).find((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  return join(folder, file);
}

/// Moves the end of every sign-in link of `email` into the past, as time would.
export function expireLinksOf(email) {
  const db = new DatabaseSync(d1File());
  try {
    db.prepare(
      "UPDATE sign_in_links SET expires_at = unixepoch() - 1 WHERE person_id = (SELECT id FROM people WHERE email = ?)",
    ).run(email);
  } finally {
    db.close();
  }
}

export function orderRow(orderId) {
  const db = new DatabaseSync(d1File(), { readOnly: true });
  try {
    return db.prepare("SELECT status, amount, email FROM orders WHERE id = ?").get(orderId);
  } finally {
    db.close();
  }
}

/// A query's first row, read from the edge's D1.
export function row(sql, ...params) {
  const db = new DatabaseSync(d1File(), { readOnly: true });
  try {
    return db.prepare(sql).get(...params);
  } finally {
    db.close();
  }
}

/// Pays on the simulator's page and waits for the widget's page to come back with the order;
/// gives the order's id.
export async function payAtSimulator(page) {
  await page.waitForURL(`${simUrl}/c/pay/**`);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(siteUrl) && r.url().includes("tirelire_result=paid")),
    page.getByRole("button", { name: /Payer/ }).click(),
  ]);
  return new URL(response.url()).searchParams.get("tirelire_order");
}

let donors = 0;

/// Fills the form as a donor would, each time as another donor (the edge limits checkouts
/// per email and per day).
export async function fillDonor(root) {
  donors += 1;
  await root.getByLabel("Prénom").fill("Camille");
  await root.getByLabel("Nom", { exact: true }).fill("Dupont");
  await root.getByLabel("Adresse e-mail").fill(`camille.dupont+browser${process.pid}-${donors}@example.fr`);
  await root.getByLabel(/J'accepte que/).check();
}

/// The messages the mail catcher received for `address`, once `count` have come (or after
/// 20 s, whatever came).
export async function mailTo(address, count = 1) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(`${mailUrl}/messages?to=${encodeURIComponent(address)}`);
    const messages = await response.json();
    if (messages.length >= count || Date.now() > deadline) return messages;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/// How many orders a campaign has in the edge's D1.
export function orderCount(campaign) {
  const folder = join(persistDir, "v3/d1/miniflare-D1DatabaseObject");
  const file = readdirSync(folder).find((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  const db = new DatabaseSync(join(folder, file), { readOnly: true });
  try {
    return db
      .prepare("SELECT count(*) AS n FROM orders o JOIN campaigns c ON c.id = o.campaign_id WHERE c.slug = ?")
      .get(campaign).n;
  } finally {
    db.close();
  }
}

/// The WCAG contrast ratio between an element's text and its background, as the browser
/// computes them. Colours in any CSS syntax are read back as sRGB through a canvas.
export async function contrast(locator) {
  return locator.evaluate((element) => {
    const style = getComputedStyle(element);
    const canvas = document.createElement("canvas");
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const luminance = (colour) => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = colour;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
      const linear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    };
    const [light, dark] = [luminance(style.color), luminance(style.backgroundColor)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  });
}

let people = 0;

/// An address of its own for someone let into the back-office.
export function staffAddress(role) {
  people += 1;
  return `${role}-${process.pid}-${people}@asso.example`;
}

/// Lets `email` in as `role` with the deployment's token, as `cargo xtask admin invite` does, and
/// gives the one-time link.
export async function invite(email, role) {
  const response = await fetch(`${edgeUrl}/v1/admin/invitations`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ email, role }),
  });
  if (response.status !== 201) {
    throw new Error(`the invitation was refused: ${response.status} ${await response.text()}`);
  }
  return (await response.json()).link;
}

/// A back-office page signed in as a new member with `role`, through an invitation's link; it
/// fails the test on any script error.
export async function staffPage(browser, role, viewport = { width: 400, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: "fr-FR", acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.scriptErrors = errors;
  await page.goto(await invite(staffAddress(role), role));
  await page.getByTestId("signed-in").waitFor();
  return page;
}
