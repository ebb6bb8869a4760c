import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import * as f from '../store-suite/fixtures.js';
import { doc, expectSees, ingest, mentions, party, period, reasonOf, rulesOf } from './scenario-helpers.js';
import { resetStore } from './store-reset.js';

// Named MP141 scenarios with hand-written reference data: exact visibility per party, the rule that grants it,
// and reason texts naming the concrete User ID, MPxN and dates.
const OLD_SUPPLIER = '90-B3-D5-1F-30-01-00-00'; // IS
const NEW_SUPPLIER = '90-B3-D5-1F-30-01-00-01'; // IS
const GAS_SUPPLIER = '90-B3-D5-1F-30-03-00-00'; // GS
const DNO = '90-B3-D5-1F-30-02-00-00'; // ED
const OTHER_USER = '90-B3-D5-1F-30-04-00-00'; // OU
const MPAN = '1200000000001';
const MPRN = '3000000001';

const PARTIES = doc({
  parties: [
    party('old-supplier', [[OLD_SUPPLIER, 'IS']]),
    party('new-supplier', [[NEW_SUPPLIER, 'IS']]),
    party('gas-supplier', [[GAS_SUPPLIER, 'GS']]),
    party('dno', [[DNO, 'ED']]),
    party('other', [[OTHER_USER, 'OU']]),
  ],
  devices: [
    { deviceId: f.ESME, type: 'ESME' },
    { deviceId: f.GSME, type: 'GSME' },
    { deviceId: f.CHF, type: 'CHF' },
  ],
});
const linkEsme = { deviceId: f.ESME, history: [{ mpxn: MPAN, ...period('2026-01-01T00:00:00Z', null) }] };
const registeredTo = (partyId: string, from: string, to: string | null) => ({ partyId, ...period(from, to) });

