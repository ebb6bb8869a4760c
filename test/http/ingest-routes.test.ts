import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/build-app.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';

const TEMPLATES = 'node_modules/@smartdcc/duis-templates/templates/';
const READ = readFileSync(TEMPLATES + 'ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML');
const DISABLE_SUPPLY = readFileSync(TEMPLATES + 'ECS43_7.2_SUCCESS_REQUEST_DUIS.XML');
const XXE = `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">&x;</sr:Request>`;

const ndjson = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

for (const backend of BACKENDS) {
  describe(`HTTP ingestion (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let app: FastifyInstance;

    before(async () => {
      store = await backend.open();
      app = await buildApp({ store, maxMessageBytes: 64 * 1024 });
    });
    // Feeds need an ingest token; tables (tokens too) are cleared after each test.
    let auth: Record<string, string> = {};
    beforeEach(async () => {
      auth = { authorization: `Bearer ${(await store.accounts.createToken({ name: 'capture-feed', scope: 'ingest' })).token}` };
    });
    afterEach(() => backend.clear(store));
    after(async () => {
      await app?.close();
      if (store) await backend.destroy(store);
    });

    const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/xml' }) =>
      app.inject({ method: 'POST', url: '/api/v1/messages', payload: body, headers: { ...auth, ...headers } });
    const count = async () => (await store.stats()).messages;

    it('answers /healthz', async () => {
      const res = await app.inject('/healthz');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
    });

    it('stores one document: 201, then 200 duplicate with the same id, bytes kept exactly', async () => {
      const first = await post(READ, { 'content-type': 'application/xml; charset=utf-8', 'x-received-at': '2026-03-01T09:14:00Z' });
      assert.equal(first.statusCode, 201);
      const created = first.json();
      assert.equal(created.kind, 'request');
      assert.equal(created.duplicate, false);
      assert.match(created.id, /^\d+$/);
      const again = await post(READ, { 'content-type': 'text/xml' });
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), { id: created.id, kind: 'request', duplicate: true });
      assert.equal(await count(), 1);
      const stored = await store.getMessage(created.id);
      assert.equal(stored?.receivedAt.toISOString(), '2026-03-01T09:14:00.000Z');
      assert.equal(stored?.srv, '4.1.1');
      assert.deepEqual(await store.getOriginalXml(created.id), READ);
    });

    it('rejects bad input with a specific error and stores nothing', async () => {
      const cases: [Promise<{ statusCode: number; json(): { error: string; detail: string } }>, number, string][] = [
        [post(XXE), 400, 'DUIS_DTD_FORBIDDEN'],
        [post(''), 400, 'DUIS_EMPTY'],
        [post('{"not": "xml"}'), 400, 'DUIS_NOT_XML'],
        [post(READ.subarray(0, 700)), 400, 'DUIS_MALFORMED'],
        [post(READ.toString().replaceAll('http://www.dccinterface.co.uk/ServiceUserGateway', 'urn:other')), 400, 'DUIS_WRONG_NAMESPACE'],
        [post(READ, { 'content-type': 'application/xml', 'x-received-at': 'yesterday' }), 400, 'INGEST_INVALID_RECEIVED_AT'],
        [post(READ, { 'content-type': 'application/json' }), 415, 'INGEST_UNSUPPORTED_MEDIA_TYPE'],
        [post(READ, {}), 415, 'INGEST_UNSUPPORTED_MEDIA_TYPE'],
        [post(Buffer.concat([READ, Buffer.alloc(70 * 1024, 32)])), 413, 'DUIS_TOO_LARGE'],
      ];
      for (const [pending, status, code] of cases) {
        const res = await pending;
        assert.equal(res.statusCode, status, code);
        const body = res.json();
        assert.equal(body.error, code);
        assert.ok(body.detail.length > 5, `${code} has a detail`);
      }
      assert.equal(await count(), 0);
    });

    it('stores every valid line of a batch and reports each invalid one by line', async () => {
      const payload = ndjson([
        { receivedAt: '2026-03-01T09:14:00Z', xml: READ.toString() },
        '{"receivedAt": "2026-03-01T09:15:00Z", "xml": ',
        { receivedAt: '2026-03-01T09:16:00Z', xml: DISABLE_SUPPLY.toString() },
        '',
        { receivedAt: '2026-03-01T09:17:00Z', xml: READ.toString() },
        { receivedAt: '2026-03-01T09:18:00Z', xml: XXE },
        { receivedAt: 'soon', xml: DISABLE_SUPPLY.toString() },
      ]);
      const res = await app.inject({ method: 'POST', url: '/api/v1/messages:batch', payload, headers: { ...auth, 'content-type': 'application/x-ndjson' } });
      assert.equal(res.statusCode, 200);
      const { results } = res.json() as { results: Record<string, unknown>[] };
      assert.deepEqual(results.map((r) => r.line), [1, 2, 3, 5, 6, 7]);
      assert.equal(results[0]!.kind, 'request');
      assert.equal(results[0]!.duplicate, false);
      assert.equal(results[1]!.error, 'INGEST_INVALID_LINE');
      assert.equal(results[2]!.duplicate, false);
      assert.notEqual(results[2]!.id, results[0]!.id);
      assert.deepEqual(results[3], { line: 5, id: results[0]!.id, kind: 'request', duplicate: true });
      assert.equal(results[4]!.error, 'DUIS_DTD_FORBIDDEN');
      assert.equal(results[5]!.error, 'INGEST_INVALID_RECEIVED_AT');
      assert.equal(await count(), 2);
      const supply = await store.getMessage(results[2]!.id as string);
      assert.equal(supply?.srv, '7.2');
      assert.equal(supply?.receivedAt.toISOString(), '2026-03-01T09:16:00.000Z');
    });

    it('writes a large batch in several transactions and keeps line order', async () => {
      const lines = Array.from({ length: 4100 }, (_, i) =>
        i === 2500 ? 'broken' : { receivedAt: '2026-03-01T09:14:00Z', xml: READ.toString().replace(':1000<', `:${5000 + i}<`) },
      );
      const res = await app.inject({ method: 'POST', url: '/api/v1/messages:batch', payload: ndjson(lines), headers: { ...auth, 'content-type': 'application/x-ndjson' } });
      assert.equal(res.statusCode, 200);
      const { results } = res.json() as { results: { line: number; id?: string; error?: string; duplicate?: boolean }[] };
      assert.deepEqual(results.map((r) => r.line), lines.map((_, i) => i + 1));
      assert.equal(results[2500]!.error, 'INGEST_INVALID_LINE');
      assert.equal(new Set(results.filter((r) => r.id).map((r) => r.id)).size, 4099);
      assert.equal(await count(), 4099);
    });

    it('rejects a batch that is not NDJSON with 415', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/messages:batch', payload: READ, headers: { ...auth, 'content-type': 'application/xml' } });
      assert.equal(res.statusCode, 415);
      assert.equal(res.json().error, 'INGEST_UNSUPPORTED_MEDIA_TYPE');
    });

    it('serves the same over a real socket', async () => {
      const served = await buildApp({ store });
      try {
        const address = await served.listen({ host: '127.0.0.1', port: 0 });
        const res = await fetch(`${address}/api/v1/messages`, { method: 'POST', body: DISABLE_SUPPLY, headers: { ...auth, 'content-type': 'application/xml' } });
        assert.equal(res.status, 201);
        const body = (await res.json()) as { id: string };
        assert.deepEqual(await store.getOriginalXml(body.id), DISABLE_SUPPLY);
        assert.equal((await fetch(`${address}/healthz`)).status, 200);
      } finally {
        await served.close();
      }
    });
  });
}
