// The donor's journey on the demo association's page, in headless Chromium.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  artifacts, campaign, contrast, edgeUrl, euros, fillDonor, launch, mailTo, mailUrl, orderRow, phonePage, simUrl, siteUrl, waitReady,
  widget,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the widget shows on the demo page despite its hostile CSS", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");

  await root.getByRole("heading", { name: "Un composteur pour le jardin" }).waitFor();
  for (const amount of ["10 €", "20 €", "50 €", "Autre montant"]) {
    assert.ok(await root.getByLabel(amount, { exact: true }).isVisible(), amount);
  }
  for (const label of ["Prénom", "Adresse e-mail"]) {
    assert.ok(await root.getByLabel(label).isVisible(), label);
  }
  assert.ok(await root.getByLabel("Nom", { exact: true }).isVisible());
  assert.ok(await root.getByLabel(/J'accepte que Les Amis du Jardin Partagé/).isVisible());
  assert.match(await root.getByTestId("raised").textContent(), /collectés sur 1\u202f500\u00a0€/);

  // The host page paints every element red in Comic Sans, and hides every button; the snippet
  // asks for the system's font instead of the page's.
  const button = root.getByRole("button", { name: /Donner/ });
  const looks = await button.evaluate((button) => {
    const style = getComputedStyle(button);
    return { display: style.display, color: style.color, font: style.fontFamily };
  });
  assert.notEqual(looks.display, "none");
  assert.notEqual(looks.color, "rgb(192, 0, 0)");
  assert.ok((await contrast(button)) >= 4.5);
  assert.equal(looks.font, "system-ui, sans-serif");

  await root.screenshot({ path: join(artifacts, "widget.png") });
  assert.deepEqual(page.scriptErrors, []);
});

test("a 20 € donation goes through the payment page and comes back counted", async () => {
  const page = await phonePage(browser);
  const before = await campaign("jardin-2026");
  await page.goto(`${siteUrl}/`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");

  await root.getByLabel("20 €", { exact: true }).check();
  await fillDonor(root);
  await root.getByRole("button", { name: "Donner 20,00\u00a0€" }).click();

  await page.waitForURL(`${simUrl}/c/pay/**`);
  assert.match(await page.locator("#amount").textContent(), /20,00 EUR/);
  await page.screenshot({ path: join(artifacts, "payment-page.png") });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(siteUrl) && r.url().includes("tirelire_result=paid")),
    page.getByRole("button", { name: /Payer/ }).click(),
  ]);
  const orderId = new URL(response.url()).searchParams.get("tirelire_order");
  assert.ok(orderId?.startsWith("ord_"), response.url());

  await root.getByTestId("thanks").waitFor();
  assert.match(await root.getByTestId("thanks").textContent(), /Votre don de 20,00\u00a0€ a bien été reçu/);
  // The outcome is taken out of the address, so a reload shows the form again.
  assert.equal(new URL(page.url()).search, "");
  await root.screenshot({ path: join(artifacts, "thanks.png") });

  const row = orderRow(orderId);
  assert.equal(row.status, "paid");
  assert.equal(row.amount, 2000);

  // The receipt reached the donor's address, through the association's mail provider.
  const receipts = await mailTo(row.email);
  assert.equal(receipts.length, 1);
  assert.equal(receipts[0].subject, "Merci pour votre don à Les Amis du Jardin Partagé");
  assert.match(receipts[0].text, /votre don de 20,00\u00a0€ pour « /);
  assert.ok(receipts[0].text.includes(orderId));
  const mailPage = await browser.newPage({ viewport: { width: 900, height: 900 } });
  await mailPage.goto(`${mailUrl}/`);
  await mailPage.screenshot({ path: join(artifacts, "receipt-mail.png") });
  await mailPage.close();

  await page.reload();
  await waitReady(page, "jardin-2026");
  const expected = before.raised_amount + 2000;
  assert.match(await root.getByTestId("raised").textContent(), new RegExp(`^${euros(expected)} collectés`));
  assert.ok(await root.getByRole("button", { name: /Donner/ }).isVisible());
  assert.deepEqual(page.scriptErrors, []);
});

