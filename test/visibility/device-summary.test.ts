import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DeviceSummary, PartyView } from '../../src/store/message-store.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import * as f from '../store-suite/fixtures.js';
import { doc, ingest, party, period } from './scenario-helpers.js';
import { resetStore } from './store-reset.js';

// PartyView.deviceSummary: windows, links and responsible parties clipped to the caller's windows, counts
// exactly as listMessages({ deviceId }), and nothing at all (undefined) for a party with no access.
const OLD_SUPPLIER = '90-B3-D5-1F-30-01-00-00'; // IS
const NEW_SUPPLIER = '90-B3-D5-1F-30-01-00-01'; // IS
const GAS_SUPPLIER = '90-B3-D5-1F-30-03-00-00'; // GS
const DNO = '90-B3-D5-1F-30-02-00-00'; // ED
const DNO2 = '90-B3-D5-1F-30-02-00-01'; // ED
const OTHER_USER = '90-B3-D5-1F-30-04-00-00'; // OU
const NOBODY = '90-B3-D5-1F-30-04-00-01'; // OU, never involved
const STRANGER = '90-B3-D5-1F-30-FF-FF-00'; // in no party's list
const MPAN = '1200000000001';
const EARLIER_MPAN = '1200000000002';
const MPRN = '3000000001';

const ZERO_KINDS = { request: 0, acknowledgement: 0, response: 0, 'device-alert': 0, 'dcc-alert': 0 };
const d = (iso: string) => new Date(iso);

/**
 * The ESME hung on EARLIER_MPAN (new-supplier's) in the second half of 2025, then on MPAN from 2026: old-supplier
 * until the Change of Supplier on 1 March, new-supplier after. Its network-operator certificate moved from dno to
 * dno2 on 15 February.
 */
const WORLD = doc({
  parties: [
    party('old-supplier', [[OLD_SUPPLIER, 'IS']]),
    party('new-supplier', [[NEW_SUPPLIER, 'IS']]),
    party('gas-supplier', [[GAS_SUPPLIER, 'GS']]),
    party('dno', [[DNO, 'ED']]),
    party('dno2', [[DNO2, 'ED']]),
    party('other', [[OTHER_USER, 'OU']]),
    party('nobody', [[NOBODY, 'OU']]),
    party('ops', [], true),
  ],
  devices: [
    { deviceId: f.ESME, type: 'ESME' },
    { deviceId: f.GSME, type: 'GSME' },
    { deviceId: f.GPF, type: 'GPF' },
  ],
  links: [
    { deviceId: f.ESME, history: [{ mpxn: EARLIER_MPAN, ...period('2025-06-01T00:00:00Z', '2025-12-01T00:00:00Z') }, { mpxn: MPAN, ...period('2026-01-01T00:00:00Z', null) }] },
    { deviceId: f.GSME, history: [{ mpxn: MPRN, ...period('2026-01-01T00:00:00Z', null) }] },
  ],
  registrations: [
    {
      mpxn: MPAN,
      role: 'IS',
      history: [
        { partyId: 'old-supplier', ...period('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z') },
        { partyId: 'new-supplier', ...period('2026-03-01T00:00:00Z', null) },
      ],
    },
    { mpxn: EARLIER_MPAN, role: 'IS', history: [{ partyId: 'new-supplier', ...period('2025-01-01T00:00:00Z', null) }] },
    { mpxn: MPRN, role: 'GS', history: [{ partyId: 'gas-supplier', ...period('2026-01-01T00:00:00Z', null) }] },
  ],
  certificates: [
    { deviceId: f.ESME, history: [{ partyId: 'dno', ...period('2026-01-01T00:00:00Z', '2026-02-15T00:00:00Z') }, { partyId: 'dno2', ...period('2026-02-15T00:00:00Z', null) }] },
  ],
});

