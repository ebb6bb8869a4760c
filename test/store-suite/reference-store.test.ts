import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ReferenceError } from '../../src/errors.js';
import { validateReferenceDocument } from '../../src/reference/validate-document.js';
import type { ReferenceDocument } from '../../src/reference/reference-document.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from './backends.js';

const ESME = '00-DB-12-34-56-78-90-A0';
const CHF = '00-DB-12-34-56-78-90-C2';
const MPAN = '1312345678111';
const MPRN = '1234567890';

/** Validates a document written as the JSON a user would send; fails the test on a validation error. */
function doc(input: unknown): ReferenceDocument {
  const v = validateReferenceDocument(input);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.document;
}

const BASE = {
  parties: [
    { id: 'SUPA', name: 'Supplier A', userIds: [{ userId: '90-b3-d5-1f-30-01-00-00', role: 'IS' }] },
    { id: 'SUPB', name: 'Supplier B', userIds: [{ userId: '90-B3-D5-1F-30-01-01-00', role: 'IS' }, { userId: '90-B3-D5-1F-30-01-01-01', role: 'GS' }] },
    { id: 'DNO1', name: 'Northern Grid', userIds: [{ userId: '90-B3-D5-1F-30-02-00-00', role: 'ED' }] },
    { id: 'OPS', name: 'DCC service desk', operator: true },
  ],
  devices: [{ deviceId: ESME, type: 'ESME' }, { deviceId: CHF, type: 'CHF' }],
  links: [
    { deviceId: ESME, history: [{ mpxn: MPAN, from: '2024-01-01T00:00:00Z', to: null }] },
    { deviceId: CHF, history: [{ mpxn: MPAN, from: '2024-01-01T00:00:00Z', to: null }, { mpxn: MPRN, from: '2024-01-01T00:00:00Z' }] },
  ],
  registrations: [
    { mpxn: MPAN, role: 'IS', history: [{ partyId: 'SUPA', from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, { partyId: 'SUPB', from: '2025-01-01T00:00:00Z', to: null }] },
  ],
  certificates: [{ deviceId: ESME, history: [{ partyId: 'DNO1', from: '2024-03-01T00:00:00Z', to: null }] }],
};

for (const backend of BACKENDS) {
  describe(`reference store (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(async () => {
      if (store) await backend.destroy(store);
    });

    it('imports a document and reads it back with history', async () => {
      const result = await store.reference.apply(doc(BASE));
      assert.deepEqual(result.parties, { created: 4, updated: 0, unchanged: 0 });
      assert.deepEqual(result.devices, { created: 2, updated: 0, unchanged: 0 });
      assert.deepEqual(result.links, { replaced: 2, erased: 0, unchanged: 0 });
      assert.deepEqual(result.registrations, { replaced: 1, erased: 0, unchanged: 0 });
      assert.deepEqual(result.certificates, { replaced: 1, erased: 0, unchanged: 0 });
      assert.deepEqual(result.warnings, []);

      const supa = await store.reference.getParty('SUPA');
      assert.deepEqual(supa, { id: 'SUPA', name: 'Supplier A', operator: false, userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] });
      assert.equal((await store.reference.getParty('OPS'))?.operator, true);
      assert.deepEqual((await store.reference.listParties()).map((p) => p.id), ['DNO1', 'OPS', 'SUPA', 'SUPB']);
      assert.deepEqual(await store.reference.userIdOwner('90b3d51f30010101'), { partyId: 'SUPB', role: 'GS' });
      assert.equal(await store.reference.userIdOwner('90-B3-D5-1F-30-09-09-09'), undefined);

      const chf = await store.reference.getDevice(CHF.toLowerCase());
      assert.deepEqual(chf.device, { deviceId: CHF, type: 'CHF' });
      assert.deepEqual(chf.links.history.map((h) => h.mpxn).sort(), [MPAN, MPRN].sort());
      const regs = await store.reference.getRegistrations(MPAN);
      assert.equal(regs.length, 1);
      assert.deepEqual(regs[0]!.history.map((h) => [h.partyId, new Date(h.from).toISOString(), h.to && new Date(h.to).toISOString()]), [
        ['SUPA', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
        ['SUPB', '2025-01-01T00:00:00.000Z', null],
      ]);
    });

    it('replaces a whole history per key, erases with an empty one, and counts unchanged entries', async () => {
      await store.reference.apply(doc(BASE));
      const again = await store.reference.apply(doc(BASE));
      assert.deepEqual(again.parties, { created: 0, updated: 0, unchanged: 4 });
      assert.deepEqual(again.links, { replaced: 0, erased: 0, unchanged: 2 });

      const correction = await store.reference.apply(
        doc({
          registrations: [{ mpxn: MPAN, role: 'IS', history: [{ partyId: 'SUPB', from: '2024-06-01T00:00:00Z', to: null }] }],
          certificates: [{ deviceId: ESME, history: [] }],
          parties: [{ id: 'SUPA', name: 'Supplier A Ltd', userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] }],
        }),
      );
      assert.deepEqual(correction.registrations, { replaced: 1, erased: 0, unchanged: 0 });
      assert.deepEqual(correction.certificates, { replaced: 0, erased: 1, unchanged: 0 });
      assert.deepEqual(correction.parties, { created: 0, updated: 1, unchanged: 0 });
      const regs = await store.reference.getRegistrations(MPAN);
      assert.deepEqual(regs[0]!.history.map((h) => h.partyId), ['SUPB']);
      assert.deepEqual((await store.reference.getDevice(ESME)).certificates.history, []);
      // Other sections were not in the correction: untouched.
      assert.equal((await store.reference.getDevice(CHF)).links.history.length, 2);
    });

    it('rejects unknown parties and User IDs held elsewhere, naming each path, and changes nothing', async () => {
      await store.reference.apply(doc(BASE));
      const bad = doc({
        devices: [{ deviceId: '00-DB-00-00-00-00-00-01', type: 'GSME' }],
        registrations: [{ mpxn: MPRN, role: 'GS', history: [{ partyId: 'NOPE', from: '2024-01-01T00:00:00Z' }] }],
        parties: [{ id: 'NEW', name: 'New', userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] }],
      });
      await assert.rejects(store.reference.apply(bad), (err: unknown) => {
        assert.ok(err instanceof ReferenceError);
        assert.equal(err.code, 'REFERENCE_INVALID');
        assert.deepEqual(err.problems.map((p) => p.path).sort(), ['parties[0].userIds[0].userId', 'registrations[0].history[0].partyId']);
        assert.match(err.problems.find((p) => p.path.startsWith('parties'))!.message, /held by party "SUPA"/);
        return true;
      });
      assert.equal((await store.reference.getDevice('00-DB-00-00-00-00-00-01')).device, undefined);
      assert.equal(await store.reference.getParty('NEW'), undefined);
    });

    it('lets a document move a User ID between two parties it replaces', async () => {
      await store.reference.apply(doc(BASE));
      await store.reference.apply(
        doc({
          parties: [
            { id: 'SUPA', name: 'Supplier A', userIds: [] },
            { id: 'SUPC', name: 'Supplier C', userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] },
          ],
        }),
      );
      assert.deepEqual(await store.reference.userIdOwner('90-B3-D5-1F-30-01-00-00'), { partyId: 'SUPC', role: 'IS' });
    });

    it('warns about a certificate held by a party without an ED or GT User ID, and applies it', async () => {
      await store.reference.apply(doc(BASE));
      const result = await store.reference.apply(doc({ certificates: [{ deviceId: CHF, history: [{ partyId: 'SUPA', from: '2024-01-01T00:00:00Z' }] }] }));
      assert.equal(result.warnings.length, 1);
      assert.equal(result.warnings[0]!.path, 'certificates[0].history[0].partyId');
      assert.match(result.warnings[0]!.message, /grants no visibility/);
      assert.equal((await store.reference.getDevice(CHF)).certificates.history.length, 1);
    });

    it('refreshes PostgreSQL statistics after a large import, and only then', { skip: backend.name !== 'postgres' }, async () => {
      // Planner statistics of the reference tables as ANALYZE leaves them (autovacuum's analyze is counted apart).
      const analysed = async () => {
        const { rows } = await sql<{ last: Date | null; tuples: number }>`
          SELECT s.last_analyze AS last, c.reltuples AS tuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
          WHERE s.schemaname = current_schema() AND s.relname = 'device_links'`.execute(store.db);
        return rows[0]!;
      };
      await store.reference.apply(doc(BASE));
      assert.equal((await analysed()).last, null, 'a small import leaves statistics to autovacuum');
      const n = 5_000; // 5,000 devices and 5,000 link histories: 10,000 changes
      const id = (i: number) => `00-DB-12-34-56-78-${((i >> 8) & 0xff).toString(16).padStart(2, '0')}-${(i & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
      await store.reference.apply(
        doc({
          parties: [],
          devices: Array.from({ length: n }, (_, i) => ({ deviceId: id(i + 0x1000), type: 'ESME' })),
          links: Array.from({ length: n }, (_, i) => ({ deviceId: id(i + 0x1000), history: [{ mpxn: String(1300000000000 + i), from: '2024-01-01T00:00:00Z' }] })),
          registrations: [],
          certificates: [],
        }),
      );
      const after = await analysed();
      assert.notEqual(after.last, null, 'ANALYZE ran after the large import');
      assert.ok(after.tuples >= n, `planner row estimate ${after.tuples} counts the new links`);
    });

    it('answers an unknown party with REFERENCE_UNKNOWN_PARTY', async () => {
      await assert.rejects(store.forParty('GHOST'), (err: unknown) => err instanceof ReferenceError && err.code === 'REFERENCE_UNKNOWN_PARTY');
    });
  });
}
