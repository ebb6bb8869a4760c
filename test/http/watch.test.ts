import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import type { DuisMessage } from '../../src/duis/duis-message.js';
import { buildApp } from '../../src/http/build-app.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import * as f from '../store-suite/fixtures.js';
import { call, login, startApiWorld, USER, type ApiWorld } from './api-world.js';

/*
 * GET /api/v1/watch over a real listening server, parsed as Server-Sent Events from the raw socket stream.
 */

interface SseBlock {
  comments: string[];
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

/** A minimal SSE client: records every block; `lastEventId` follows the spec (the last `id:` seen, events or not). */
class SseClient {
  readonly blocks: SseBlock[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  body = '';
  ended = false;
  #buffer = '';
  #req: http.ClientRequest | undefined;
  #res: http.IncomingMessage | undefined;
  #waiters: Array<() => void> = [];

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const c = new SseClient();
    await new Promise<void>((resolve, reject) => {
      c.#req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        c.#res = res;
        c.status = res.statusCode ?? 0;
        c.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.#take(chunk));
        res.on('end', () => c.#finish());
        res.on('close', () => c.#finish());
        res.on('error', () => c.#finish());
        if (c.status !== 200) res.on('end', () => resolve());
        else resolve();
      });
      c.#req.on('error', (err) => (c.status ? c.#finish() : reject(err)));
    });
    if (c.status !== 200) await c.waitFor(() => c.ended);
    return c;
  }

  get messages(): Array<{ id: string; item: any }> {
    return this.blocks.filter((b) => b.event === 'message').map((b) => ({ id: b.id!, item: JSON.parse(b.data!) }));
  }

  get lastEventId(): string | undefined {
    return this.blocks.filter((b) => b.id !== undefined).at(-1)?.id;
  }

  async waitFor(done: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; blocks: ${JSON.stringify(this.blocks).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Stops reading: the socket's buffers fill and the server sees backpressure. */
  pause(): void {
    this.#res?.pause();
  }

  close(): void {
    this.#req?.destroy();
    this.#finish();
  }

  #take(chunk: string): void {
    if (this.status !== 200) {
      this.body += chunk;
      return;
    }
    this.#buffer += chunk;
    let at: number;
    while ((at = this.#buffer.indexOf('\n\n')) >= 0) {
      const text = this.#buffer.slice(0, at);
      this.#buffer = this.#buffer.slice(at + 2);
      const block: SseBlock = { comments: [] };
      for (const line of text.split('\n')) {
        if (line.startsWith(':')) block.comments.push(line.slice(1).trim());
        else {
          const colon = line.indexOf(':');
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id' || field === 'event' || field === 'data' || field === 'retry') block[field] = value;
        }
      }
      this.blocks.push(block);
    }
    this.#wake();
  }

  #finish(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

const EVERYTHING = 'othersOnly=false&securityRelevant=false';
let counter = 1000;

function input(message: DuisMessage) {
  return { message, receivedAt: f.T0 + counter };
}
/** A request from `from` to `device`, unique by counter. */
function req(from: string, device: string, srv: string): DuisMessage {
  return f.request(f.reqId(from, device, counter++), srv, { bodyElement: 'X' });
}
async function ingest(store: KyselyMessageStore, ...messages: DuisMessage[]): Promise<string[]> {
  return (await store.ingest(f.batchOf(messages.map(input)))).map((o) => o.id);
}

for (const backend of BACKENDS) {
  describe(`GET /api/v1/watch (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let w: ApiWorld;
    const clients: SseClient[] = [];
    const watch = async (query: string, headers: Record<string, string>) => {
      const c = await SseClient.open(`${w.base}/api/v1/watch${query ? `?${query}` : ''}`, headers);
      clients.push(c);
      return c;
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    before(async () => {
      store = await backend.open();
      await backend.clear(store);
      w = await startApiWorld(store, { rateLimit: false, watch: { pollMs: 50, heartbeatMs: 300, maxConnectionsPerPrincipal: 3 } });
    });
    afterEach(() => {
      // A failed test must not leave watches open that count against the next one's cap.
      for (const c of clients) c.close();
    });
    after(async () => {
      await w?.close();
      if (store) await backend.destroy(store);
    });

    it('refuses without credentials, and with a Last-Event-ID ahead of the feed', async () => {
      const anonymous = await call(w.base, '/api/v1/watch');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.error, 'AUTH_REQUIRED');
      const ingestToken = await call(w.base, '/api/v1/watch', { token: w.tokens.ingest });
      assert.equal(ingestToken.status, 403);
      const ahead = await call(w.base, '/api/v1/watch', { token: w.tokens.supaRead, headers: { 'last-event-id': '999999' } });
      assert.equal(ahead.status, 400);
      assert.equal(ahead.body.error, 'API_INVALID_PARAMETER');
      const bad = await call(w.base, '/api/v1/watch?lastEventId=abc', { token: w.tokens.supaRead });
      assert.equal(bad.status, 400);
      const unknown = await call(w.base, '/api/v1/watch?nope=1', { token: w.tokens.supaRead });
      assert.equal(unknown.status, 400);
    });

    it("by default streams other users' security-relevant traffic the caller may see, and never what it may not", async () => {
      const supa = await watch('', bearer(w.tokens.supaRead));
      assert.equal(supa.status, 200);
      assert.match(String(supa.headers['content-type']), /^text\/event-stream/);
      assert.equal(supa.headers['x-content-type-options'], 'nosniff', "helmet's headers are kept");
      assert.equal(supa.headers['cache-control'], 'no-store');
      const supb = await watch(EVERYTHING, bearer(w.tokens.supbRead));
      const dno = await watch('', bearer(w.tokens.dnoRead));
      await supa.waitFor(() => supa.lastEventId !== undefined, 5000, 'the opening block');
      assert.equal(supa.blocks[0]!.retry, '2000');
      assert.equal(supa.lastEventId, String(await store.feedHead()), 'the stream starts at the head: old messages are not replayed');

      const [credentials, ownDisable, otherRead, gasCredentials, supbRead] = await ingest(
        store,
        req(USER.other, f.ESME, '6.15.1'), // SUPA: other's, security relevant -> delivered
        req(USER.supa, f.ESME, '7.2'), // SUPA's own -> not by default
        req(USER.other, f.ESME, '4.1.1'), // other's read -> not security relevant
        req(USER.other, f.GSME, '6.15.1'), // SUPB's device: invisible to SUPA and DNO
        req(USER.supb, f.GSME, '4.1.1'), // SUPB's own
      );
      await supa.waitFor(() => supa.messages.length >= 1, 5000, "SUPA's event");
      await supb.waitFor(() => supb.messages.length >= 2, 5000, "SUPB's events");
      await dno.waitFor(() => dno.messages.length >= 1, 5000, "DNO's event");
      // Let any wrong extra event arrive before judging.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(supa.messages.map((m) => m.item.id), [credentials]);
      const event = supa.messages[0]!;
      assert.equal(event.item.srv, '6.15.1');
      assert.equal(event.item.securityRelevant, true);
      assert.equal(event.item.own, false);
      assert.equal(event.item.originatorRole, 'OU');
      assert.deepEqual(Object.keys(event.item).sort(), [
        'alertCode', 'commandVariant', 'critical', 'deviceIds', 'id', 'kind', 'originatorId', 'originatorRole', 'own', 'receivedAt', 'requestId',
        'responseCode', 'responseId', 'securityRelevant', 'srv', 'srvName', 'targetId', 'time',
      ]);
      assert.match(event.id, /^[0-9]+$/);
      // SUPB (Gas Supplier of the GSME) asks for everything it may see: the GSME's traffic, none of the ESME's.
      assert.deepEqual(supb.messages.map((m) => m.item.id), [gasCredentials, supbRead]);
      // DNO holds the ESME's certificate: OTHER's security-relevant request, and SUPA's (another user's for DNO).
      assert.deepEqual(dno.messages.map((m) => m.item.id), [credentials, ownDisable]);
      for (const c of [supa, dno]) for (const m of c.messages) assert.notEqual(m.item.id, gasCredentials, "the GSME's traffic is not theirs");
      assert.ok(!supa.messages.some((m) => m.item.id === otherRead || m.item.id === ownDisable));
      for (const c of [supa, supb, dno]) c.close();
    });

    it('filters like /messages, and /messages takes the new flags too', async () => {
      const critical = await watch(`othersOnly=false&securityRelevant=false&critical=true&kind=request&deviceId=${f.ESME}`, bearer(w.tokens.supaRead));
      await critical.waitFor(() => critical.lastEventId !== undefined);
      const [, disable] = await ingest(store, req(USER.other, f.ESME, '11.1'), req(USER.supa, f.ESME, '7.2'));
      await critical.waitFor(() => critical.messages.length >= 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(critical.messages.map((m) => m.item.id), [disable], '11.1 is security relevant but not critical');
      critical.close();
      const listed = await call(w.base, '/api/v1/messages?securityRelevant=true&critical=false&othersOnly=true', { token: w.tokens.supaRead });
      assert.equal(listed.status, 200);
      assert.ok(listed.body.items.length > 0);
      for (const item of listed.body.items) assert.equal(item.securityRelevant, true);
    });

    it('resumes from Last-Event-ID with exactly the missed events, across concurrent ingests', async () => {
      // The control: the same party through a portal session, connected throughout.
      const control = await watch(EVERYTHING, { cookie: (await login(w.base, 'supa-admin')).cookie });
      let resumer = await watch(EVERYTHING, bearer(w.tokens.supaRead));
      await resumer.waitFor(() => resumer.lastEventId !== undefined);
      await control.waitFor(() => control.lastEventId !== undefined);
      const seen: Array<{ id: string; item: any }> = [];
      const burst = () =>
        Promise.all(
          Array.from({ length: 4 }, (_, k) =>
            ingest(store, req(k % 2 ? USER.other : USER.supa, f.ESME, '4.1.1'), req(USER.other, f.ESME, '7.2'), req(USER.other, f.GSME, '7.2')),
          ),
        );
      await burst();
      await resumer.waitFor(() => resumer.messages.length >= 8, 10_000, 'the first burst');
      seen.push(...resumer.messages);
      const lastId = resumer.lastEventId!;
      resumer.close();
      await burst(); // missed while disconnected
      const during = await burst();
      assert.equal(during.length, 4);
      // Resume with the header, as EventSource does.
      resumer = await watch(EVERYTHING, { ...bearer(w.tokens.supaRead), 'last-event-id': lastId });
      await burst();
      await control.waitFor(() => control.messages.length >= 32, 15_000, 'the control watch');
      await resumer.waitFor(() => seen.length + resumer.messages.length >= 32, 15_000, 'the resumed watch');
      await new Promise((r) => setTimeout(r, 300));
      seen.push(...resumer.messages);
      const ids = seen.map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      assert.deepEqual(ids, control.messages.map((m) => m.id), 'exactly what an uninterrupted watch got, in the same order');
      for (let i = 1; i < ids.length; i++) assert.ok(Number(ids[i]) > Number(ids[i - 1]), 'positions increase');
      // And with the query parameter, from the same point: the same events again.
      const replay = await watch(`${EVERYTHING}&lastEventId=${lastId}`, bearer(w.tokens.supaRead));
      await replay.waitFor(() => replay.messages.length >= ids.length - 8);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(replay.messages.map((m) => m.id), ids.slice(8));
      for (const c of [control, resumer, replay]) c.close();
    });

    it('sends heartbeats carrying the cursor, past messages the caller may not see', async () => {
      const c = await watch('', bearer(w.tokens.supbRead));
      await c.waitFor(() => c.lastEventId !== undefined);
      const start = Number(c.lastEventId);
      await ingest(store, req(USER.other, f.ESME, '7.2')); // invisible to SUPB
      await c.waitFor(() => c.blocks.some((b) => b.comments.includes('heartbeat') && Number(b.id) > start), 5000, 'a heartbeat past the invisible message');
      assert.deepEqual(c.messages, []);
      c.close();
    });

    it('caps open watches per token, and frees the slot when a client goes', async () => {
      const opened = [];
      for (let i = 0; i < 3; i++) opened.push(await watch('', bearer(w.tokens.dnoRead)));
      for (const c of opened) assert.equal(c.status, 200);
      const refused = await call(w.base, '/api/v1/watch', { token: w.tokens.dnoRead });
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, 'API_RATE_LIMITED');
      assert.match(refused.body.detail, /at most 3 open watches/);
      // Another principal is not affected.
      const other = await watch('', bearer(w.tokens.supaRead));
      assert.equal(other.status, 200);
      other.close();
      opened[0]!.close();
      let again: SseClient | undefined;
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        again = await watch('', bearer(w.tokens.dnoRead));
        if (again.status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(again!.status, 200);
      for (const c of [...opened, again!]) c.close();
    });

    it('records the opening and every delivery in the access audit', async () => {
      const tokenId = (await store.accounts.listTokens('SUPA')).find((t) => t.name === 'supa-read')!.id;
      const before = (await store.audit.list({ actor: tokenId, limit: 1000 })).items.length;
      const c = await watch(`othersOnly=true&securityRelevant=true&srv=6.15.1`, bearer(w.tokens.supaRead));
      await c.waitFor(() => c.lastEventId !== undefined);
      const [id] = await ingest(store, req(USER.other, f.ESME, '6.15.1'));
      await c.waitFor(() => c.messages.length >= 1);
      c.close();
      const entries = (await store.audit.list({ actor: tokenId, limit: 1000 })).items.slice(0, -before || undefined).reverse();
      const watchEntries = entries.filter((e) => (e.subject as { watch?: string }).watch !== undefined);
      assert.equal(watchEntries.length, 2, JSON.stringify(entries));
      const [opening, delivery] = watchEntries;
      assert.equal(opening!.action, 'watch');
      assert.deepEqual(opening!.subject, { watch: 'open', othersOnly: true, securityRelevant: true, srv: '6.15.1', after: Number(c.blocks[0]!.id) });
      assert.equal(opening!.rows, 0);
      assert.deepEqual((delivery!.subject as { ids: string[] }).ids, [id]);
      assert.equal((delivery!.subject as { watch: string }).watch, 'delivery');
      assert.equal(delivery!.rows, 1);
      assert.equal((await store.audit.verify()).ok, true);
    });

    it("needs an operator's reason, records it, and shows the operator everything", async () => {
      const refused = await call(w.base, '/api/v1/watch', { token: w.tokens.opsRead });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'API_ACCESS_REASON_REQUIRED');
      const ops = await watch(EVERYTHING, { ...bearer(w.tokens.opsRead), 'x-access-reason': 'INC-42 live triage' });
      assert.equal(ops.status, 200);
      await ops.waitFor(() => ops.lastEventId !== undefined);
      const ids = await ingest(store, req(USER.supb, f.GSME, '4.1.1'), req(USER.other, f.ESME, '7.2'));
      await ops.waitFor(() => ops.messages.length >= 2);
      assert.deepEqual(ops.messages.map((m) => m.item.id), ids);
      ops.close();
      const tokenId = (await store.accounts.listTokens('OPS')).find((t) => t.name === 'ops-read')!.id;
      const latest = (await store.audit.list({ actor: tokenId, limit: 5 })).items;
      assert.ok(latest.some((e) => (e.subject as { watch?: string }).watch === 'delivery' && e.reason === 'INC-42 live triage'));
    });

    it('works with a portal session, and ends the stream when the session ends', async () => {
      const session = await login(w.base, 'supa-viewer');
      const app = await buildApp({ store, rateLimit: false, watch: { pollMs: 50, recheckMs: 100 } });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const c = await SseClient.open(`${base}/api/v1/watch?${EVERYTHING}`, { cookie: session.cookie });
        clients.push(c);
        assert.equal(c.status, 200);
        await c.waitFor(() => c.lastEventId !== undefined);
        await call(base, '/api/v1/session', { method: 'DELETE', cookie: session.cookie, csrf: session.csrf });
        await c.waitFor(() => c.ended, 5000, 'the stream to end after logout');
        assert.ok(c.blocks.some((b) => b.event === 'end' && JSON.parse(b.data!).error === 'AUTH_REQUIRED'));
      } finally {
        await app.close();
      }
    });

    it('disconnects a client that stops reading, so its buffer stays bounded', async () => {
      const app = await buildApp({ store, rateLimit: false, watch: { pollMs: 50, maxBufferBytes: 256 * 1024, stallMs: 500, maxConnectionsPerPrincipal: 1 } });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const slow = await SseClient.open(`${base}/api/v1/watch?${EVERYTHING}`, bearer(w.tokens.supaRead));
        clients.push(slow);
        await slow.waitFor(() => slow.lastEventId !== undefined);
        slow.pause();
        // About 3 MB of events for a client that reads none of them (more than the sockets' buffers hold).
        for (let b = 0; b < 6; b++) await ingest(store, ...Array.from({ length: 1000 }, () => req(USER.supa, f.ESME, '4.1.1')));
        // The slot is freed once the server has dropped the connection.
        let status = 0;
        for (let i = 0; i < 100 && status !== 200; i++) {
          const next = await SseClient.open(`${base}/api/v1/watch`, bearer(w.tokens.supaRead));
          clients.push(next);
          status = next.status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(status, 200, 'the slow client was disconnected');
      } finally {
        for (const c of clients) c.close();
        await app.close();
      }
    });

    it('ends open streams when the server closes', async () => {
      const app = await buildApp({ store, rateLimit: false });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const c = await SseClient.open(`${base}/api/v1/watch`, bearer(w.tokens.supaRead));
      clients.push(c);
      await c.waitFor(() => c.lastEventId !== undefined);
      const started = Date.now();
      await app.close();
      assert.ok(Date.now() - started < 5000, 'close does not wait for the stream');
      await c.waitFor(() => c.ended, 5000, 'the stream to end');
    });
  });
}