/** Every message on the ESME, plus one on the GSME that no ESME summary may count. */
async function ingestTraffic(store: KyselyMessageStore): Promise<void> {
  const read = f.reqId(OTHER_USER, f.ESME, 1);
  await ingest(store, [
    [f.request(read, '4.1.1'), '2026-02-01T00:00:00.000Z'], // old-supplier, dno; other's own
    [f.acknowledgement(read), '2026-02-01T00:00:00.500Z'],
    [f.response(read, { responder: f.ESME, recipient: OTHER_USER, counter: '1' }, { at: '2026-02-01T00:00:01.000Z' }), '2026-02-01T00:00:01.000Z'],
    [f.request(f.reqId(OLD_SUPPLIER, f.ESME, 2), '7.2'), '2026-02-20T00:00:00.000Z'], // old-supplier, dno2
    // A second, future-dated response to the first read after the CoS: old-supplier and dno by the thread.
    [f.response(read, { responder: f.ESME, recipient: OTHER_USER, counter: '2' }, { at: '2026-03-02T00:00:00.000Z' }), '2026-03-02T00:00:00.000Z'],
    [f.request(f.reqId(OLD_SUPPLIER, f.ESME, 3), '4.1.1'), '2026-03-05T00:00:00.000Z'], // old-supplier's own, after its window
    [f.deviceAlert(null, { responder: f.ESME, recipient: NEW_SUPPLIER, counter: '3' }, '8F66', '2026-03-10T00:00:00.000Z'), '2026-03-10T00:00:01.000Z'],
    [f.request(f.reqId(STRANGER, f.ESME, 4), '4.1.1'), '2026-03-11T00:00:00.000Z'],
    [f.request(f.reqId(OTHER_USER, f.GSME, 5), '4.1.1'), '2026-02-01T00:00:00.000Z'],
  ]);
}

/** The summary, asserting its counts equal what listMessages({ deviceId }) returns to the same party. */
async function summaryOf(store: KyselyMessageStore, partyId: string, deviceId = f.ESME): Promise<DeviceSummary | undefined> {
  const view = await store.forParty(partyId);
  const summary = await view.deviceSummary(deviceId);
  const listed = await listAll(view, deviceId);
  assert.equal(summary?.counts.total ?? 0, listed.length, `${partyId}: counts.total against listMessages({ deviceId })`);
  if (summary) {
    const byKind = { ...ZERO_KINDS };
    for (const m of listed) byKind[m.kind]++;
    assert.deepEqual(summary.counts.byKind, byKind, `${partyId}: counts.byKind against the listing`);
  }
  return summary;
}

