import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { eui64ToBigInt } from '../../src/duis/eui64.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from './backends.js';
import * as f from './fixtures.js';

// 8.2 Read Inventory: a non-device request (CommandVariant 8, target the DCC) whose subject devices sit in
// the body; the DCC's answer names no device of its own, so its S(M) comes only from the request.
const INV = f.reqId(f.SUPPLIER, f.DCC, 1000);
const inventory = () => f.request(INV, '8.2', { commandVariant: 8, bodyElement: 'ReadInventory', bodyDevices: [f.CHF, f.GPF] });
const inventoryAnswer = (counter: number, atMs: number) =>
  f.response(INV, { responder: f.DCC, recipient: f.SUPPLIER, counter: String(counter) }, {
    srv: '8.2', at: f.at(atMs), responderIsDevice: false, targetIsDevice: false,
  });

for (const backend of BACKENDS) {
  describe(`subject devices S(M) (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(() => backend.destroy(store));

    /** The device index as [device, message id] pairs, sorted: it must hold exactly S(M) of every message. */
    async function deviceIndex(): Promise<string[]> {
      // As text: a 64-bit device key does not fit a JS number (better-sqlite3 would round it).
      const rows = await store.db
        .selectFrom('message_devices')
        .select([sql<string>`cast(device as text)`.as('device'), 'message_id', 'time'])
        .execute();
      const byId = new Map<string, number>();
      for (const m of (await store.listMessages({ limit: 1000 })).items) byId.set(m.id, m.time.getTime());
      for (const r of rows) assert.equal(Number(r.time), byId.get(String(r.message_id)), 'index time is t(M)');
      return rows.map((r) => `${BigInt(r.device)}@${r.message_id}`).sort();
    }
    async function expectedIndex(): Promise<string[]> {
      const { items } = await store.listMessages({ limit: 1000 });
      return items.flatMap((m) => m.deviceIds.map((d) => `${eui64ToBigInt(d)}@${m.id}`)).sort();
    }

    it('adds the captured request\'s devices to an answer that arrives after it', async () => {
      await store.ingest(f.batchOf([{ message: inventory(), receivedAt: f.T0 }]));
      const [ans] = await store.ingest(f.batchOf([{ message: inventoryAnswer(1, 100), receivedAt: f.T0 + 100 }]));
      assert.deepEqual((await store.getMessage(ans!.id))?.deviceIds, [f.CHF, f.GPF]);
      assert.deepEqual(await deviceIndex(), await expectedIndex());
    });

    it('back-fills answers stored before their request, in other batches and in the same batch', async () => {
      const [early] = await store.ingest(f.batchOf([{ message: inventoryAnswer(1, 100), receivedAt: f.T0 + 100 }]));
      assert.deepEqual((await store.getMessage(early!.id))?.deviceIds, []);
      const [sameBatch, req] = await store.ingest(
        f.batchOf([
          { message: inventoryAnswer(2, 200), receivedAt: f.T0 + 200 },
          { message: inventory(), receivedAt: f.T0 },
        ]),
      );
      assert.deepEqual((await store.getMessage(early!.id))?.deviceIds, [f.CHF, f.GPF]);
      assert.deepEqual((await store.getMessage(sameBatch!.id))?.deviceIds, [f.CHF, f.GPF]);
      assert.deepEqual((await store.getMessage(req!.id))?.deviceIds, [f.CHF, f.GPF]);
      assert.deepEqual(await deviceIndex(), await expectedIndex());
      // Listing by a device served only through the request now finds the whole thread.
      const { items } = await store.listMessages({ deviceId: f.GPF });
      assert.deepEqual(items.map((m) => m.id).sort(), [early!.id, sameBatch!.id, req!.id].sort());
    });

    it('merges own devices with the request\'s without repeating any', async () => {
      const rid = f.reqId(f.SUPPLIER, f.ESME, 7);
      const req = f.request(rid, '4.1.1', { bodyDevices: [f.PPMID] });
      const [ans] = await store.ingest(f.batchOf([{ message: f.acknowledgement(rid), receivedAt: f.T0 + 1 }]));
      await store.ingest(f.batchOf([{ message: req, receivedAt: f.T0 }]));
      assert.deepEqual((await store.getMessage(ans!.id))?.deviceIds, [f.ESME, f.PPMID]);
      assert.deepEqual(await deviceIndex(), await expectedIndex());
    });

    it('lists by device through S(M) only, newest first, for any spelling of the device id', async () => {
      const rid = f.reqId(f.SUPPLIER, f.ESME, 8);
      await store.ingest(
        f.batchOf([
          { message: f.request(rid, '4.1.1'), receivedAt: f.T0 },
          { message: f.request(f.reqId(f.SUPPLIER, f.GSME, 9), '4.1.1'), receivedAt: f.T0 + 1 },
          { message: f.acknowledgement(rid), receivedAt: f.T0 + 2 },
          { message: f.dccAlert({ responder: f.DCC, recipient: f.SUPPLIER, counter: '1' }, 'N24', f.at(3)), receivedAt: f.T0 + 3 },
        ]),
      );
      const esme = await store.listMessages({ deviceId: '00db1234567890a0' });
      assert.deepEqual(esme.items.map((m) => m.kind), ['acknowledgement', 'request']);
      assert.equal((await store.listMessages({ deviceId: f.CHF })).items.length, 0);
      assert.deepEqual(await store.listMessages({ deviceId: 'not-a-device' }), { items: [], nextCursor: null });
    });
  });
}
