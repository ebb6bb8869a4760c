import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prepareBatch } from '../../src/ingest/prepare-batch.js';
import { formatIsoInstant } from '../../src/reference/iso-instant.js';
import type { PartyPeriod, ReferenceDocument } from '../../src/reference/reference-document.js';
import { validateReferenceDocument } from '../../src/reference/validate-document.js';
import { openStore } from '../../src/store/open-store.js';
import type { MessageStore } from '../../src/store/message-store.js';
import {
  createWorld,
  DCC_OPERATOR_PARTY_ID,
  generateTraffic,
  referenceDocument,
  referenceDocumentSlices,
  type ReferenceDataOptions,
} from '../../src/synth/index.js';

const START = new Date('2025-01-06T00:00:00.000Z');
const OPTS: ReferenceDataOptions = { seed: 5, start: START, end: new Date(START.getTime() + 7 * 86_400_000) };

/** The document as a JSON import would spell it (ISO instants), for the validator. */
function asInput(doc: ReferenceDocument): unknown {
  const iso = <P extends { from: number; to: number | null }>(p: P) => ({ ...p, from: formatIsoInstant(p.from), to: p.to === null ? null : formatIsoInstant(p.to) });
  return {
    parties: doc.parties,
    devices: doc.devices,
    links: doc.links.map((l) => ({ ...l, history: l.history.map(iso) })),
    registrations: doc.registrations.map((r) => ({ ...r, history: r.history.map(iso) })),
    certificates: doc.certificates.map((c) => ({ ...c, history: c.history.map(iso) })),
  };
}

function changed(history: readonly PartyPeriod[]): boolean {
  return history.length > 1 || history[0]?.to !== null;
}