async function listAll(view: PartyView, deviceId: string) {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await view.listMessages({ deviceId, limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

for (const backend of BACKENDS) {
  describe(`device summaries (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    beforeEach(() => resetStore(store));
    after(() => backend.destroy(store));

    it('Change of Supplier: each supplier sees links and responsible parties of its own period only', async () => {
      await store.reference.apply(WORLD);
      await ingestTraffic(store);
      assert.deepEqual(await summaryOf(store, 'old-supplier'), {
        deviceId: f.ESME,
        type: 'ESME',
        links: [{ mpxn: MPAN, from: d('2026-01-01T00:00:00Z'), to: d('2026-03-01T00:00:00Z') }],
        responsible: [
          { partyId: 'dno', basis: 'network-operator', role: 'ED', mpxn: null, from: d('2026-01-01T00:00:00Z'), to: d('2026-02-15T00:00:00Z') },
          { partyId: 'old-supplier', basis: 'responsible-supplier', role: 'IS', mpxn: MPAN, from: d('2026-01-01T00:00:00Z'), to: d('2026-03-01T00:00:00Z') },
          { partyId: 'dno2', basis: 'network-operator', role: 'ED', mpxn: null, from: d('2026-02-15T00:00:00Z'), to: d('2026-03-01T00:00:00Z') },
        ],
        windows: [{ basis: 'responsible-supplier', from: d('2026-01-01T00:00:00Z'), to: d('2026-03-01T00:00:00Z') }],
        // Both reads of February, its two own requests (one after its window), the thread's late response.
        counts: { total: 6, byKind: { ...ZERO_KINDS, request: 3, acknowledgement: 1, response: 2 }, byOriginatorRole: { OU: 4, IS: 2 } },
      });
      assert.deepEqual(await summaryOf(store, 'new-supplier'), {
        deviceId: f.ESME,
        type: 'ESME',
        links: [
          { mpxn: EARLIER_MPAN, from: d('2025-06-01T00:00:00Z'), to: d('2025-12-01T00:00:00Z') },
          { mpxn: MPAN, from: d('2026-03-01T00:00:00Z'), to: null },
        ],
        responsible: [
          { partyId: 'new-supplier', basis: 'responsible-supplier', role: 'IS', mpxn: EARLIER_MPAN, from: d('2025-06-01T00:00:00Z'), to: d('2025-12-01T00:00:00Z') },
          { partyId: 'dno2', basis: 'network-operator', role: 'ED', mpxn: null, from: d('2026-03-01T00:00:00Z'), to: null },
          { partyId: 'new-supplier', basis: 'responsible-supplier', role: 'IS', mpxn: MPAN, from: d('2026-03-01T00:00:00Z'), to: null },
        ],
        windows: [
          { basis: 'responsible-supplier', from: d('2025-06-01T00:00:00Z'), to: d('2025-12-01T00:00:00Z') },
          { basis: 'responsible-supplier', from: d('2026-03-01T00:00:00Z'), to: null },
        ],
        counts: {
          total: 4,
          byKind: { ...ZERO_KINDS, request: 2, response: 1, 'device-alert': 1 },
          byOriginatorRole: { OU: 1, IS: 1, unknown: 1, none: 1 },
        },
      });
      // Nothing of the old supplier's period leaks into the new supplier's summary, or the reverse.
      const newer = JSON.stringify(await summaryOf(store, 'new-supplier'));
      assert.ok(!newer.includes('old-supplier') && !newer.includes('"dno"'), newer);
      const older = JSON.stringify(await summaryOf(store, 'old-supplier'));
      assert.ok(!older.includes('new-supplier') && !older.includes(EARLIER_MPAN), older);
    });

    it('network operators on either side of a certificate change', async () => {
      await store.reference.apply(WORLD);
      await ingestTraffic(store);
      const dno = await summaryOf(store, 'dno');
      assert.deepEqual(dno?.windows, [{ basis: 'network-operator', from: d('2026-01-01T00:00:00Z'), to: d('2026-02-15T00:00:00Z') }]);
      assert.deepEqual(dno?.links, [{ mpxn: MPAN, from: d('2026-01-01T00:00:00Z'), to: d('2026-02-15T00:00:00Z') }]);
      assert.deepEqual(dno?.responsible.map((r) => [r.partyId, r.from.toISOString(), r.to?.toISOString() ?? null]), [
        ['dno', '2026-01-01T00:00:00.000Z', '2026-02-15T00:00:00.000Z'],
        ['old-supplier', '2026-01-01T00:00:00.000Z', '2026-02-15T00:00:00.000Z'],
      ]);
      assert.deepEqual(dno?.counts, { total: 4, byKind: { ...ZERO_KINDS, request: 1, acknowledgement: 1, response: 2 }, byOriginatorRole: { OU: 4 } });

      const dno2 = await summaryOf(store, 'dno2');
      assert.deepEqual(dno2?.windows, [{ basis: 'network-operator', from: d('2026-02-15T00:00:00Z'), to: null }]);
      assert.deepEqual(dno2?.links, [{ mpxn: MPAN, from: d('2026-02-15T00:00:00Z'), to: null }]);
      assert.deepEqual(dno2?.responsible.map((r) => [r.partyId, r.from.toISOString(), r.to?.toISOString() ?? null]), [
        ['dno2', '2026-02-15T00:00:00.000Z', null],
        ['old-supplier', '2026-02-15T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
        ['new-supplier', '2026-03-01T00:00:00.000Z', null],
      ]);
      assert.deepEqual(dno2?.counts, {
        total: 5,
        byKind: { ...ZERO_KINDS, request: 3, response: 1, 'device-alert': 1 },
        byOriginatorRole: { IS: 2, OU: 1, unknown: 1, none: 1 },
      });
    });

    it('a party that only sent requests sees counts of its own traffic and nothing of the device', async () => {
      await store.reference.apply(WORLD);
      await ingestTraffic(store);
      assert.deepEqual(await summaryOf(store, 'other'), {
        deviceId: f.ESME,
        type: 'ESME',
        links: [],
        responsible: [],
        windows: [],
        counts: { total: 4, byKind: { ...ZERO_KINDS, request: 1, acknowledgement: 1, response: 2 }, byOriginatorRole: { OU: 4 } },
      });
    });

    it('no access reads as no device: undefined, as for a device that does not exist or an id that is not one', async () => {
      await store.reference.apply(WORLD);
      await ingestTraffic(store);
      assert.equal(await summaryOf(store, 'nobody'), undefined);
      assert.equal(await summaryOf(store, 'gas-supplier'), undefined); // supplies the GSME, never the ESME
      assert.equal(await summaryOf(store, 'old-supplier', f.GPF), undefined); // in the reference data, not its
      assert.equal(await summaryOf(store, 'old-supplier', '00-DB-12-34-56-78-90-FF'), undefined);
      for (const junk of ['', 'ESME', '00-DB-12-34-56-78-90', '00:DB:12:34:56:78:90:A0', '1200000000001']) {
        assert.equal(await (await store.forParty('ops')).deviceSummary(junk), undefined, JSON.stringify(junk));
        assert.equal(await (await store.forParty('old-supplier')).deviceSummary(junk), undefined, JSON.stringify(junk));
      }
      // Any accepted spelling is the same device.
      const canonical = await summaryOf(store, 'old-supplier');
      assert.deepEqual(await (await store.forParty('old-supplier')).deviceSummary(' 00db1234567890a0 '), canonical);
      assert.deepEqual(await (await store.forParty('old-supplier')).deviceSummary('00-db-12-34-56-78-90-a0'), canonical);
    });

    it('an operator sees every link and responsible party unclipped, and every message', async () => {
      await store.reference.apply(WORLD);
      await ingestTraffic(store);
      const ops = await summaryOf(store, 'ops');
      assert.deepEqual(ops?.windows, [{ basis: 'operator', from: new Date(-8_640_000_000_000_000), to: null }]);
      assert.deepEqual(ops?.links, [
        { mpxn: EARLIER_MPAN, from: d('2025-06-01T00:00:00Z'), to: d('2025-12-01T00:00:00Z') },
        { mpxn: MPAN, from: d('2026-01-01T00:00:00Z'), to: null },
      ]);
      assert.deepEqual(ops?.responsible.map((r) => [r.partyId, r.basis, r.role, r.mpxn, r.from.toISOString(), r.to?.toISOString() ?? null]), [
        ['new-supplier', 'responsible-supplier', 'IS', EARLIER_MPAN, '2025-06-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z'],
        ['dno', 'network-operator', 'ED', null, '2026-01-01T00:00:00.000Z', '2026-02-15T00:00:00.000Z'],
        ['old-supplier', 'responsible-supplier', 'IS', MPAN, '2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
        ['dno2', 'network-operator', 'ED', null, '2026-02-15T00:00:00.000Z', null],
        ['new-supplier', 'responsible-supplier', 'IS', MPAN, '2026-03-01T00:00:00.000Z', null],
      ]);
      assert.deepEqual(ops?.counts, {
        total: 8,
        byKind: { ...ZERO_KINDS, request: 4, acknowledgement: 1, response: 2, 'device-alert': 1 },
        byOriginatorRole: { OU: 4, IS: 2, unknown: 1, none: 1 },
      });
      // Only in the reference data: a summary with no messages. Only in messages: type null. Neither: undefined.
      const gpf = await summaryOf(store, 'ops', f.GPF);
      assert.deepEqual([gpf?.type, gpf?.links, gpf?.responsible, gpf?.counts.total], ['GPF', [], [], 0]);
      await ingest(store, [[f.request(f.reqId(OTHER_USER, f.PPMID, 9), '4.1.1'), '2026-02-01T00:00:00.000Z']]);
      const ppmid = await summaryOf(store, 'ops', f.PPMID);
      assert.deepEqual([ppmid?.type, ppmid?.links, ppmid?.counts.total, ppmid?.counts.byOriginatorRole], [null, [], 1, { OU: 1 }]);
      assert.equal(await summaryOf(store, 'ops', '00-DB-12-34-56-78-90-FF'), undefined);
      // A certificate alone is reference data too.
      await store.reference.apply(doc({ certificates: [{ deviceId: '00-DB-12-34-56-78-90-FE', history: [{ partyId: 'other', ...period('2026-01-01T00:00:00Z', null) }] }] }));
      assert.deepEqual((await summaryOf(store, 'ops', '00-DB-12-34-56-78-90-FE'))?.responsible, []); // no ED / GT User ID: not an operator
    });

    it('a window from two supply points of a CHF merges; a certificate with no ED or GT User ID is no window', async () => {
      await store.reference.apply({
        ...WORLD,
        parties: [...WORLD.parties, party('dual', [['90-B3-D5-1F-30-05-00-00', 'IS'], ['90-B3-D5-1F-30-05-00-01', 'GS']])],
        links: [{ deviceId: f.CHF, history: [{ mpxn: MPAN, ...period('2026-01-01T00:00:00Z', null) }, { mpxn: MPRN, ...period('2026-02-01T00:00:00Z', null) }] }],
        registrations: [
          { mpxn: MPAN, role: 'IS', history: [{ partyId: 'dual', ...period('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z') }] },
          { mpxn: MPRN, role: 'GS', history: [{ partyId: 'dual', ...period('2026-03-01T00:00:00Z', null) }] },
        ],
        certificates: [{ deviceId: f.CHF, history: [{ partyId: 'other', ...period('2026-01-01T00:00:00Z', null) }] }],
      });
      const dual = await (await store.forParty('dual')).deviceSummary(f.CHF);
      assert.deepEqual(dual?.windows, [{ basis: 'responsible-supplier', from: d('2026-01-01T00:00:00Z'), to: null }]);
      assert.deepEqual(dual?.links.map((l) => [l.mpxn, l.from.toISOString()]), [[MPAN, '2026-01-01T00:00:00.000Z'], [MPRN, '2026-02-01T00:00:00.000Z']]);
      assert.equal(dual?.counts.total, 0);
      assert.equal(await (await store.forParty('other')).deviceSummary(f.CHF), undefined);
    });

    it('depends on nothing outside the windows: changes elsewhere leave a supplier summary unchanged', async () => {
      await store.reference.apply(WORLD);
      await ingestTraffic(store);
      const before = await summaryOf(store, 'old-supplier');
      // After its window: another supplier, another certificate holder, another link, more messages.
      await store.reference.apply({
        ...doc({}),
        parties: [party('third', [['90-B3-D5-1F-30-06-00-00', 'IS']])],
        links: [
          {
            deviceId: f.ESME,
            history: [
              { mpxn: EARLIER_MPAN, ...period('2025-06-01T00:00:00Z', '2025-12-01T00:00:00Z') },
              { mpxn: MPAN, ...period('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z') },
              { mpxn: MPRN, ...period('2026-06-01T00:00:00Z', null) },
            ],
          },
        ],
        registrations: [
          {
            mpxn: MPAN,
            role: 'IS',
            history: [{ partyId: 'old-supplier', ...period('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z') }, { partyId: 'third', ...period('2026-03-01T00:00:00Z', null) }],
          },
        ],
        certificates: [
          {
            deviceId: f.ESME,
            history: [
              { partyId: 'dno', ...period('2026-01-01T00:00:00Z', '2026-02-15T00:00:00Z') },
              { partyId: 'dno2', ...period('2026-02-15T00:00:00Z', '2026-03-01T00:00:00Z') },
              { partyId: 'dno', ...period('2026-03-01T00:00:00Z', null) },
            ],
          },
        ],
      });
      await ingest(store, [
        [f.request(f.reqId(STRANGER, f.ESME, 50), '4.1.1'), '2026-03-20T00:00:00.000Z'],
        [f.request(f.reqId(NEW_SUPPLIER, f.ESME, 51), '4.1.1'), '2025-12-31T23:59:59.999Z'],
      ]);
      assert.deepEqual(await summaryOf(store, 'old-supplier'), before);
    });

    it('counts many thousands of messages exactly, across slices', async () => {
      await store.reference.apply(WORLD);
      // 6,000 reads a minute apart from 27 February: 2,880 before the CoS (old-supplier), 3,120 after (new-supplier).
      const start = Date.parse('2026-02-27T00:00:00.000Z');
      const inputs = Array.from({ length: 6000 }, (_, i) => {
        const originator = i % 3 === 0 ? OTHER_USER : i % 3 === 1 ? STRANGER : DNO2;
        return { message: f.request(f.reqId(originator, f.ESME, 1000 + i), '4.1.1'), receivedAt: start + i * 60_000 };
      });
      for (let i = 0; i < inputs.length; i += 2000) await store.ingest(f.batchOf(inputs.slice(i, i + 2000)));
      const roles = (from: number, to: number) => {
        const out: Record<string, number> = {};
        for (let i = from; i < to; i++) {
          const role = i % 3 === 0 ? 'OU' : i % 3 === 1 ? 'unknown' : 'ED';
          out[role] = (out[role] ?? 0) + 1;
        }
        return out;
      };
      const old = await summaryOf(store, 'old-supplier');
      assert.deepEqual(old?.counts, { total: 2880, byKind: { ...ZERO_KINDS, request: 2880 }, byOriginatorRole: roles(0, 2880) });
      const newer = await summaryOf(store, 'new-supplier');
      assert.deepEqual(newer?.counts, { total: 3120, byKind: { ...ZERO_KINDS, request: 3120 }, byOriginatorRole: roles(2880, 6000) });
      assert.equal((await summaryOf(store, 'ops'))?.counts.total, 6000);
      assert.equal((await summaryOf(store, 'other'))?.counts.total, 2000);
      // dno2: its own 2,000 plus everything after 15 February; dno: nothing of these.
      assert.equal((await summaryOf(store, 'dno2'))?.counts.total, 6000);
      // dno had a window (before all of these): a summary, with nothing counted.
      assert.deepEqual((await summaryOf(store, 'dno'))?.counts, { total: 0, byKind: ZERO_KINDS, byOriginatorRole: {} });
    });
  });
}
