// The back-office's door: a one-time link opens a session that survives a reload, works once,
// and ends with sign-out; a member asks for a link by mail and gets in with it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";

import {
  artifacts,
  edgeUrl,
  expireLinksOf,
  invite,
  launch,
  mailTo,
  staffAddress as address,
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

async function adminPage() {
  const context = await browser.newContext({ viewport: { width: 400, height: 800 }, locale: "fr-FR" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.scriptErrors = errors;
  return page;
}

test("an invitation's link signs in once, the session survives a reload, and sign-out ends it", async () => {
  const email = address("tresorerie");
  const link = await invite(email, "treasurer");
  const page = await adminPage();
  await page.goto(link);
  const card = page.getByTestId("signed-in");
  await card.waitFor();
  assert.match(await card.textContent(), new RegExp(email.replace(/[.+]/g, "\\$&")));
  assert.match(await card.textContent(), /trésorerie/);
  assert.equal(new URL(page.url()).hash, "", "the secret leaves the address");

  // The snippet to paste is pinned: its integrity is the hash of the script it names.
  await page.getByRole("button", { name: "Campagnes" }).click();
  const snippet = page.getByLabel("Le code à coller sur votre site");
  await snippet.waitFor();
  const code = await snippet.inputValue();
  const [, src, integrity] = code.match(/src="([^"]+)"\s+integrity="(sha384-[^"]+)"\s+crossorigin="anonymous"/) ?? [];
  assert.ok(src?.startsWith(`${edgeUrl}/widget/v1/tirelire-`), code);
  const script = Buffer.from(await (await fetch(src)).arrayBuffer());
  assert.equal(integrity, `sha384-${createHash("sha384").update(script).digest("base64")}`);
  assert.match(code, /<div data-tirelire-campaign="votre-campagne"><\/div>/);
  assert.deepEqual(await violations(page.mainFrame()), []);
  await page.screenshot({ path: join(artifacts, "admin-signed-in.png"), fullPage: true });

  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === "__Host-tirelire_session");
  assert.ok(session, "the session cookie is kept");
  assert.ok(session.httpOnly && session.secure && session.sameSite === "Strict");

  await page.reload();
  await card.waitFor();

  // The same link, again.
  const again = await adminPage();
  await again.goto(link);
  await again.getByText("Ce lien a déjà servi ou a expiré").waitFor();
  assert.equal(await again.getByTestId("signed-in").count(), 0);

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.getByText("Vous êtes déconnecté·e.").waitFor();
  await page.reload();
  await page.getByLabel("Votre adresse e-mail").waitFor();
  assert.deepEqual(await violations(page.mainFrame()), []);
  assert.deepEqual(page.scriptErrors, []);
});

test("a member asks for a link by mail and gets in with it", async () => {
  const email = address("benevole");
  await invite(email, "volunteer");
  const page = await adminPage();
  await page.goto(`${edgeUrl}/admin/`);
  await page.getByLabel("Votre adresse e-mail").fill(email);
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await page.getByText("un lien de connexion vient de lui être envoyé").waitFor();
  await page.screenshot({ path: join(artifacts, "admin-sign-in.png"), fullPage: true });

  const [mail] = await mailTo(email);
  assert.ok(mail, "the sign-in mail arrives");
  const link = mail.text.split(/\s+/).find((word) => word.includes("#sign-in="));
  await page.goto(link);
  await page.getByTestId("signed-in").waitFor();
  assert.match(await page.getByTestId("signed-in").textContent(), /bénévole/);
  assert.deepEqual(page.scriptErrors, []);
});

test("an expired link lets nobody in and says how to get another", async () => {
  const email = address("expire");
  const link = await invite(email, "treasurer");
  expireLinksOf(email);
  const page = await adminPage();
  await page.goto(link);
  await page.getByText("Ce lien a déjà servi ou a expiré").waitFor();
  assert.equal(await page.getByTestId("signed-in").count(), 0);
  assert.ok(await page.getByLabel("Votre adresse e-mail").isVisible(), "a new link can be asked for at once");
  const cookies = await page.context().cookies();
  assert.equal(cookies.length, 0, "no session");
  assert.deepEqual(page.scriptErrors, []);
});

test("an admin lets a volunteer in from the back-office, then removes them, and the journal says so", async () => {
  const admin = await staffPage(browser, "admin", { width: 1100, height: 900 });
  await admin.getByRole("button", { name: "Équipe" }).click();
  const form = admin.getByRole("form", { name: "Faire entrer quelqu'un" });
  const email = address("porte");
  await form.getByLabel("Son adresse e-mail").fill(email);
  await form.getByLabel("Son rôle").selectOption("volunteer");
  await form.getByRole("button", { name: "Créer le lien d'entrée" }).click();
  await admin.getByText(`${email} peut entrer.`).waitFor();
  const link = await admin.getByLabel("Lien à envoyer").inputValue();
  assert.deepEqual(await violations(admin.mainFrame()), []);
  await admin.screenshot({ path: join(artifacts, "admin-team.png"), fullPage: true });

  const volunteer = await adminPage();
  await volunteer.goto(link);
  await volunteer.getByTestId("signed-in").waitFor();
  assert.equal(await volunteer.getByRole("button", { name: "Équipe" }).count(), 0);
  assert.equal(await volunteer.getByRole("button", { name: "Journal" }).count(), 0);

  admin.once("dialog", (dialog) => dialog.accept());
  await admin.getByRole("button", { name: `Retirer ${email}` }).click();
  await admin.getByText(`${email} ne fait plus partie de l'équipe.`).waitFor();
  await volunteer.reload();
  await volunteer.getByLabel("Votre adresse e-mail").waitFor();
  assert.equal(await volunteer.getByTestId("signed-in").count(), 0, "the session stopped");

  await admin.getByRole("button", { name: "Journal" }).click();
  const journal = admin.getByRole("region", { name: "Journal des opérations" });
  await journal.getByText("a retiré de l'équipe").first().waitFor();
  assert.ok(await journal.getByText("a fait entrer").first().isVisible());
  assert.deepEqual(await violations(admin.mainFrame()), []);
  assert.deepEqual(admin.scriptErrors, []);
  assert.deepEqual(volunteer.scriptErrors, []);
});

test("an admin sees how mail is set up and sends a test message from the settings", async () => {
  const admin = await staffPage(browser, "admin");
  await admin.getByRole("button", { name: "Réglages" }).click();
  const association = admin.getByRole("form", { name: "L'association" });
  assert.equal(await association.getByLabel("Nom de l'association").inputValue(), "Les Amis du Jardin Partagé");
  await admin.getByText(/Les reçus partent de .+ par smtp\./).waitFor();
  const test = admin.getByRole("form", { name: "Essayer l'envoi des mails" });
  const to = address("essai");
  await test.getByLabel("Envoyer un mail d'essai à").fill(to);
  await test.getByRole("button", { name: "Envoyer un mail d'essai" }).click();
  await admin.getByText(`Le fournisseur a accepté le message pour ${to}.`).waitFor();
  assert.equal((await mailTo(to)).length, 1, "the test message arrives");
  assert.deepEqual(await violations(admin.mainFrame()), []);
  await admin.screenshot({ path: join(artifacts, "admin-settings.png"), fullPage: true });
  assert.deepEqual(admin.scriptErrors, []);
});

test("every page of the back-office fits a 320 px phone and passes axe", async () => {
  const admin = await staffPage(browser, "admin", { width: 320, height: 700 });
  for (const tab of ["Tableau de bord", "Paiements", "Campagnes", "Données personnelles", "Journal", "Équipe", "Réglages"]) {
    await admin.getByRole("button", { name: tab, exact: true }).click();
    await admin.locator("section.card.wide h2").first().waitFor();
    await admin.waitForTimeout(300);
    const wide = await admin.evaluate(() => {
      const limit = document.scrollingElement.clientWidth;
      if (document.scrollingElement.scrollWidth <= limit) return [];
      return [...document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > limit + 1)
        .slice(0, 4)
        .map((element) => `${element.tagName.toLowerCase()}.${element.className} (${Math.round(element.getBoundingClientRect().right)} px)`);
    });
    assert.deepEqual(wide, [], `${tab} scrolls sideways at 320 px`);
    assert.deepEqual(await violations(admin.mainFrame()), [], tab);
  }
  assert.deepEqual(admin.scriptErrors, []);
});
