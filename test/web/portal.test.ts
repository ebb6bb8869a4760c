import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import * as f from '../store-suite/fixtures.js';
import { MPAN } from '../http/api-world.js';
import { assertAccessible } from './axe.js';
import { browserSkipReason, loginThroughForm, screenshot, startWebWorld, type WebPage, type WebWorld } from './browser.js';

/** The unexpected errors of a page: a 401 on the session probe before login and the given statuses are expected. */
function unexpected(p: WebPage, ...allowed: RegExp[]): string[] {
  return [...p.errors, ...p.httpErrors.filter((e) => !/^401 GET \S+\/api\/v1\/session$/.test(e) && !allowed.some((a) => a.test(e)))];
}

// The scenarios in headless Chromium against a real server: the portal shows each party exactly what
// the API allows, explains why, exports what it shows, and makes operators state a reason.
describe('portal in a real browser', { skip: browserSkipReason() }, () => {
  let w: WebWorld;
  before(async () => {
    w = await startWebWorld();
  });
  after(async () => {
    await w?.close();
  });

  it("a supplier finds its meter, sees another user's Disable Supply with its badges, and reads why it may see it", async () => {
    const p = await w.newPage();
    const { page } = p;
    await loginThroughForm(page, w.base, 'supa-viewer');
    await page.goto(`${w.base}/search`);
    await page.getByLabel('Device ID').fill(f.ESME.toLowerCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/deviceId=/);
    const row = page.locator('tbody tr', { hasText: 'Disable Supply' }).filter({ hasText: 'request' });
    await row.first().waitFor();
    for (const badge of ['critical', 'security', 'other user']) assert.equal(await row.first().getByText(badge, { exact: true }).count(), 1, badge);
    await assertAccessible(page, 'search');
    await screenshot(page, 'portal-search-supplier');

    await page.goto(`${w.base}/devices/${f.ESME}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    assert.ok(await page.getByText(MPAN).first().isVisible(), 'the device page names its MPAN');
    assert.ok(await page.locator('svg').first().isVisible(), 'a chart of messages per day');
    await assertAccessible(page, 'device');
    await screenshot(page, 'portal-device-supplier');

    await page.goto(`${w.base}/messages/${w.world.ids.disable}`);
    await page.getByRole('heading', { name: 'Why can I see this?' }).waitFor();
    const why = page.locator('section', { has: page.getByRole('heading', { name: 'Why can I see this?' }) });
    assert.match(await why.innerText(), new RegExp(`Responsible Supplier: IS for MPAN ${MPAN}`));
    assert.match(await page.locator('pre.xml').innerText(), /<sr:Request/);
    await assertAccessible(page, 'message');
    await screenshot(page, 'portal-message-supplier');
    assert.deepEqual(unexpected(p), []);
  });

  it('another party searching for the same device and message finds nothing and gets the 404 page', async () => {
    const p = await w.newPage();
    const { page } = p;
    await loginThroughForm(page, w.base, 'supb-admin');
    await page.goto(`${w.base}/search?deviceId=${f.ESME}`);
    await page.getByRole('heading', { name: 'Results' }).waitFor();
    await page.waitForFunction(() => !(globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes('Searching…'));
    assert.equal(await page.locator('tbody tr').count(), 0, 'no rows');
    await screenshot(page, 'portal-search-other-party');
    await page.goto(`${w.base}/messages/${w.world.ids.disable}`);
    await page.getByRole('heading', { name: 'Not found — or not visible to you' }).waitFor();
    await screenshot(page, 'portal-message-404');
    await page.goto(`${w.base}/messages/999999`);
    await page.getByRole('heading', { name: 'Not found — or not visible to you' }).waitFor();
    assert.deepEqual(unexpected(p, /^404 GET \S+\/api\/v1\/messages\/(\d+)$/), []);
  });

  it('exports the rows shown as CSV', async () => {
    const p = await w.newPage();
    const { page } = p;
    await loginThroughForm(page, w.base, 'supa-viewer');
    await page.goto(`${w.base}/search?othersOnly=true`);
    await page.locator('tbody tr').first().waitFor();
    const shown = await page.locator('tbody tr').count();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const rows = parseCsv(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, shown);
    assert.ok(rows.every((r) => r.own === 'false'));
    assert.deepEqual(unexpected(p), []);
  });

  it('an operator must give a reason before seeing any traffic, and it is audited', async () => {
    const p = await w.newPage();
    const { page } = p;
    await loginThroughForm(page, w.base, 'ops-operator');
    await page.getByRole('heading', { name: 'Why are you looking?' }).waitFor();
    await assertAccessible(page, 'reason');
    await screenshot(page, 'portal-operator-reason');
    await page.getByLabel(/reason/i).first().fill('INC-2026-114 supply complaint');
    await page.getByLabel(/reason/i).first().press('Enter');
    await page.locator('tbody tr').first().waitFor();
    assert.equal(await page.locator('tbody tr').count(), 6, 'an operator sees every message');
    await screenshot(page, 'portal-search-operator');
    const entry = (await w.store.audit.list({ actor: 'ops-operator' })).items[0];
    assert.equal(entry?.reason, 'INC-2026-114 supply complaint');
    assert.deepEqual(unexpected(p, /^400 GET \S+\/api\/v1\//), []);
  });
  it('a party admin adds a user and removes them, which logs them out; their own account has no Remove button', async () => {
    const a = await w.newPage();
    await loginThroughForm(a.page, w.base, 'supa-admin');
    await a.page.goto(`${w.base}/admin/users`);
    await a.page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await a.page.getByLabel('Username').fill('temp-analyst');
    await a.page.getByLabel('Password').fill('a long enough password');
    await a.page.getByRole('button', { name: 'Add user' }).click();
    await a.page.locator('tbody tr', { hasText: 'temp-analyst' }).waitFor();
    assert.equal(await a.page.getByRole('button', { name: 'Remove supa-admin' }).count(), 0, 'no Remove button for oneself');
    await assertAccessible(a.page, 'admin-users');

    const t = await w.newPage();
    await loginThroughForm(t.page, w.base, 'temp-analyst', 'a long enough password');
    assert.equal(await t.page.evaluate(async () => (await fetch('/api/v1/messages')).status), 200);

    a.page.once('dialog', (d) => void d.accept());
    await a.page.getByRole('button', { name: 'Remove temp-analyst' }).click();
    await a.page.getByText('Removed temp-analyst.').waitFor();
    assert.equal(await a.page.locator('tbody tr', { hasText: 'temp-analyst' }).count(), 0);
    await screenshot(a.page, 'portal-admin-users');
    assert.equal(await t.page.evaluate(async () => (await fetch('/api/v1/messages')).status), 401, 'logged out at once');
    assert.deepEqual(unexpected(a), []);
  });
  it("a party admin filters its party's audit by time; the party field is only an operator's", async () => {
    const p = await w.newPage();
    const { page } = p;
    await loginThroughForm(page, w.base, 'supa-admin');
    await page.goto(`${w.base}/search`);
    await page.locator('tbody tr').first().waitFor(); // one audited search, now
    const before = new Date(Date.now() - 60 * 60_000).toISOString().slice(0, 16);
    const after = new Date(Date.now() + 60 * 60_000).toISOString().slice(0, 16);

    await page.goto(`${w.base}/admin/audit?from=${before}`);
    await page.locator('tbody tr').first().waitFor();
    assert.equal(await page.getByLabel('From (UTC)').inputValue(), before);
    assert.equal(await page.getByLabel('Party').count(), 0);
    const rows = await page.locator('tbody tr').allInnerTexts();
    assert.ok(rows.length > 0 && rows.every((r) => r.includes('SUPA')), rows.join('\n'));
    await assertAccessible(page, 'admin-audit');

    await page.getByLabel('From (UTC)').fill(after);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No audit entries match.').waitFor();
    assert.match(page.url(), new RegExp(`from=${encodeURIComponent(after)}`));
    assert.deepEqual(unexpected(p), []);
  });
});
