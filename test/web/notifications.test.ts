import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { WebhookDispatcher } from '../../src/subscriptions/webhook-dispatcher.js';
import * as f from '../store-suite/fixtures.js';
import { USER } from '../http/api-world.js';
import { ingest } from '../visibility/scenario-helpers.js';
import { assertAccessible } from './axe.js';
import { browserSkipReason, loginThroughForm, screenshot, startWebWorld, type WebPage, type WebWorld } from './browser.js';

/*
 * The notification centre (live feed over EventSource) and the webhook pages, in headless Chromium against a real
 * server: messages ingested through the store appear in the centre of the party that may see them, and only
 * there; a webhook to a loopback receiver gets its test event, and a dead delivery can be replayed.
 */

/** The unexpected errors of a page: a 401 on the session probe before login and the given statuses are expected. */
function unexpected(p: WebPage, ...allowed: RegExp[]): string[] {
  return [...p.errors, ...p.httpErrors.filter((e) => !/^401 GET \S+\/api\/v1\/session$/.test(e) && !allowed.some((a) => a.test(e)))];
}

/** Opens a page through the navigation (the app's router; a reload of the path needs the server's page list). */
async function openFromNav(page: Page, link: RegExp | string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** The nav badge's number (0 when hidden). */
async function unreadBadge(page: Page): Promise<number> {
  const text = (await page.locator('#unread-count').textContent()) ?? '';
  const m = /(\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** A loopback receiver: records each POST; answers `status` (changeable). */
class Receiver {
  readonly posts: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
  status = 204;
  #server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      this.posts.push({ headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(this.status).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

let counter = 100;
const now = () => new Date().toISOString();

describe('notification centre and webhooks in a real browser', { skip: browserSkipReason() }, () => {
  let w: WebWorld;
  let dispatcher: WebhookDispatcher;
  before(async () => {
    w = await startWebWorld({ watch: { pollMs: 100 } });
    // One attempt only, so that a failing receiver makes a dead delivery at once (the replay scenario).
    dispatcher = new WebhookDispatcher(w.store, { pollMs: 150, maxAttempts: 1, timeoutMs: 3000 });
    dispatcher.start();
  });
  after(async () => {
    await dispatcher?.stop();
    await w?.close();
  });

  it("a supplier's centre shows another user's security-relevant request on its meter as it is stored, the badge counts it, and another party's traffic never appears", async () => {
    const p = await w.newPage();
    const { page } = p;
    await loginThroughForm(page, w.base, 'supa-viewer');
    await openFromNav(page, /^Notifications/, 'Notifications');
    await page.locator('#feed-status', { hasText: 'Live' }).waitFor();
    assert.equal(await unreadBadge(page), 0);
    assert.match(await page.locator('main').innerText(), /No events yet/);
    await assertAccessible(page, 'notifications (empty)');

    // SUPB's meter first (SUPA may not see it), then SUPA's: the feed is in commit order, so once the second is
    // shown the first was judged too.
    const [hidden] = await ingest(w.store, [[f.request(f.reqId(USER.other, f.GSME, counter++), '7.2', { bodyElement: 'DisableSupply' }), now()]]);
    const [own] = await ingest(w.store, [[f.request(f.reqId(USER.supa, f.ESME, counter++), '7.2', { bodyElement: 'DisableSupply' }), now()]]);
    const [visible] = await ingest(w.store, [[f.request(f.reqId(USER.other, f.ESME, counter++), '7.2', { bodyElement: 'DisableSupply' }), now()]]);
    const row = page.locator('#events tbody tr', { hasText: `Open #${visible}` });
    await row.waitFor({ timeout: 10_000 });
    for (const badge of ['new', 'critical', 'security', 'other user']) assert.equal(await row.getByText(badge, { exact: true }).count(), 1, badge);
    assert.equal(await row.getByRole('link', { name: f.ESME }).getAttribute('href'), `/devices/${f.ESME}`);
    assert.equal(await row.getByRole('link', { name: `Open #${visible}` }).getAttribute('href'), `/messages/${visible}`);
    assert.equal(await page.getByText(`Open #${hidden}`).count(), 0, "SUPB's meter never appears");
    assert.equal(await page.getByText(`Open #${own}`).count(), 0, "SUPA's own request is filtered out (othersOnly)");
    assert.equal(await unreadBadge(page), 1, 'the badge counts the event received since the centre was opened');
    assert.match((await page.locator('#unread-count').textContent()) ?? '', /1 unread/);
    await page.waitForFunction(() => /New event: request 7\.2/.test((globalThis as any).document.getElementById('live-announcer')?.textContent ?? ''));
    await assertAccessible(page, 'notifications (an event)');
    await screenshot(page, 'portal-notifications-supplier');

    // Away from the centre the badge keeps counting; opening it again reads them.
    await openFromNav(page, 'Search', 'Search messages');
    const [second] = await ingest(w.store, [[f.request(f.reqId(USER.other, f.ESME, counter++), '7.2', { bodyElement: 'DisableSupply' }), now()]]);
    await page.waitForFunction(() => /2 unread/.test((globalThis as any).document.getElementById('unread-count')?.textContent ?? ''));
    await openFromNav(page, /^Notifications/, 'Notifications');
    assert.equal(await unreadBadge(page), 0);
    assert.equal(await page.locator('#events tbody tr').count(), 2);
    assert.equal(await page.locator('#events tbody tr').first().getAttribute('data-seq') !== null, true);
    assert.match(await page.locator('#events tbody tr').first().innerText(), new RegExp(`Open #${second}`), 'newest first');

    // Widening the filters (everything the party may see) reconnects; the own request then shows when stored.
    await page.getByLabel("Only other users' traffic").uncheck();
    await page.getByLabel('Only security-relevant SRVs').uncheck();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('#feed-status', { hasText: 'Live' }).waitFor();
    const [ownRead] = await ingest(w.store, [[f.request(f.reqId(USER.supa, f.ESME, counter++), '4.1.1'), now()]]);
    await page.locator('#events tbody tr', { hasText: `Open #${ownRead}` }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByText(`Open #${hidden}`).count(), 0);

    // Logging out closes the feed: no more events (and no errors from the closed stream).
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await page.locator('#unread-count').count(), 0);
    assert.deepEqual(unexpected(p), []);
  });

  it('a webhook to a loopback receiver: create it, send a test event, see it delivered in the log; replay a dead delivery; delete it', async () => {
    const receiver = new Receiver();
    const url = await receiver.start();
    try {
      const p = await w.newPage();
      const { page } = p;
      await loginThroughForm(page, w.base, 'supa-admin');
      await openFromNav(page, 'Webhooks', 'Webhooks');
      assert.match(await page.locator('main').innerText(), /No webhooks yet/);
      await page.getByLabel('URL').fill(url);
      await page.getByRole('button', { name: 'Generate' }).click();
      const secret = await page.getByLabel('Signing secret').inputValue();
      assert.match(secret, /^[0-9a-f]{64}$/);
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const row = page.locator('tbody tr', { hasText: url });
      await row.waitFor();
      assert.match(await row.innerText(), /other users' security-relevant messages/);
      await assertAccessible(page, 'webhooks');

      await row.getByRole('button', { name: 'Send test event' }).click();
      await page.locator('#subscription-status', { hasText: 'Test event delivered (HTTP 204)' }).waitFor({ timeout: 15_000 });
      assert.equal(receiver.posts.length, 1);
      assert.equal(receiver.posts[0]!.body.test, true);
      assert.match(String(receiver.posts[0]!.headers['x-srvv-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
      await screenshot(page, 'portal-webhooks');

      // The delivery log: the test event, delivered.
      await row.getByRole('link', { name: /Delivery log/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhook delivery log' }).waitFor();
      const test = page.locator('#deliveries tbody tr', { hasText: 'test event' });
      await test.waitFor();
      assert.match(await test.innerText(), /delivered/);
      assert.match(await test.innerText(), /HTTP 204/);

      // A failing receiver: the next message's delivery dies (one attempt in this world), then is replayed.
      receiver.status = 500;
      const [visible] = await ingest(w.store, [[f.request(f.reqId(USER.other, f.ESME, counter++), '7.2', { bodyElement: 'DisableSupply' }), now()]]);
      await page.getByRole('link', { name: 'Dead' }).click();
      await page.getByRole('heading', { name: 'Dead deliveries' }).waitFor();
      const dead = page.locator('#deliveries tbody tr', { hasText: `Message #${visible}` });
      for (let i = 0; i < 50 && (await dead.count()) === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        await page.getByRole('button', { name: 'Refresh' }).click();
      }
      await dead.waitFor();
      assert.match(await dead.innerText(), /HTTP 500/);
      assert.equal(await dead.getByRole('link', { name: `Message #${visible}` }).getAttribute('href'), `/messages/${visible}`);
      await assertAccessible(page, 'delivery log');
      await screenshot(page, 'portal-webhook-deliveries-dead');
      receiver.status = 204;
      await dead.getByRole('button', { name: /Replay/ }).click();
      await page.locator('#delivery-status', { hasText: 'pending again' }).waitFor();
      await page.getByRole('link', { name: 'Delivered' }).click();
      await page.getByRole('heading', { name: 'Delivered deliveries' }).waitFor();
      const delivered = page.locator('#deliveries tbody tr', { hasText: `Message #${visible}` });
      for (let i = 0; i < 50 && (await delivered.count()) === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        await page.getByRole('button', { name: 'Refresh' }).click();
      }
      await delivered.waitFor();
      assert.ok(receiver.posts.some((r) => r.body.message?.id === visible), 'the receiver got the message');
      await screenshot(page, 'portal-webhook-deliveries');

      // Delete, confirmed.
      await page.getByRole('link', { name: 'All webhooks' }).click();
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
      page.once('dialog', (d) => void d.accept());
      await page.locator('tbody tr', { hasText: url }).getByRole('button', { name: 'Delete' }).click();
      await page.locator('#subscription-status', { hasText: 'Deleted' }).waitFor();
      assert.match(await page.locator('main').innerText(), /No webhooks yet/);
      assert.deepEqual(unexpected(p), []);
    } finally {
      await receiver.close();
    }
  });
});
