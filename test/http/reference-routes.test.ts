import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/build-app.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';

const DOCUMENT = {
  parties: [{ id: 'SUPA', name: 'Supplier A', operator: false, userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] }],
  devices: [{ deviceId: '00-DB-12-34-56-78-90-A0', type: 'ESME' }],
  links: [{ deviceId: '00-DB-12-34-56-78-90-A0', history: [{ mpxn: '1312345678111', from: '2024-01-01T00:00:00Z', to: null }] }],
  registrations: [{ mpxn: '1312345678111', role: 'IS', history: [{ partyId: 'SUPA', from: '2024-01-01T00:00:00Z', to: null }] }],
};

for (const backend of BACKENDS) {
  describe(`PUT /api/v1/reference (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let app: FastifyInstance;
    before(async () => {
      store = await backend.open();
      app = await buildApp({ store });
    });
    // The feed needs a reference token; tables (tokens too) are cleared after each test.
    let auth: Record<string, string> = {};
    beforeEach(async () => {
      auth = { authorization: `Bearer ${(await store.accounts.createToken({ name: 'registration-feed', scope: 'reference' })).token}` };
    });
    afterEach(() => backend.clear(store));
    after(async () => {
      await app?.close();
      if (store) await backend.destroy(store);
    });

    const put = (payload: string, contentType: string, url = '/api/v1/reference') =>
      app.inject({ method: 'PUT', url, payload, headers: { ...auth, 'content-type': contentType } });

    it('applies a JSON document and answers what changed', async () => {
      const res = await put(JSON.stringify(DOCUMENT), 'application/json');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(body.parties, { created: 1, updated: 0, unchanged: 0 });
      assert.deepEqual(body.registrations, { replaced: 1, erased: 0, unchanged: 0 });
      assert.deepEqual(body.warnings, []);
      assert.equal((await store.reference.getRegistrations('1312345678111')).length, 1);
    });

    it('applies one section as CSV', async () => {
      await put(JSON.stringify({ parties: DOCUMENT.parties }), 'application/json');
      const csv = 'mpxn,role,partyId,from,to\n1312345678111,IS,SUPA,2024-01-01T00:00:00Z,\n';
      const res = await put(csv, 'text/csv; charset=utf-8', '/api/v1/reference?section=registrations');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().registrations, { replaced: 1, erased: 0, unchanged: 0 });
    });

    it('rejects an invalid document with every problem located, and changes nothing', async () => {
      const bad = structuredClone(DOCUMENT) as any;
      bad.registrations[0].history[0].from = 'yesterday';
      bad.devices[0].type = 'TOASTER';
      const res = await put(JSON.stringify(bad), 'application/json');
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.error, 'REFERENCE_INVALID');
      assert.deepEqual(body.problems.map((p: { path: string }) => p.path).sort(), ['devices[0].type', 'registrations[0].history[0].from']);
      assert.match(body.problems.find((p: { path: string }) => p.path.endsWith('.from')).message, /ISO-8601/);
      assert.deepEqual(await store.reference.listParties(), []);
    });

    it('rejects a registration naming an unknown party (checked against the database)', async () => {
      const res = await put(JSON.stringify({ registrations: DOCUMENT.registrations }), 'application/json');
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().problems[0].path, 'registrations[0].history[0].partyId');
    });

    it('rejects malformed JSON, CSV without a section, and other media types', async () => {
      const json = await put('{"parties": [', 'application/json');
      assert.equal(json.statusCode, 400);
      assert.match(json.json().problems[0].message, /not valid JSON/);
      const csv = await put('mpxn,role,partyId,from,to\n', 'text/csv');
      assert.equal(csv.statusCode, 400);
      assert.equal(csv.json().problems[0].path, 'section');
      const xml = await put('<x/>', 'application/xml');
      assert.equal(xml.statusCode, 415);
    });
  });
}
