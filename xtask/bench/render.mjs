// Measures how long the demo page takes, in headless Chromium, from navigation start to the
// widget showing its campaign (the "tirelire:ready" performance mark). Cold runs use a fresh
// browser context (empty cache); warm runs reload in the same context; "slow" runs are cold
// on an emulated slow phone connection (400 ms round trips, 50 KB/s down). Prints JSON.

import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.TIRELIRE_NODE_MODULES, "noop.js"));
const { chromium } = require("playwright-core");

const url = process.argv[2];
const runs = Number(process.argv[3] || 10);
const browser = await chromium.launch({
  executablePath: process.env.TIRELIRE_CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

async function readyAt(page) {
  await page.waitForFunction(() => performance.getEntriesByName("tirelire:ready").length > 0, null, { timeout: 60000 });
  return page.evaluate(() => performance.getEntriesByName("tirelire:ready")[0].startTime);
}

const cold = [];
const warm = [];
for (let run = 0; run < runs; run += 1) {
  const context = await browser.newContext({ viewport: { width: 400, height: 900 } });
  const page = await context.newPage();
  await page.goto(url);
  cold.push(await readyAt(page));
  await page.reload();
  warm.push(await readyAt(page));
  await context.close();
}
// A slow mobile connection, as Chromium's DevTools emulate it.
const SLOW = { offline: false, latency: 400, downloadThroughput: 50 * 1024, uploadThroughput: 20 * 1024 };
const slow = [];
for (let run = 0; run < 3; run += 1) {
  const context = await browser.newContext({ viewport: { width: 400, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW);
  await page.goto(url, { timeout: 60000 });
  slow.push(await readyAt(page));
  await context.close();
}
await browser.close();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
console.log(JSON.stringify({
  runs,
  cold_median_ms: median(cold),
  warm_median_ms: median(warm),
  slow_runs: slow.length,
  slow_median_ms: median(slow),
}));