describe('referenceDocument', () => {
  const world = createWorld({ seed: 5, devices: 4000, start: START });
  const doc = referenceDocument(world, OPTS);

  test('is deterministic for a seed', () => {
    assert.deepEqual(referenceDocument(world, OPTS), doc);
    const other = referenceDocument(world, { ...OPTS, seed: 6 });
    assert.deepEqual(other.devices, doc.devices, 'the structure comes from the world');
    assert.notDeepEqual(other.registrations, doc.registrations, 'the changes come from the seed');
  });

  test('validates, and the validator keeps it as it is', () => {
    const result = validateReferenceDocument(asInput(doc));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors.slice(0, 5)));
    assert.deepEqual(result.document, doc);
  });

  test('covers every party, device, link, supply point and certified device', () => {
    assert.deepEqual(doc.parties.map((p) => p.id), [...world.parties.map((p) => p.partyId), DCC_OPERATOR_PARTY_ID]);
    const ops = doc.parties.find((p) => p.id === DCC_OPERATOR_PARTY_ID)!;
    assert.deepEqual({ operator: ops.operator, userIds: ops.userIds }, { operator: true, userIds: [] });
    for (const p of doc.parties.filter((q) => !q.operator)) {
      const users = world.users.filter((u) => u.partyId === p.id).map((u) => ({ userId: u.userId, role: u.role }));
      assert.deepEqual(p.userIds, users, p.id);
    }
    assert.deepEqual(doc.devices, world.devices.map((d) => ({ deviceId: d.deviceId, type: d.deviceType })));
    const validFrom = Date.parse(world.validFrom);
    assert.deepEqual(doc.links, world.devices.map((d) => ({ deviceId: d.deviceId, history: d.mpxns.map((mpxn) => ({ mpxn, from: validFrom, to: null })) })));
    assert.equal(doc.registrations.length, 2 * world.supplyPoints.length);
    const certified = world.devices.filter((d) => d.deviceType === 'ESME' || d.deviceType === 'GSME' || d.deviceType === 'GPF');
    assert.deepEqual(doc.certificates.map((c) => c.deviceId), certified.map((d) => d.deviceId));
  });

  test('roles fit the supply point, and the right parties hold them', () => {
    const roles = new Map(world.users.map((u) => [`${u.partyId}/${u.role}`, u]));
    const points = new Map(world.supplyPoints.map((sp) => [sp.mpxn, sp]));
    for (const r of doc.registrations) {
      const sp = points.get(r.mpxn)!;
      const expected = sp.fuel === 'electricity' ? ['IS', 'ED'] : ['GS', 'GT'];
      assert.ok(expected.includes(r.role), `${r.role} on ${r.mpxn}`);
      assert.match(r.mpxn, sp.fuel === 'electricity' ? /^\d{13}$/ : /^\d{6,10}$/);
      for (const h of r.history) assert.ok(roles.has(`${h.partyId}/${r.role}`), `${h.partyId} holds no ${r.role} User ID`);
      const first = r.history[0]!;
      const userId = r.role === 'IS' || r.role === 'GS' ? sp.supplierUserId : sp.networkOperatorUserId;
      assert.equal(first.partyId, world.users.find((u) => u.userId === userId)!.partyId);
    }
    const deviceTypes = new Map(world.devices.map((d) => [d.deviceId, d.deviceType]));
    for (const c of doc.certificates) {
      const role = deviceTypes.get(c.deviceId) === 'ESME' ? 'ED' : 'GT';
      for (const h of c.history) assert.ok(roles.has(`${h.partyId}/${role}`), `${h.partyId} holds no ${role} User ID`);
    }
  });

  test('changes suppliers and certificates at the given rates, inside the window, without overlaps', () => {
    const [start, end] = [OPTS.start.getTime(), OPTS.end.getTime()];
    const check = (history: readonly PartyPeriod[], what: string) => {
      for (let i = 1; i < history.length; i++) {
        assert.equal(history[i]!.from, history[i - 1]!.to, `${what}: periods follow each other`);
        assert.notEqual(history[i]!.partyId, history[i - 1]!.partyId, `${what}: a change changes the party`);
      }
      for (const h of history) {
        if (h.to !== null) assert.ok(h.to >= start && h.to < end, `${what}: change inside the window`);
      }
    };
    const suppliers = doc.registrations.filter((r) => r.role === 'IS' || r.role === 'GS');
    const operators = doc.registrations.filter((r) => r.role === 'ED' || r.role === 'GT');
    suppliers.forEach((r) => check(r.history, `${r.mpxn}/${r.role}`));
    doc.certificates.forEach((c) => check(c.history, c.deviceId));
    assert.ok(operators.every((r) => !changed(r.history)));
    const cos = suppliers.filter((r) => changed(r.history)).length / suppliers.length;
    assert.ok(cos > 0.01 && cos < 0.03, `change of supplier share ${cos}`);
    assert.ok(suppliers.filter((r) => changed(r.history)).every((r) => r.history.length === 2 && r.history[1]!.to === null));
    const moved = doc.certificates.filter((c) => changed(c.history));
    assert.ok(moved.length > 0 && moved.length / doc.certificates.length < 0.02, `certificate changes ${moved.length}`);
    assert.ok(moved.some((c) => c.history.length === 1) && moved.some((c) => c.history.length === 2), 'certificates both end and move');

    const none = referenceDocument(world, { ...OPTS, changeOfSupplierRate: 0, certificateChangeRate: 0 });
    assert.ok([...none.registrations, ...none.certificates].every((h) => !changed(h.history)));
    assert.throws(() => referenceDocument(world, { ...OPTS, changeOfSupplierRate: 2 }), /changeOfSupplierRate/);
    assert.throws(() => referenceDocument(world, { ...OPTS, start: new Date(Date.parse(world.validFrom)) }), /start/);
  });

  test('slices hold the same content, parties first, each supply point once and beside its devices', () => {
    const slices = [...referenceDocumentSlices(world, OPTS, 500)];
    assert.ok(slices.length >= 8, `${slices.length} slices`);
    assert.deepEqual(slices[0]!.parties, doc.parties);
    assert.ok(slices.slice(1).every((s) => s.parties.length === 0));
    for (const section of ['devices', 'links', 'registrations', 'certificates'] as const) {
      assert.deepEqual(slices.flatMap((s) => s[section] as unknown[]), doc[section] as unknown[], section);
    }
    for (const s of slices) {
      assert.ok(s.devices.length >= 500 || s === slices.at(-1), 'whole slices but the last');
      assert.ok(s.devices.length < 500 + 10, 'a slice ends with the premises that filled it');
      const linked = new Set(s.links.flatMap((l) => l.history.map((h) => h.mpxn)));
      const devices = new Set(s.devices.map((d) => d.deviceId));
      assert.ok(s.registrations.every((r) => linked.has(r.mpxn)));
      assert.ok(s.certificates.every((c) => devices.has(c.deviceId)));
      assert.ok(validateReferenceDocument(asInput(s)).ok);
    }
  });
});

