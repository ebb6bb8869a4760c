import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import * as f from '../store-suite/fixtures.js';
import { call, login, startApiWorld, type ApiWorld } from './api-world.js';

type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };

/**
 * The OpenAPI document must describe the server exactly: it is a valid OpenAPI 3.1 document, every route is in
 * it, and real responses of every endpoint (successes and errors) validate against the schema it declares for
 * that status.
 */
describe('OpenAPI document (sqlite)', () => {
  const backend = BACKENDS.find((b) => b.name === 'sqlite')!;
  let store: KyselyMessageStore;
  let w: ApiWorld;
  let doc: OpenApi;
  let ajv: InstanceType<typeof Ajv2020.default>;

  before(async () => {
    store = await backend.open();
    w = await startApiWorld(store, { rateLimit: false });
    doc = (await call(w.base, '/api/v1/openapi.json')).body;
    ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(doc as object, 'openapi.json');
  });
  after(async () => {
    await w?.close();
    if (store) await backend.destroy(store);
  });

  /** Asserts that a real response matches the document's schema for this operation and status. */
  function conforms(method: string, template: string, res: { status: number; headers: Headers; body: unknown; text: string }) {
    const op = doc.paths[template]?.[method];
    assert.ok(op, `${method} ${template} is documented`);
    const response = op.responses[String(res.status)];
    assert.ok(response, `${method} ${template} documents status ${res.status} (${res.text.slice(0, 200)})`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
    if (res.status === 204) return;
    const media = response.content?.[type];
    assert.ok(media, `${method} ${template} ${res.status} documents ${type}`);
    if (type !== 'application/json') return;
    const pointer = ['paths', template, method, 'responses', String(res.status), 'content', type, 'schema'].map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const validate = ajv.getSchema(`openapi.json#/${pointer}`)!;
    assert.ok(validate(res.body), `${method} ${template} ${res.status}: ${ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`);
  }

  it('is a valid OpenAPI 3.1 document listing every endpoint', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    for (const route of [
      'GET /api/v1/messages', 'GET /api/v1/messages/{id}', 'GET /api/v1/threads/{requestId}', 'GET /api/v1/devices/{deviceId}',
      'GET /api/v1/export.csv', 'GET /api/v1/audit', 'POST /api/v1/session', 'GET /api/v1/session', 'DELETE /api/v1/session',
      'GET /api/v1/users', 'POST /api/v1/users', 'DELETE /api/v1/users/{username}', 'GET /api/v1/tokens', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/{id}',
      'POST /api/v1/messages', 'POST /api/v1/messages:batch', 'PUT /api/v1/reference', 'GET /healthz',
      'POST /api/v1/subscriptions', 'GET /api/v1/subscriptions', 'GET /api/v1/subscriptions/{id}', 'DELETE /api/v1/subscriptions/{id}',
      'GET /api/v1/subscriptions/{id}/deliveries', 'POST /api/v1/subscriptions/{id}/deliveries/{deliveryId}/replay', 'POST /api/v1/subscriptions/{id}/test',
    ]) {
      assert.ok(documented.includes(route), `${route} in ${documented.join(', ')}`);
    }
  });

  it('describes real responses of every read endpoint, successes and errors', async () => {
    const t = { token: w.tokens.supaRead };
    const rid = encodeURIComponent(w.requestIds.disable);
    conforms('get', '/api/v1/messages', await call(w.base, '/api/v1/messages', t));
    conforms('get', '/api/v1/messages', await call(w.base, '/api/v1/messages?limit=1', t));
    conforms('get', '/api/v1/messages', await call(w.base, '/api/v1/messages?limit=5000', t));
    conforms('get', '/api/v1/messages', await call(w.base, '/api/v1/messages'));
    conforms('get', '/api/v1/messages', await call(w.base, '/api/v1/messages', { token: w.tokens.ingest }));
    conforms('get', '/api/v1/messages', await call(w.base, '/api/v1/messages', { token: w.tokens.opsRead }));
    for (const id of Object.values(w.ids)) conforms('get', '/api/v1/messages/{id}', await call(w.base, `/api/v1/messages/${id}`, t));
    conforms('get', '/api/v1/messages/{id}', await call(w.base, `/api/v1/messages/${w.ids.supbAlert}`, { token: w.tokens.supbRead }));
    conforms('get', '/api/v1/messages/{id}', await call(w.base, '/api/v1/messages/x', t));
    conforms('get', '/api/v1/threads/{requestId}', await call(w.base, `/api/v1/threads/${rid}`, t));
    conforms('get', '/api/v1/threads/{requestId}', await call(w.base, `/api/v1/threads/${rid}`, { token: w.tokens.supbRead }));
    conforms('get', '/api/v1/devices/{deviceId}', await call(w.base, `/api/v1/devices/${f.ESME}`, t));
    conforms('get', '/api/v1/devices/{deviceId}', await call(w.base, `/api/v1/devices/${f.ESME}`, { token: w.tokens.opsRead, reason: 'test' }));
    conforms('get', '/api/v1/devices/{deviceId}', await call(w.base, `/api/v1/devices/${f.GSME}`, t));
    conforms('get', '/api/v1/export.csv', await call(w.base, '/api/v1/export.csv', t));
    conforms('get', '/api/v1/export.csv', await call(w.base, '/api/v1/export.csv?to=yesterday', t));
    conforms('get', '/healthz', await call(w.base, '/healthz'));
  });

  it('describes real responses of the session, administration, audit and feed endpoints', async () => {
    conforms('post', '/api/v1/session', await call(w.base, '/api/v1/session', { method: 'POST', json: { username: 'supa-admin', password: 'wrong password!' } }));
    conforms('post', '/api/v1/session', await call(w.base, '/api/v1/session', { method: 'POST', json: { username: 'supa-admin' } }));
    const admin = await login(w.base, 'supa-admin');
    const s = { cookie: admin.cookie, csrf: admin.csrf };
    conforms('get', '/api/v1/session', await call(w.base, '/api/v1/session', s));
    conforms('get', '/api/v1/users', await call(w.base, '/api/v1/users', s));
    conforms('post', '/api/v1/users', await call(w.base, '/api/v1/users', { ...s, method: 'POST', json: { username: 'new-user', password: 'twelve chars!' } }));
    conforms('post', '/api/v1/users', await call(w.base, '/api/v1/users', { ...s, method: 'POST', json: { username: 'new-user', password: 'twelve chars!' } }));
    conforms('delete', '/api/v1/users/{username}', await call(w.base, '/api/v1/users/new-user', { ...s, method: 'DELETE' }));
    conforms('delete', '/api/v1/users/{username}', await call(w.base, '/api/v1/users/new-user', { ...s, method: 'DELETE' }));
    conforms('delete', '/api/v1/users/{username}', await call(w.base, '/api/v1/users/supa-admin', { ...s, method: 'DELETE' }));
    conforms('get', '/api/v1/tokens', await call(w.base, '/api/v1/tokens', s));
    const created = await call(w.base, '/api/v1/tokens', { ...s, method: 'POST', json: { name: 'doc-test', scope: 'read', expires: '1d' } });
    conforms('post', '/api/v1/tokens', created);
    conforms('delete', '/api/v1/tokens/{id}', await call(w.base, `/api/v1/tokens/${created.body.id}`, { ...s, method: 'DELETE' }));
    conforms('delete', '/api/v1/tokens/{id}', await call(w.base, '/api/v1/tokens/000000000000', { ...s, method: 'DELETE' }));
    conforms('get', '/api/v1/audit', await call(w.base, '/api/v1/audit?limit=3', s));
    conforms('get', '/api/v1/audit', await call(w.base, '/api/v1/audit', { token: w.tokens.supaRead }));
    conforms('put', '/api/v1/reference', await call(w.base, '/api/v1/reference', { token: w.tokens.reference, method: 'PUT', json: { parties: [] } }));
    conforms('put', '/api/v1/reference', await call(w.base, '/api/v1/reference', { token: w.tokens.reference, method: 'PUT', json: { parties: 'x' } }));
    conforms('post', '/api/v1/messages', await call(w.base, '/api/v1/messages', { token: w.tokens.ingest, method: 'POST', headers: { 'content-type': 'application/xml' } }));
    conforms('delete', '/api/v1/session', await call(w.base, '/api/v1/session', { ...s, method: 'DELETE' }));
  });

  it('describes real responses of the webhook subscription endpoints', async () => {
    const t = { token: w.tokens.supaRead };
    const json = { url: 'https://hooks.example.com/srvv', secret: 'a-long-enough-webhook-secret' };
    const created = await call(w.base, '/api/v1/subscriptions', { ...t, method: 'POST', json });
    conforms('post', '/api/v1/subscriptions', created);
    conforms('post', '/api/v1/subscriptions', await call(w.base, '/api/v1/subscriptions', { ...t, method: 'POST', json: { ...json, url: 'http://example.com' } }));
    conforms('post', '/api/v1/subscriptions', await call(w.base, '/api/v1/subscriptions', { token: w.tokens.ingest, method: 'POST', json }));
    conforms('get', '/api/v1/subscriptions', await call(w.base, '/api/v1/subscriptions', t));
    const one = `/api/v1/subscriptions/${created.body.id}`;
    conforms('get', '/api/v1/subscriptions/{id}', await call(w.base, one, t));
    conforms('get', '/api/v1/subscriptions/{id}', await call(w.base, one, { token: w.tokens.supbRead }));
    const test = await call(w.base, `${one}/test`, { ...t, method: 'POST' });
    conforms('post', '/api/v1/subscriptions/{id}/test', test);
    conforms('get', '/api/v1/subscriptions/{id}/deliveries', await call(w.base, `${one}/deliveries?status=pending&limit=1`, t));
    conforms('get', '/api/v1/subscriptions/{id}/deliveries', await call(w.base, `${one}/deliveries?status=lost`, t));
    conforms('post', '/api/v1/subscriptions/{id}/deliveries/{deliveryId}/replay', await call(w.base, `${one}/deliveries/${test.body.id}/replay`, { ...t, method: 'POST' }));
    conforms('post', '/api/v1/subscriptions/{id}/deliveries/{deliveryId}/replay', await call(w.base, `${one}/deliveries/dlv_${'0'.repeat(32)}/replay`, { ...t, method: 'POST' }));
    conforms('delete', '/api/v1/subscriptions/{id}', await call(w.base, one, { ...t, method: 'DELETE' }));
    conforms('delete', '/api/v1/subscriptions/{id}', await call(w.base, one, { ...t, method: 'DELETE' }));
  });
});
