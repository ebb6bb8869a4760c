// `npm run bench:portal` — how long the portal's pages take to render on the demo data, in headless Chromium (a
// benchmark, not a test; issue 5 asks for "within a second").
//
// Needs ./data/demo.db from `npm run demo` (run it once first). Copies it to BENCH_DIR/portal-demo.db so the demo's
// own audit is left alone, serves it on a loopback port, logs in as the demo user `aurora` (Aurora Energy, a
// supplier) through the login form, and measures BENCH_PORTAL_RUNS times each, interleaved, from navigation
// start until the page's content is on screen:
//   search   /search?othersOnly=true            until the results table (50 rows) is rendered
//   device   /devices/<the demo's device>        until the timeline is rendered (summary, chart, threads)
//   message  /messages/<a message in the search> until "Why can I see this?" is rendered
//   srv      /search?othersOnly=true&srv=7.2     until the results (or the empty state) are rendered
// Prints and writes p50 / p95 / max per page to BENCH_DIR/portal-results.json.
//
// Environment: BENCH_DIR (.bench), BENCH_PORTAL_RUNS (20), DEMO_DB (data/demo.db).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildApp } from '../http/build-app.js';
import { openStore } from '../store/open-store.js';
import { KyselyMessageStore } from '../store/kysely-message-store.js';

const DEMO_PASSWORD = 'srvv demo password';
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const benchDir = resolve(process.env.BENCH_DIR ?? '.bench');
const runs = Number(process.env.BENCH_PORTAL_RUNS ?? 20);
const demoDb = resolve(process.env.DEMO_DB ?? 'data/demo.db');

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function timed(page: Page, url: string, ready: (page: Page) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await page.goto(url);
  await ready(page);
  return performance.now() - start;
}

async function main(): Promise<void> {
  if (!existsSync(demoDb)) throw new Error(`${demoDb} is missing: run npm run demo once first`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  mkdirSync(benchDir, { recursive: true });
  const db = join(benchDir, 'portal-demo.db');
  copyFileSync(demoDb, db);
  const store = await openStore(`sqlite:${db}`);
  const device = (await (store as KyselyMessageStore).db
    .selectFrom('demo_meta' as never)
    .select(['value' as never])
    .where('key' as never, '=', 'device' as never)
    .executeTakeFirst()) as { value: string } | undefined;
  if (!device) throw new Error(`${demoDb} has no demo device: regenerate it with npm run demo`);
  const app = await buildApp({ store, rateLimit: false });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
    await page.goto(`${base}/login`);
    await page.locator('input[name="username"]').fill('aurora');
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('input[name="password"]').press('Enter')]);
    await page.goto(`${base}/search?othersOnly=true`);
    const href = await page.locator('tbody tr a[href^="/messages/"]').first().getAttribute('href');
    if (!href) throw new Error('the demo user sees no messages of other users');

    const pages = {
      search: () => timed(page, `${base}/search?othersOnly=true`, (p) => p.locator('tbody tr').nth(49).waitFor()),
      device: () => timed(page, `${base}/devices/${device.value}`, (p) => p.locator('section[aria-labelledby="timeline"] li').first().waitFor()),
      message: () => timed(page, `${base}${href}`, (p) => p.getByRole('heading', { name: 'Why can I see this?' }).waitFor()),
      srv: () => timed(page, `${base}/search?othersOnly=true&srv=7.2`, (p) => p.locator('tbody tr, .empty').first().waitFor()),
    };
    for (const measure of Object.values(pages)) await measure(); // warm-up: module cache, database pages
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
    for (let i = 0; i < runs; i++) for (const [name, measure] of Object.entries(pages)) samples[name]!.push(await measure());
    const results = Object.fromEntries(
      Object.entries(samples).map(([name, ms]) => {
        const sorted = [...ms].sort((a, b) => a - b);
        return [name, { p50: +quantile(sorted, 0.5).toFixed(0), p95: +quantile(sorted, 0.95).toFixed(0), max: +sorted.at(-1)!.toFixed(0) }];
      }),
    );
    const report = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), loadavg: loadavg().map((l) => +l.toFixed(2)) },
      runs,
      device: device.value,
      message: href,
      ms: results,
    };
    writeFileSync(join(benchDir, 'portal-results.json'), JSON.stringify(report, null, 2) + '\n');
    console.log('page      p50 ms   p95 ms   max ms');
    for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(8)} ${String(r.p50).padStart(7)} ${String(r.p95).padStart(8)} ${String(r.max).padStart(8)}`);
    console.log(`(${runs} runs each, interleaved; ${report.machine.cpus} CPUs, load ${report.machine.loadavg.join(' ')})`);
  } finally {
    await browser.close();
    await app.close();
    await store.close();
  }
}

await main();