describe('referenceDocument in a store', () => {
  // A short window, so that traffic of a few seconds straddles many changes of supplier.
  const start = START;
  const world = createWorld({ seed: 9, devices: 300, start });
  const opts: ReferenceDataOptions = { seed: 9, start, end: new Date(start.getTime() + 3000), changeOfSupplierRate: 0.5, certificateChangeRate: 0.1 };
  const doc = referenceDocument(world, opts);
  let store: MessageStore;

  before(async () => {
    store = await openStore('sqlite::memory:');
    for (const slice of referenceDocumentSlices(world, opts, 40)) await store.reference.apply(slice);
    const records = [...generateTraffic(world, { seed: 9, count: 4000, start })];
    for (let i = 0; i < records.length; i += 1000) {
      const inputs = records.slice(i, i + 1000).map((r) => ({ xml: Buffer.from(r.xml), text: r.xml, receivedAt: Date.parse(r.receivedAt) }));
      const { batch, rejections } = prepareBatch(inputs);
      assert.deepEqual(rejections, []);
      await store.ingest(batch);
    }
  });
  after(() => store.close());

  test('the store holds what the slices carry', async () => {
    assert.deepEqual((await store.reference.listParties()).map((p) => p.id).sort(), doc.parties.map((p) => p.id).sort());
    const cert = doc.certificates.find((c) => c.history.length === 2)!;
    assert.deepEqual((await store.reference.getDevice(cert.deviceId)).certificates, cert);
    const reg = doc.registrations.find((r) => r.history.length === 2)!;
    assert.deepEqual((await store.reference.getRegistrations(reg.mpxn)).find((r) => r.role === reg.role), reg);
  });

  test("a supplier sees its devices' traffic, before or after a change of supplier as registered", async () => {
    const registrations = new Map(doc.registrations.filter((r) => r.role === 'IS').map((r) => [r.mpxn, r.history]));
    const esmes = world.devices.filter((d) => d.deviceType === 'ESME');
    let steady = 0;
    let switched = 0;
    for (const d of esmes) {
      const history = registrations.get(d.mpxns[0]!)!;
      const all = (await store.listMessages({ deviceId: d.deviceId, limit: 1000 })).items;
      if (all.length === 0) continue;
      for (const period of history) {
        const view = await store.forParty(period.partyId);
        const seen = new Set((await view.listMessages({ deviceId: d.deviceId, limit: 1000 })).items.map((m) => m.id));
        const inPeriod = all.filter((m) => m.time.getTime() >= period.from && (period.to === null || m.time.getTime() < period.to));
        for (const m of inPeriod) assert.ok(seen.has(m.id), `${period.partyId} sees message ${m.id} on ${d.deviceId}`);
      }
      if (history.length === 1) steady++;
      else if (all.some((m) => m.time.getTime() < history[0]!.to!) && all.some((m) => m.time.getTime() >= history[0]!.to!)) switched++;
    }
    assert.ok(steady > 5 && switched > 2, `steady ${steady}, switched with traffic on both sides ${switched}`);
  });

  test('a supplier sees nothing of a device it never supplied but its own traffic', async () => {
    const registrations = new Map(doc.registrations.filter((r) => r.role === 'IS').map((r) => [r.mpxn, r.history]));
    const suppliers = doc.parties.filter((p) => p.userIds.some((u) => u.role === 'IS'));
    let checked = 0;
    for (const d of world.devices.filter((x) => x.deviceType === 'ESME').slice(0, 40)) {
      const holders = new Set(registrations.get(d.mpxns[0]!)!.map((h) => h.partyId));
      for (const p of suppliers.filter((s) => !holders.has(s.id))) {
        const own = new Set(p.userIds.map((u) => u.userId));
        const page = await (await store.forParty(p.id)).listMessages({ deviceId: d.deviceId, limit: 1000 });
        for (const m of page.items) {
          const mine = m.kind === 'request' || m.kind === 'acknowledgement' ? m.originatorId : m.recipientId;
          assert.ok(mine !== null && own.has(mine), `${p.id} sees message ${m.id} on ${d.deviceId} (not its own)`);
        }
        checked++;
      }
    }
    assert.ok(checked > 40);
  });

  test('the DCC operator party sees everything', async () => {
    const ops = await store.forParty(DCC_OPERATOR_PARTY_ID);
    assert.equal(ops.operator, true);
    const all = await store.listMessages({ limit: 200 });
    assert.deepEqual((await ops.listMessages({ limit: 200 })).items.map((m) => m.id), all.items.map((m) => m.id));
  });
});