test("on a WordPress page (jQuery, a theme's rules, the_content's markup) a donation goes through", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/wordpress.html`);
  await waitReady(page, "jardin-2026");
  // wptexturize wrote the script's & as &#038;: the browser read it back as &.
  assert.match(await page.locator("script[async]").getAttribute("src"), /\?ver=1\.0&theme=jardin$/);
  assert.equal(await page.evaluate(() => typeof window.jQuery), "function");
  const root = widget(page, "jardin-2026");
  await root.getByLabel("10 €", { exact: true }).check();
  await fillDonor(root);
  await root.getByRole("button", { name: "Donner 10,00\u00a0€" }).click();
  await page.waitForURL(`${simUrl}/c/pay/**`);
  await page.getByRole("button", { name: /Payer/ }).click();
  await page.waitForURL(`${siteUrl}/wordpress.html**`);
  await root.getByTestId("thanks").waitFor();
  await page.screenshot({ path: join(artifacts, "wordpress.png"), fullPage: true });
  assert.deepEqual(page.scriptErrors, []);
});

test("the same page in English speaks English", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/en.html`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");
  assert.ok(await root.getByLabel("First name").isVisible());
  assert.ok(await root.getByLabel("€20", { exact: true }).isVisible());
  assert.ok(await root.getByRole("button", { name: "Donate €20.00" }).isVisible());
  await root.getByLabel("Other amount").check();
  await root.getByLabel(/Your amount/).fill("12.50");
  assert.ok(await root.getByRole("button", { name: "Donate €12.50" }).isVisible());
  assert.deepEqual(page.scriptErrors, []);
});

test("cancelling on the payment page brings a kind word and leaves the order unpaid", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");
  await root.getByLabel("Autre montant").check();
  await root.getByLabel("Votre montant, en euros").fill("12,50");
  await fillDonor(root);
  await root.getByRole("button", { name: "Donner 12,50\u00a0€" }).click();
  await page.waitForURL(`${simUrl}/c/pay/**`);

  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(siteUrl) && r.url().includes("tirelire_result=cancelled")),
    page.getByRole("link", { name: /Annuler/ }).click(),
  ]);
  const orderId = new URL(response.url()).searchParams.get("tirelire_order");
  await root.getByTestId("cancelled").waitFor();
  assert.match(await root.getByTestId("cancelled").textContent(), /rien n'a été prélevé/);
  assert.ok(await root.getByRole("button", { name: /Donner/ }).isVisible(), "the form is offered again");
  assert.equal(orderRow(orderId).status, "pending");
  await root.screenshot({ path: join(artifacts, "cancelled.png") });
});

test("mistakes are shown next to their fields and the focus goes to the first", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/`);
  await waitReady(page, "jardin-2026");
  const root = widget(page, "jardin-2026");
  await root.getByLabel("Autre montant").check();
  await root.getByLabel("Votre montant, en euros").fill("0,50");
  await root.getByLabel("Adresse e-mail").fill("camille@");
  await root.getByRole("button", { name: /Donner/ }).click();

  const amount = root.getByLabel("Votre montant, en euros");
  assert.equal(await amount.getAttribute("aria-invalid"), "true");
  assert.ok(await amount.evaluate((input) => input.getRootNode().activeElement === input), "focus on the amount");
  assert.ok(await root.getByText("Le don minimum est de 1\u00a0€.").isVisible());
  assert.ok(await root.getByText("Indiquez votre prénom.").isVisible());
  assert.ok(await root.getByText(/Vérifiez l'adresse e-mail/).isVisible());
  assert.ok(await root.getByText("Cochez cette case pour continuer.").isVisible());
  assert.match(page.url(), new RegExp(`^${siteUrl}`), "nothing was sent");
  // A field in error is drawn apart from the others, not only announced.
  const border = (locator) => locator.evaluate((input) => getComputedStyle(input).borderTopColor);
  const firstName = root.getByLabel("Prénom");
  assert.equal(await border(firstName), "rgb(179, 38, 30)");
  await firstName.fill("Camille");
  await root.getByText("Indiquez votre prénom.").waitFor({ state: "detached" });
  assert.notEqual(await border(firstName), "rgb(179, 38, 30)", "a corrected field is drawn as usual");

  // Errors follow the donor's corrections.
  await amount.fill("5");
  await root.getByText("Le don minimum est de 1\u00a0€.").waitFor({ state: "detached" });
  await root.screenshot({ path: join(artifacts, "errors.png") });
});

test("two widgets on one page, in two languages, both work", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/projets.html`);
  await waitReady(page, "jardin-2026");
  await waitReady(page, "ruches-2026");
  const garden = widget(page, "jardin-2026");
  const bees = widget(page, "ruches-2026");
  await garden.getByRole("heading", { name: "Un composteur pour le jardin" }).waitFor();
  await bees.getByRole("heading", { name: "Deux ruches pour la biodiversité" }).waitFor();
  assert.ok(await bees.getByLabel("First name").isVisible());
  assert.ok(await bees.getByRole("button", { name: "Donate €15.00" }).isVisible());
  // Each widget keeps its own state.
  await bees.getByLabel("€30", { exact: true }).check();
  assert.ok(await bees.getByRole("button", { name: "Donate €30.00" }).isVisible());
  assert.ok(await garden.getByRole("button", { name: "Donner 20,00\u00a0€" }).isVisible());
  await page.screenshot({ path: join(artifacts, "two-widgets.png"), fullPage: true });

  // A donation through the second one comes back to it, and leaves the first as it was.
  await bees.getByLabel("First name").fill("Sam");
  await bees.getByLabel("Last name").fill("Taylor");
  await bees.getByLabel("Email address").fill(`sam.taylor+${process.pid}@example.org`);
  await bees.getByLabel(/I agree that/).check();
  await bees.getByRole("button", { name: "Donate €30.00" }).click();
  await page.waitForURL(`${simUrl}/c/pay/**`);
  // The payment page speaks the donor's language.
  await page.getByRole("button", { name: /^Pay\b/ }).click();
  await page.waitForURL(`${siteUrl}/projets.html**`);
  await bees.getByTestId("thanks").waitFor();
  assert.ok(await garden.getByRole("button", { name: "Donner 20,00\u00a0€" }).isVisible());
  assert.deepEqual(page.scriptErrors, []);
});

test("where the page forbids WebAssembly, the form comes in a frame from the edge, and works", async () => {
  const page = await phonePage(browser);
  await page.goto(`${siteUrl}/humhub.html`);
  const host = page.locator("[data-tirelire-campaign=jardin-2026]");
  await page.locator("[data-tirelire-campaign=jardin-2026][data-tirelire-state=fallback]").waitFor();

  // A link always works, even where frames are refused too.
  const link = host.locator("a[data-tirelire-fallback]");
  assert.equal(await link.textContent(), "Ouvrir le formulaire de don dans un nouvel onglet");
  const href = new URL(await link.getAttribute("href"));
  assert.equal(href.origin, edgeUrl);
  assert.equal(href.searchParams.get("campaign"), "jardin-2026");

  const frameElement = host.locator("iframe[data-tirelire-frame]");
  assert.equal(new URL(await frameElement.getAttribute("src")).origin, edgeUrl);
  const frame = page.frameLocator("[data-tirelire-campaign=jardin-2026] iframe");
  const form = frame.locator("[data-tirelire-campaign=jardin-2026]");
  await frame.locator("[data-tirelire-state=ready]").waitFor();
  await form.getByRole("heading", { name: "Un composteur pour le jardin" }).waitFor();
  // The frame grows to its content rather than scrolling inside itself.
  await page.waitForFunction(() => {
    const frame = document.querySelector("iframe[data-tirelire-frame]");
    return frame && frame.contentWindow && frame.getBoundingClientRect().height > 600;
  });
  await page.screenshot({ path: join(artifacts, "framed-fallback.png"), fullPage: true });

  // Paying leaves the frame for the whole window, and comes back to this page.
  await form.getByLabel("10 €", { exact: true }).check();
  await fillDonor(form);
  await form.getByRole("button", { name: "Donner 10,00\u00a0€" }).click();
  await page.waitForURL(`${simUrl}/c/pay/**`);
  await page.getByRole("button", { name: /Payer/ }).click();
  await page.waitForURL(`${siteUrl}/humhub.html**`);
  await frame.getByTestId("thanks").waitFor();
  assert.match(await frame.getByTestId("thanks").textContent(), /Votre don de 10,00\u00a0€ a bien été reçu/);
  assert.equal(new URL(page.url()).search, "", "the page's address is cleaned");
  assert.deepEqual(page.scriptErrors, []);
});
