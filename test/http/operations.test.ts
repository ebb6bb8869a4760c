import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import { call, startApiWorld, type ApiWorld } from './api-world.js';

const READ = readFileSync('node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML');

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (wanted.every(([k, v]) => got.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

for (const backend of BACKENDS) {
  describe(`operations endpoints (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let w: ApiWorld;
    before(async () => {
      store = await backend.open();
      await backend.clear(store);
      w = await startApiWorld(store);
    });
    after(async () => {
      await w?.close();
      if (store) await backend.destroy(store).catch(() => {});
    });

    it('exposes ingestion, rejections, request latency by route and the audit chain length in Prometheus format', async () => {
      const post = (body: Buffer | string) =>
        fetch(`${w.base}/api/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${w.tokens.ingest}`, 'content-type': 'application/xml' }, body });
      assert.equal((await post(READ)).status, 201);
      assert.equal((await post(READ)).status, 200);
      assert.equal((await post('not xml')).status, 400);
      for (let i = 0; i < 3; i++) assert.equal((await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead })).status, 200);

      const res = await fetch(`${w.base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.equal(sample(text, 'srvv_ingested_messages_total', { kind: 'request' }), 1);
      assert.equal(sample(text, 'srvv_duplicate_messages_total'), 1);
      assert.equal(sample(text, 'srvv_rejected_messages_total', { reason: 'DUIS_NOT_XML' }), 1);
      assert.equal(sample(text, 'srvv_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/messages', status: '200' }), 3);
      assert.equal(sample(text, 'srvv_http_request_duration_seconds_bucket', { method: 'GET', route: '/api/v1/messages', status: '200', le: '+Inf' }), 3);
      assert.equal(sample(text, 'srvv_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/messages', status: '201' }), 1);
      assert.equal(sample(text, 'srvv_audit_chain_length'), (await store.audit.head()).seq);
      assert.ok((sample(text, 'srvv_audit_chain_length') ?? 0) >= 3, 'the three searches are audited');
      assert.ok(sample(text, 'srvv_process_resident_memory_bytes')! > 0, 'process metrics');
    });

    it('is ready while the database answers, and says what failed when it does not', async () => {
      const ready = await call(w.base, '/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { status: 'ready', checks: { database: 'ok' } });
      await store.close();
      const down = await call(w.base, '/readyz');
      assert.equal(down.status, 503);
      assert.equal(down.body.status, 'unavailable');
      assert.match(down.body.checks.database, /store/i);
      assert.equal((await call(w.base, '/healthz')).status, 200, 'liveness does not depend on the database');
    });
  });
}
