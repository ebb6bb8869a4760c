import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { DuisMessage } from '../../src/duis/duis-message.js';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { createStoreDialect } from '../../src/store/open-store.js';
import { WebhookDispatcher, type WebhookDispatcherOptions } from '../../src/subscriptions/webhook-dispatcher.js';
import { BACKENDS, postgresTarget } from '../store-suite/backends.js';
import * as f from '../store-suite/fixtures.js';
import { call, login, startApiWorld, USER, type ApiWorld } from './api-world.js';

/*
 * Webhook subscriptions over a real server, a real dispatcher and real HTTP receivers on 127.0.0.1.
 */

const SECRET = 'a-long-enough-webhook-secret';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  signatureOk: boolean;
}

type Behaviour = (n: number) => number | 'hang';

/** A webhook receiver: records every POST, checks its signature, answers as `behaviour` says for the n-th (from 1). */
class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = () => 200;
  readonly #server: http.Server;
  readonly #hanging: http.ServerResponse[] = [];
  url = '';

  private constructor() {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const signature = String(req.headers['x-srvv-signature'] ?? '');
        const m = /^t=([0-9]+),v1=([0-9a-f]{64})$/.exec(signature);
        let signatureOk = false;
        if (m) {
          const expected = createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest();
          signatureOk = timingSafeEqual(expected, Buffer.from(m[2]!, 'hex')) && Math.abs(Date.now() / 1000 - Number(m[1])) <= 300;
        }
        this.received.push({ headers: req.headers, body, json: JSON.parse(body), signatureOk });
        const answer = this.behaviour(this.received.length);
        if (answer === 'hang') this.#hanging.push(res);
        else res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      });
    });
  }

  static async start(path = '/hook'): Promise<Receiver> {
    const r = new Receiver();
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.#server.address() as AddressInfo).port}${path}`;
    return r;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function waitFor(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let counter = 5000;
function req(from: string, device: string, srv: string): DuisMessage {
  return f.request(f.reqId(from, device, counter++), srv, { bodyElement: 'X' });
}
async function ingest(store: KyselyMessageStore, ...messages: DuisMessage[]): Promise<string[]> {
  return (await store.ingest(f.batchOf(messages.map((message) => ({ message, receivedAt: f.T0 + counter++ }))))).map((o) => o.id);
}

const FAST: WebhookDispatcherOptions = { pollMs: 30, timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 60, stopGraceMs: 200 };
const EVERYTHING = { othersOnly: false, securityRelevant: false };

for (const backend of BACKENDS) {
  describe(`webhook subscriptions (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let w: ApiWorld;
    const dispatchers: WebhookDispatcher[] = [];
    const receivers: Receiver[] = [];
    const dispatcher = (options: WebhookDispatcherOptions = {}) => {
      const d = new WebhookDispatcher(store, { ...FAST, ...options });
      dispatchers.push(d);
      d.start();
      return d;
    };
    const receiver = async () => {
      const r = await Receiver.start();
      receivers.push(r);
      return r;
    };
    const subscribe = async (token: string, url: string, filters?: Record<string, unknown>) => {
      const res = await call(w.base, '/api/v1/subscriptions', { token, method: 'POST', json: { url, secret: SECRET, ...(filters ? { filters } : {}) } });
      assert.equal(res.status, 201, res.text);
      return res.body as { id: string };
    };
    const deliveries = async (token: string, id: string, status?: string) => {
      const res = await call(w.base, `/api/v1/subscriptions/${id}/deliveries${status ? `?status=${status}` : ''}`, { token });
      assert.equal(res.status, 200, res.text);
      return res.body.items as any[];
    };

    before(async () => {
      store = await backend.open();
      await backend.clear(store);
      w = await startApiWorld(store, { rateLimit: false });
    });
    afterEach(async () => {
      for (const d of dispatchers.splice(0)) await d.stop();
      for (const r of receivers.splice(0)) await r.close();
      // Each test starts with no live subscription.
      await store.db.updateTable('subscriptions').set({ deleted_at: Date.now() }).where('deleted_at', 'is', null).execute();
    });
    after(async () => {
      await w?.close();
      if (store) await backend.destroy(store);
    });

    it('creates, lists, reads and deletes, scoped to the party, with precise validation errors', async () => {
      const t = w.tokens.supaRead;
      const post = (json: unknown, token = t) => call(w.base, '/api/v1/subscriptions', { token, method: 'POST', json });
      const invalid = async (json: unknown, pattern: RegExp) => {
        const res = await post(json);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'API_INVALID_PARAMETER');
        assert.match(res.body.detail, pattern);
      };
      await invalid({ secret: SECRET }, /url/);
      await invalid({ url: 'http://example.com/hook', secret: SECRET }, /url: must use https:\/\//);
      await invalid({ url: 'http://10.0.0.1/hook', secret: SECRET }, /loopback/);
      await invalid({ url: 'ftp://example.com/hook', secret: SECRET }, /https/);
      await invalid({ url: 'https://user:pw@example.com/hook', secret: SECRET }, /credentials/);
      await invalid({ url: 'not a url', secret: SECRET }, /absolute URL/);
      await invalid({ url: 'https://example.com/hook', secret: 'short' }, /secret/);
      await invalid({ url: 'https://example.com/hook', secret: 'x'.repeat(257) }, /secret/);
      await invalid({ url: 'https://example.com/hook', secret: SECRET, filters: { nope: 1 } }, /filters/);
      await invalid({ url: 'https://example.com/hook', secret: SECRET, filters: { from: 'yesterday' } }, /filters\/from/);
      await invalid({ url: 'https://example.com/hook', secret: SECRET, filters: { from: '2026-03-02T10:00:00Z', to: '2026-03-02T09:00:00Z' } }, /filters: from .* must be before to/);
      await invalid({ url: 'https://example.com/hook', secret: SECRET, filters: { srv: 'x' } }, /filters\/srv/);
      await invalid({ url: 'https://example.com/hook', secret: SECRET, extra: true }, /extra|additional/);
      assert.equal((await post({ url: 'https://example.com/hook', secret: SECRET }, w.tokens.ingest)).status, 403);
      assert.equal((await call(w.base, '/api/v1/subscriptions')).status, 401);

      const created = await post({ url: 'https://hooks.example.com/srvv', secret: SECRET });
      assert.equal(created.status, 201);
      assert.match(created.body.id, /^sub_[0-9a-f]{24}$/);
      assert.equal(created.body.partyId, 'SUPA');
      assert.deepEqual(created.body.filters, { othersOnly: true, securityRelevant: true }, 'the /watch default');
      assert.equal(created.body.active, true);
      assert.equal(created.body.createdBy.kind, 'token');
      assert.ok(!created.text.includes(SECRET), 'the secret is never returned');
      const local = await post({ url: 'http://localhost:9/x', secret: SECRET, filters: { srv: '7.2' } });
      assert.equal(local.status, 201, local.text);
      assert.deepEqual(local.body.filters, { srv: '7.2' }, 'given filters replace the default');
      assert.equal((await post({ url: 'http://[::1]:9/x', secret: SECRET })).status, 201);

      const listed = await call(w.base, '/api/v1/subscriptions', { token: t });
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items.map((s: any) => s.id).sort(), [created.body.id, local.body.id, listed.body.items[2].id].sort());
      assert.ok(!listed.text.includes(SECRET));
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { token: t })).body.url, 'https://hooks.example.com/srvv');
      // Another party: 404 for everything, and its list is its own.
      const other = { token: w.tokens.supbRead };
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, other)).status, 404);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { ...other, method: 'DELETE' })).status, 404);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}/deliveries`, other)).status, 404);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}/test`, { ...other, method: 'POST' })).status, 404);
      assert.deepEqual((await call(w.base, '/api/v1/subscriptions', other)).body.items, []);
      assert.equal((await call(w.base, '/api/v1/subscriptions/sub_nope', { token: t })).status, 400);
      // A portal session of the same party sees it, and must send its CSRF token to change anything.
      const session = await login(w.base, 'supa-viewer');
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { cookie: session.cookie })).status, 200);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { cookie: session.cookie, method: 'DELETE' })).status, 403);
      const deleted = await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { cookie: session.cookie, csrf: session.csrf, method: 'DELETE' });
      assert.equal(deleted.status, 204);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { token: t })).status, 404);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${created.body.id}`, { token: t, method: 'DELETE' })).status, 404);
    });

    it('delivers signed /messages items of visible matching messages only, and audits every delivery', async () => {
      const supaHook = await receiver();
      const supbHook = await receiver();
      const supa = await subscribe(w.tokens.supaRead, supaHook.url);
      const supb = await subscribe(w.tokens.supbRead, supbHook.url, EVERYTHING);
      dispatcher();
      const [credentials, ownDisable, otherRead, gasCredentials, supbRead] = await ingest(
        store,
        req(USER.other, f.ESME, '6.15.1'), // SUPA: other's, security relevant -> delivered
        req(USER.supa, f.ESME, '7.2'), // SUPA's own -> not by default
        req(USER.other, f.ESME, '4.1.1'), // not security relevant
        req(USER.other, f.GSME, '6.15.1'), // SUPB's device: never SUPA's
        req(USER.supb, f.GSME, '4.1.1'), // SUPB's own
      );
      await waitFor(() => supaHook.received.length >= 1 && supbHook.received.length >= 2, 'deliveries');
      await new Promise((r) => setTimeout(r, 200)); // any wrong extra delivery
      assert.deepEqual(supaHook.received.map((r) => r.json.message.id), [credentials]);
      assert.deepEqual(supbHook.received.map((r) => r.json.message.id), [gasCredentials, supbRead]);
      for (const r of supaHook.received) for (const id of [ownDisable, otherRead, gasCredentials, supbRead]) assert.notEqual(r.json.message.id, id);

      const got = supaHook.received[0]!;
      assert.equal(got.signatureOk, true, 'X-Srvv-Signature verifies with the secret');
      assert.equal(got.headers['content-type'], 'application/json');
      assert.equal(got.headers['user-agent'], 'srv-visibility');
      assert.match(got.json.deliveryId, /^dlv_[0-9a-f]{32}$/);
      assert.equal(got.headers['x-srvv-delivery'], got.json.deliveryId);
      assert.equal(got.json.subscriptionId, supa.id);
      assert.deepEqual(Object.keys(got.json).sort(), ['deliveryId', 'message', 'subscriptionId']);
      // The item is exactly the /messages item.
      const listed = await call(w.base, `/api/v1/messages?requestId=${encodeURIComponent(got.json.message.requestId)}`, { token: w.tokens.supaRead });
      assert.deepEqual(got.json.message, listed.body.items.find((i: any) => i.id === credentials));
      assert.equal(got.json.message.own, false);
      assert.equal(got.json.message.originatorRole, 'OU');

      await waitFor(async () => (await deliveries(w.tokens.supaRead, supa.id, 'delivered')).length === 1, 'delivered status');
      const [d] = await deliveries(w.tokens.supaRead, supa.id);
      assert.equal(d.id, got.json.deliveryId);
      assert.equal(d.messageId, credentials);
      assert.equal(d.attempts, 1);
      assert.equal(d.lastStatus, 200);
      assert.equal(d.test, false);

      // The access audit: the subscription's creator (SUPA's token) as actor, the message ids and delivery ids.
      const tokenId = w.tokens.supaRead.split('_')[1]!;
      const entries = (await store.audit.list({ actor: tokenId, action: 'watch', limit: 100 })).items;
      const delivery = entries.find((e) => e.subject.webhook === 'delivery' && e.subject.subscriptionId === supa.id);
      assert.ok(delivery, JSON.stringify(entries.map((e) => e.subject)));
      assert.deepEqual(delivery.subject.ids, [credentials]);
      assert.deepEqual(delivery.subject.deliveryIds, [got.json.deliveryId]);
      assert.equal(delivery.rows, 1);
      assert.equal(delivery.actor.partyId, 'SUPA');
      assert.ok(entries.some((e) => e.subject.webhook === 'subscribe' && e.subject.subscriptionId === supa.id));
      assert.equal((await store.audit.verify()).ok, true);
    });

    it('retries with the same deliveryId until the receiver accepts', async () => {
      const hook = await receiver();
      hook.behaviour = (n) => (n <= 2 ? 500 : 200);
      const sub = await subscribe(w.tokens.supaRead, hook.url, EVERYTHING);
      dispatcher({ maxAttempts: 5 });
      const [id] = await ingest(store, req(USER.other, f.ESME, '7.2'));
      await waitFor(() => hook.received.length >= 3, 'the third attempt');
      await waitFor(async () => (await deliveries(w.tokens.supaRead, sub.id, 'delivered')).length === 1, 'delivered');
      assert.equal(hook.received.length, 3);
      assert.equal(new Set(hook.received.map((r) => r.json.deliveryId)).size, 1, 'one idempotency key across attempts');
      assert.ok(hook.received.every((r) => r.json.message.id === id && r.signatureOk));
      const [d] = await deliveries(w.tokens.supaRead, sub.id);
      assert.equal(d.attempts, 3);
      assert.equal(d.status, 'delivered');
    });

    it('parks a delivery as dead after maxAttempts, lists it under status=dead, and replays it', async () => {
      const hook = await receiver();
      hook.behaviour = () => 503;
      const sub = await subscribe(w.tokens.supaRead, hook.url, EVERYTHING);
      dispatcher({ maxAttempts: 3 });
      await ingest(store, req(USER.other, f.ESME, '7.2'));
      await waitFor(async () => (await deliveries(w.tokens.supaRead, sub.id, 'dead')).length === 1, 'dead');
      assert.equal(hook.received.length, 3);
      const [dead] = await deliveries(w.tokens.supaRead, sub.id, 'dead');
      assert.equal(dead.attempts, 3);
      assert.equal(dead.lastStatus, 503);
      assert.equal(dead.lastError, 'HTTP 503');
      assert.equal(dead.nextAttemptAt, null);
      assert.deepEqual(await deliveries(w.tokens.supaRead, sub.id, 'pending'), []);
      // Operations see the dead-letter list grow (deployment.md, "Metrics").
      const metrics = await (await fetch(`${w.base}/metrics`)).text();
      assert.match(metrics, /^srvv_webhook_deliveries\{status="dead"\} 1$/m);
      assert.match(metrics, /^srvv_webhook_deliveries\{status="pending"\} 0$/m);
      // Another party cannot replay it.
      const replayPath = `/api/v1/subscriptions/${sub.id}/deliveries/${dead.id}/replay`;
      assert.equal((await call(w.base, replayPath, { token: w.tokens.supbRead, method: 'POST' })).status, 404);
      assert.equal((await call(w.base, `/api/v1/subscriptions/${sub.id}/deliveries/dlv_${'0'.repeat(32)}/replay`, { token: w.tokens.supaRead, method: 'POST' })).status, 404);

      hook.behaviour = () => 204;
      const replayed = await call(w.base, replayPath, { token: w.tokens.supaRead, method: 'POST' });
      assert.equal(replayed.status, 200, replayed.text);
      assert.equal(replayed.body.status, 'pending');
      assert.equal(replayed.body.attempts, 0);
      await waitFor(async () => (await deliveries(w.tokens.supaRead, sub.id, 'delivered')).length === 1, 'delivered after the replay');
      assert.equal(hook.received.length, 4);
      assert.equal(hook.received[3]!.json.deliveryId, dead.id);
      assert.deepEqual(await deliveries(w.tokens.supaRead, sub.id, 'dead'), []);
    });

    it('sends a signed test event', async () => {
      const hook = await receiver();
      const sub = await subscribe(w.tokens.supaRead, hook.url);
      dispatcher();
      const queued = await call(w.base, `/api/v1/subscriptions/${sub.id}/test`, { token: w.tokens.supaRead, method: 'POST' });
      assert.equal(queued.status, 202, queued.text);
      assert.equal(queued.body.test, true);
      await waitFor(() => hook.received.length === 1, 'the test event');
      assert.deepEqual(hook.received[0]!.json, { deliveryId: queued.body.id, subscriptionId: sub.id, test: true });
      assert.equal(hook.received[0]!.signatureOk, true);
    });

    it('survives a restart: an abandoned in-flight POST and a pending retry are completed by a new dispatcher', async () => {
      const hook = await receiver();
      hook.behaviour = (n) => (n === 1 ? 'hang' : n === 2 ? 500 : 200);
      const sub = await subscribe(w.tokens.supaRead, hook.url, EVERYTHING);
      const first = dispatcher({ timeoutMs: 30_000, baseDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 5 });
      await ingest(store, req(USER.other, f.ESME, '7.2'));
      await waitFor(() => hook.received.length === 1, 'the first POST');
      const stopping = Date.now();
      await first.stop();
      assert.ok(Date.now() - stopping < 5000, 'stop abandons a hanging POST after its grace period');
      let [d] = await deliveries(w.tokens.supaRead, sub.id);
      assert.equal(d.status, 'pending');
      assert.equal(d.attempts, 0, 'an abandoned attempt is given back, not counted');

      // A second "process": fails once and schedules a retry a minute away, then stops.
      const second = dispatcher({ baseDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 5 });
      await waitFor(() => hook.received.length === 2, 'the second attempt');
      await waitFor(async () => (await deliveries(w.tokens.supaRead, sub.id))[0].lastStatus === 500, 'the failure recorded');
      await second.stop();
      [d] = await deliveries(w.tokens.supaRead, sub.id);
      assert.equal(d.status, 'pending');
      assert.equal(d.attempts, 1);
      // Time passes (the retry falls due), and a third process completes it with the same deliveryId.
      await store.db.updateTable('webhook_deliveries').set({ next_attempt_at: Date.now() }).where('id', '=', d.id).execute();
      dispatcher();
      await waitFor(async () => (await deliveries(w.tokens.supaRead, sub.id, 'delivered')).length === 1, 'delivered after the restart');
      assert.equal(hook.received.length, 3);
      assert.equal(new Set(hook.received.map((r) => r.json.deliveryId)).size, 1);
    });

    it('never blocks ingestion: messages are stored promptly while a POST hangs', async () => {
      const hook = await receiver();
      hook.behaviour = () => 'hang';
      await subscribe(w.tokens.supaRead, hook.url, EVERYTHING);
      dispatcher({ timeoutMs: 30_000, concurrency: 2 });
      await ingest(store, req(USER.other, f.ESME, '7.2'), req(USER.other, f.ESME, '7.2'));
      await waitFor(() => hook.received.length === 2, 'two stuck POSTs');
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const [id] = await ingest(store, req(USER.other, f.ESME, '6.15.1'));
        assert.ok(id);
        assert.ok(Date.now() - started < 1000, `ingest ${i} took ${Date.now() - started} ms`);
      }
      const listed = await call(w.base, '/api/v1/messages?limit=1', { token: w.tokens.supaRead });
      assert.equal(listed.status, 200);
    });

    it('sends each delivery once with two dispatchers (processes) sharing the outbox', async () => {
      const hook = await receiver();
      const sub = await subscribe(w.tokens.supaRead, hook.url, EVERYTHING);
      // On PostgreSQL the second dispatcher has its own store (connection pool), as another process would.
      const pg = postgresTarget();
      const second = store.backend === 'postgres' && pg ? await KyselyMessageStore.open(await createStoreDialect(pg.url, { schema: pg.schema, poolSize: 2 })) : store;
      try {
        dispatcher({ concurrency: 3 });
        const other = new WebhookDispatcher(second, { ...FAST, concurrency: 3 });
        dispatchers.push(other);
        other.start();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(...(await ingest(store, ...Array.from({ length: 6 }, () => req(USER.other, f.ESME, '7.2')))));
        await waitFor(async () => (await deliveries(w.tokens.supaRead, sub.id, 'delivered')).length === ids.length, 'every delivery');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(hook.received.length, ids.length, 'no attempt sent twice');
        assert.deepEqual(hook.received.map((r) => r.json.message.id).sort(), [...ids].sort(), 'one delivery per message');
        await other.stop();
      } finally {
        if (second !== store) await second.close();
      }
    });

    it('stops the subscriptions of a revoked token', async () => {
      const hook = await receiver();
      const created = await store.accounts.createToken({ name: `hooks-${counter++}`, scope: 'read', partyId: 'SUPA' });
      const sub = await subscribe(created.token, hook.url, EVERYTHING);
      await store.accounts.revokeToken(created.id);
      dispatcher();
      await ingest(store, req(USER.other, f.ESME, '7.2'));
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(hook.received.length, 0);
      const listed = (await call(w.base, '/api/v1/subscriptions', { token: w.tokens.supaRead })).body.items;
      assert.equal(listed.find((s: any) => s.id === sub.id).active, false);
    });
  });
}