for (const backend of BACKENDS) {
  describe(`visibility scenarios (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    beforeEach(() => resetStore(store));
    after(() => backend.destroy(store));

    it('Change of Supplier mid-stream: each supplier sees its own period, a thread follows its request', async () => {
      await store.reference.apply({
        ...PARTIES,
        links: [linkEsme],
        registrations: [
          { mpxn: MPAN, role: 'IS', history: [registeredTo('old-supplier', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'), registeredTo('new-supplier', '2026-03-01T00:00:00Z', null)] },
        ],
      });
      const before = f.reqId(OTHER_USER, f.ESME, 1);
      const atCos = f.reqId(OTHER_USER, f.ESME, 2);
      const [req1, req2, late, req3] = await ingest(store, [
        [f.request(before, '4.1.1'), '2026-02-28T23:59:59.999Z'],
        [f.request(atCos, '4.1.1'), '2026-03-01T00:00:00.000Z'], // the boundary belongs to the new period
        // Answers the pre-CoS request after the CoS: the old supplier by the thread, the new one by its period.
        [f.response(before, { responder: f.ESME, recipient: OTHER_USER, counter: '1' }, { at: '2026-03-01T00:00:05.000Z' }), '2026-03-01T00:00:06.000Z'],
        [f.request(f.reqId(OTHER_USER, f.ESME, 3), '7.2'), '2026-03-05T10:00:00.000Z'],
      ]);
      const all = [req1!, req2!, late!, req3!];
      await expectSees(store, 'old-supplier', all, [req1!, late!]);
      await expectSees(store, 'new-supplier', all, [req2!, late!, req3!]);
      await expectSees(store, 'other', all, all);
      assert.deepEqual(await rulesOf(store, 'old-supplier', late!), ['thread']);
      assert.deepEqual(await rulesOf(store, 'new-supplier', late!), ['responsible-supplier']);
      const old = await reasonOf(store, 'old-supplier', req1!, 'responsible-supplier');
      assert.deepEqual([old.mpxn, old.role, old.registeredFrom, old.registeredTo], [MPAN, 'IS', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z']);
      mentions(old.text, MPAN, 'IS', f.ESME, '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z');
      mentions((await reasonOf(store, 'new-supplier', req2!, 'responsible-supplier')).text, MPAN, '2026-03-01T00:00:00Z');
      mentions((await reasonOf(store, 'other', req1!, 'own')).text, OTHER_USER);
    });

    it('network operator certificate added, then removed by SRV 6.15.1, then erased by a correction', async () => {
      await store.reference.apply({ ...PARTIES, links: [linkEsme] });
      const ids = await ingest(store, [
        [f.request(f.reqId(OLD_SUPPLIER, f.ESME, 1), '4.1.1'), '2026-02-01T12:00:00.000Z'],
        [f.request(f.reqId(OLD_SUPPLIER, f.ESME, 2), '4.1.1'), '2026-02-10T12:00:00.000Z'],
        [f.request(f.reqId(OLD_SUPPLIER, f.ESME, 3), '4.1.1'), '2026-02-20T12:00:00.000Z'],
      ]);
      const [, middle, late] = ids as [string, string, string];
      await expectSees(store, 'dno', ids, []);
      await store.reference.apply(doc({ certificates: [{ deviceId: f.ESME, history: [{ partyId: 'dno', ...period('2026-02-05T00:00:00Z', null) }] }] }));
      await expectSees(store, 'dno', ids, [middle, late]);
      await store.reference.apply(
        doc({ certificates: [{ deviceId: f.ESME, history: [{ partyId: 'dno', ...period('2026-02-05T00:00:00Z', '2026-02-15T00:00:00Z') }] }] }),
      );
      await expectSees(store, 'dno', ids, [middle]);
      const reason = await reasonOf(store, 'dno', middle, 'network-operator');
      assert.deepEqual([reason.deviceId, reason.userId, reason.role, reason.certificateTo], [f.ESME, DNO, 'ED', '2026-02-15T00:00:00Z']);
      mentions(reason.text, f.ESME, DNO, 'ED', '2026-02-05T00:00:00Z', '2026-02-15T00:00:00Z');
      // A certificate held by a party without an ED or GT User ID grants nothing.
      await store.reference.apply(doc({ certificates: [{ deviceId: f.ESME, history: [{ partyId: 'other', ...period('2026-01-01T00:00:00Z', null) }] }] }));
      await expectSees(store, 'dno', ids, []);
      await expectSees(store, 'other', ids, []);
      await store.reference.apply(doc({ certificates: [{ deviceId: f.ESME, history: [] }] }));
      await expectSees(store, 'dno', ids, []);
    });

    it('a CHF shared by the electricity and the gas supplier: both see it, each only its own meter', async () => {
      await store.reference.apply({
        ...PARTIES,
        links: [
          linkEsme,
          { deviceId: f.GSME, history: [{ mpxn: MPRN, ...period('2026-01-01T00:00:00Z', null) }] },
          { deviceId: f.CHF, history: [{ mpxn: MPAN, ...period('2026-01-01T00:00:00Z', null) }, { mpxn: MPRN, ...period('2026-01-01T00:00:00Z', null) }] },
        ],
        registrations: [
          { mpxn: MPAN, role: 'IS', history: [registeredTo('old-supplier', '2026-01-01T00:00:00Z', null)] },
          { mpxn: MPRN, role: 'GS', history: [registeredTo('gas-supplier', '2026-01-01T00:00:00Z', null)] },
        ],
      });
      const ids = await ingest(store, [
        [f.request(f.reqId(OTHER_USER, f.CHF, 1), '6.30'), '2026-02-01T00:00:00.000Z'],
        [f.request(f.reqId(OTHER_USER, f.ESME, 2), '4.1.1'), '2026-02-01T00:00:01.000Z'],
        [f.request(f.reqId(OTHER_USER, f.GSME, 3), '4.1.1'), '2026-02-01T00:00:02.000Z'],
      ]);
      const [chf, esme, gsme] = ids as [string, string, string];
      await expectSees(store, 'old-supplier', ids, [chf, esme]);
      await expectSees(store, 'gas-supplier', ids, [chf, gsme]);
      const gas = await reasonOf(store, 'gas-supplier', chf, 'responsible-supplier');
      assert.deepEqual([gas.deviceId, gas.mpxn, gas.role], [f.CHF, MPRN, 'GS']);
      mentions(gas.text, MPRN, 'GS', f.CHF, '2026-01-01T00:00:00Z');
      assert.equal((await reasonOf(store, 'old-supplier', chf, 'responsible-supplier')).mpxn, MPAN);
    });

    it('a non-device request (CommandVariant 8) is about the devices in its body, and so are its answers', async () => {
      await store.reference.apply({
        ...PARTIES,
        links: [linkEsme],
        registrations: [{ mpxn: MPAN, role: 'IS', history: [registeredTo('old-supplier', '2026-01-01T00:00:00Z', null)] }],
      });
      const inventory = f.reqId(OTHER_USER, f.DCC, 10);
      const decommission = f.reqId(OTHER_USER, f.DCC, 11);
      const ids = await ingest(store, [
        [f.request(inventory, '8.2', { commandVariant: 8, bodyElement: 'ReadInventory', bodyDevices: [f.ESME] }), '2026-02-01T00:00:00.000Z'],
        [f.acknowledgement(inventory, 'I99', false), '2026-02-01T00:00:00.500Z'],
        [f.response(inventory, { responder: f.DCC, recipient: OTHER_USER, counter: '5' }, { srv: '8.2', at: '2026-02-01T00:00:01.000Z', responderIsDevice: false, targetIsDevice: false }), '2026-02-01T00:00:01.000Z'],
        [f.request(decommission, '8.3', { commandVariant: 8, bodyElement: 'DecommissionDevice', bodyDevices: [f.GSME] }), '2026-02-01T00:00:02.000Z'],
      ]);
      const [req, ack, res] = ids as [string, string, string, string];
      await expectSees(store, 'old-supplier', ids, [req, ack, res]);
      assert.deepEqual(await rulesOf(store, 'old-supplier', ack), ['responsible-supplier', 'thread']);
      assert.deepEqual(await rulesOf(store, 'old-supplier', res), ['responsible-supplier', 'thread']);
      const reason = await reasonOf(store, 'old-supplier', req, 'responsible-supplier');
      assert.equal(reason.deviceId, f.ESME);
      mentions(reason.text, f.ESME, MPAN, '2026-01-01T00:00:00Z');
      const thread = await reasonOf(store, 'old-supplier', res, 'thread');
      assert.equal(thread.requestMessageId, req);
      mentions(thread.text, `${OTHER_USER}:${f.DCC}:10`, MPAN);
    });

    it("an alert answering another user's request: the supplier sees the DNO's request and the alert to the DNO", async () => {
      await store.reference.apply({
        ...PARTIES,
        links: [linkEsme],
        registrations: [{ mpxn: MPAN, role: 'IS', history: [registeredTo('old-supplier', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')] }],
      });
      const rid = f.reqId(DNO, f.ESME, 7);
      const ids = await ingest(store, [
        [f.deviceAlert(rid, { responder: f.ESME, recipient: DNO, counter: '1' }, '8F66', '2026-02-20T08:00:00.000Z'), '2026-02-20T08:00:01.000Z'],
        [f.request(rid, '4.8.1'), '2026-02-20T07:59:00.000Z'],
        // Future-dated: the alert comes after the supplier's registration ended; only the thread (t(R)) remains.
        [f.deviceAlert(rid, { responder: f.ESME, recipient: DNO, counter: '2' }, '8F1C', '2026-03-02T08:00:00.000Z'), '2026-03-02T08:00:01.000Z'],
      ]);
      const [alert, req, lateAlert] = ids as [string, string, string];
      await expectSees(store, 'old-supplier', ids, ids);
      await expectSees(store, 'dno', ids, ids);
      assert.deepEqual(await rulesOf(store, 'old-supplier', req), ['responsible-supplier']);
      assert.deepEqual(await rulesOf(store, 'old-supplier', alert), ['responsible-supplier', 'thread']);
      assert.deepEqual(await rulesOf(store, 'old-supplier', lateAlert), ['thread']);
      const own = await reasonOf(store, 'dno', alert, 'own');
      assert.deepEqual([own.userId, own.as], [DNO, 'recipient']);
      mentions((await reasonOf(store, 'old-supplier', lateAlert, 'thread')).text, `${DNO}:${f.ESME}:7`, MPAN, '2026-03-01T00:00:00Z');
    });

    it('a response that arrives before the reference data is invisible, then visible once it is applied', async () => {
      await store.reference.apply(PARTIES);
      const rid = f.reqId(OTHER_USER, f.ESME, 20);
      const [res] = await ingest(store, [
        [f.response(rid, { responder: f.ESME, recipient: OTHER_USER, counter: '9' }, { at: '2026-02-03T00:00:02.000Z' }), '2026-02-03T00:00:03.000Z'],
      ]);
      await expectSees(store, 'old-supplier', [res!], []);
      await store.reference.apply(doc({ links: [linkEsme], registrations: [{ mpxn: MPAN, role: 'IS', history: [registeredTo('old-supplier', '2026-01-01T00:00:00Z', null)] }] }));
      await expectSees(store, 'old-supplier', [res!], [res!]);
      assert.deepEqual(await rulesOf(store, 'old-supplier', res!), ['responsible-supplier']);
      // Its request arrives last: the response now also answers a request the supplier sees.
      const [req] = await ingest(store, [[f.request(rid, '4.1.1'), '2026-02-03T00:00:00.000Z']]);
      await expectSees(store, 'old-supplier', [res!, req!], [res!, req!]);
      assert.deepEqual(await rulesOf(store, 'old-supplier', res!), ['responsible-supplier', 'thread']);
      mentions((await reasonOf(store, 'old-supplier', res!, 'responsible-supplier')).text, MPAN, f.ESME, '2026-01-01T00:00:00Z');
    });

    it('a corrected registration history: visibility follows the correction, an erased one grants nothing', async () => {
      await store.reference.apply({
        ...PARTIES,
        links: [linkEsme],
        registrations: [{ mpxn: MPAN, role: 'IS', history: [registeredTo('old-supplier', '2026-01-01T00:00:00Z', null)] }],
      });
      const ids = await ingest(store, [
        [f.request(f.reqId(DNO, f.ESME, 1), '4.1.1'), '2026-02-01T00:00:00.000Z'],
        [f.request(f.reqId(DNO, f.ESME, 2), '4.1.1'), '2026-02-15T00:00:00.000Z'],
        [f.request(f.reqId(DNO, f.ESME, 3), '4.1.1'), '2026-02-28T00:00:00.000Z'],
      ]);
      const [first, second, third] = ids as [string, string, string];
      await expectSees(store, 'old-supplier', ids, ids);
      await expectSees(store, 'new-supplier', ids, []);
      // The CoS on 15 February had been missed.
      const corrected = [registeredTo('old-supplier', '2026-01-01T00:00:00Z', '2026-02-15T00:00:00Z'), registeredTo('new-supplier', '2026-02-15T00:00:00Z', null)];
      await store.reference.apply(doc({ registrations: [{ mpxn: MPAN, role: 'IS', history: corrected }] }));
      await expectSees(store, 'old-supplier', ids, [first]);
      await expectSees(store, 'new-supplier', ids, [second, third]);
      const reason = await reasonOf(store, 'new-supplier', third, 'responsible-supplier');
      assert.deepEqual([reason.registeredFrom, reason.registeredTo], ['2026-02-15T00:00:00Z', null]);
      mentions(reason.text, MPAN, 'IS', '2026-02-15T00:00:00Z');
      mentions((await reasonOf(store, 'old-supplier', first, 'responsible-supplier')).text, '2026-02-15T00:00:00Z');
      await store.reference.apply(doc({ registrations: [{ mpxn: MPAN, role: 'IS', history: [] }] }));
      await expectSees(store, 'old-supplier', ids, []);
      await expectSees(store, 'new-supplier', ids, []);
    });
  });
}
