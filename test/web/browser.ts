import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { BuildAppOptions } from '../../src/http/build-app.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { PASSWORD, startApiWorld, type ApiWorld } from '../http/api-world.js';
import { BACKENDS } from '../store-suite/backends.js';

/*
 * The browser harness of the end-to-end specs (test/web/*.test.ts): Debian's Chromium at /usr/bin/chromium,
 * driven by playwright-core (never a browser Playwright downloads), against a real server on a loopback port
 * seeded with the API specs' world (test/http/api-world.ts). One browser per spec file (`startWebWorld` in a
 * `before`), a fresh context per scenario: cookies never leak between users.
 *
 * Without /usr/bin/chromium the browser specs are skipped, saying why, unless CI is set: there they fail
 * (.ci/run installs the package when it is missing).
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
/**
 * Root in a sandboxed container, no GPU, and a closed network: without the background-networking flags
 * Chromium keeps trying (and failing) to reach Google's hosts. Playwright adds a fresh temporary
 * `--user-data-dir` to every launch and deletes it on close.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
] as const;
export const SCREENSHOT_DIR = resolve('test-artifacts', 'screenshots');
export { PASSWORD };

/** Why the browser specs cannot run here, or `undefined` when they can (or must: CI is set). */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  if (process.env.CI) return undefined; // launching fails and says why: CI must run the browser specs
  return `${CHROMIUM_PATH} is missing: install Debian's chromium package (apt-get install chromium) to run the browser specs`;
}

/** Launches headless Chromium with the harness's flags. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: the browser specs need Debian's chromium package (.ci/run installs it)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], timeout: 60_000 });
}

/** A page with what went wrong in it recorded, for assertions and failure messages. */
export interface WebPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors (but failed loads: see `httpErrors`), in order. */
  errors: string[];
  /** `<status> <method> <url>` of every answer >= 400 but /favicon.ico's, in order (a 404 page is one). */
  httpErrors: string[];
}

export interface WebWorld {
  /** The seeded API world: ids, tokens, request ids. */
  world: ApiWorld;
  store: KyselyMessageStore;
  browser: Browser;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** A page in a fresh context (its own cookies), at a laptop's viewport. */
  newPage(): Promise<WebPage>;
  close(): Promise<void>;
}

/** Starts the API world on in-memory SQLite behind a real server, and the browser. Call once per spec file. */
export async function startWebWorld(options: Partial<BuildAppOptions> = {}): Promise<WebWorld> {
  const backend = BACKENDS.find((b) => b.name === 'sqlite')!;
  const store = await backend.open();
  const contexts: BrowserContext[] = [];
  let world: ApiWorld | undefined;
  let browser: Browser | undefined;
  try {
    world = await startApiWorld(store, options);
    browser = await launchBrowser();
  } catch (err) {
    await world?.close();
    await store.close();
    throw err;
  }
  const b = browser;
  const w = world;
  return {
    world: w,
    store,
    browser: b,
    base: w.base,
    async newPage() {
      const context = await b.newContext({ viewport: { width: 1366, height: 800 }, acceptDownloads: true });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      const httpErrors: string[] = [];
      page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        // Chromium logs every failed load without its URL; `httpErrors` has them with it.
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console error: ${msg.text()}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') httpErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
      });
      return { page, context, errors, httpErrors };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await b.close().catch(() => {});
      await w.close();
      await backend.destroy(store);
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: letters, digits, '.', '_' and '-' only`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Whether the server answers `path` with an HTML page (not a 404), e.g. to skip specs of pages not built yet. */
export async function servesHtml(base: string, path: string): Promise<boolean> {
  const res = await fetch(base + path, { redirect: 'manual' });
  await res.arrayBuffer();
  return res.status === 200 && (res.headers.get('content-type') ?? '').includes('text/html');
}

/**
 * Logs in through the portal's login page (a form with fields named `username` and `password`) and waits
 * until the browser has left it.
 */
export async function loginThroughForm(page: Page, base: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/login`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login', { timeout: 15_000 }),
    page.locator('input[name="password"]').press('Enter'),
  ]);
}
