import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { createStoreDialect } from '../../src/store/open-store.js';
import { BACKENDS, postgresTarget } from './backends.js';
import * as f from './fixtures.js';

const RID = f.reqId(f.SUPPLIER, f.ESME, 1000);

async function counts(store: KyselyMessageStore) {
  const n = async (t: 'messages' | 'message_devices' | 'xml_chunks') =>
    Number((await store.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { messages: await n('messages'), devices: await n('message_devices'), chunks: await n('xml_chunks') };
}

for (const backend of BACKENDS) {
  describe(`idempotent ingest (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(() => backend.destroy(store));

    it('stores the same bytes once across batches, reporting the first copy and writing nothing', async () => {
      const inputs = [
        { message: f.request(RID, '4.1.1'), receivedAt: f.T0 },
        { message: f.acknowledgement(RID), receivedAt: f.T0 + 10 },
      ];
      const first = await store.ingest(f.batchOf(inputs));
      const before = await counts(store);
      // Same bytes, received again later: still duplicates (identity is the bytes, not the receipt).
      const again = await store.ingest(f.batchOf(inputs.map((i) => ({ ...i, receivedAt: i.receivedAt + 60_000 }))));
      assert.deepEqual(again, first.map((o) => ({ ...o, duplicate: true })));
      assert.deepEqual(await counts(store), before);
    });

    it('treats a repeat inside one batch as a duplicate of its first copy', async () => {
      const req = { message: f.request(RID, '4.1.1'), receivedAt: f.T0 };
      const ack = { message: f.acknowledgement(RID), receivedAt: f.T0 + 10 };
      const out = await store.ingest(f.batchOf([req, ack, req, req]));
      assert.deepEqual(out.map((o) => o.duplicate), [false, false, true, true]);
      assert.equal(out[2]!.id, out[0]!.id);
      assert.equal(out[3]!.id, out[0]!.id);
      assert.deepEqual(await counts(store), { messages: 2, devices: 2, chunks: 1 });
    });

    it('finds every earlier copy in a batch of more threads than one probe covers, whatever their order', async () => {
      // 150 threads (SQLite probes link keys 64 at a time, padding the last run), each a request and an answer.
      const rid = (i: number) => f.reqId(f.SUPPLIER, i % 2 ? f.ESME : f.GSME, 5000 + i * 7);
      const requests = Array.from({ length: 150 }, (_, i) => ({ message: f.request(rid(i), '4.1.1'), receivedAt: f.T0 + i }));
      const responses = Array.from({ length: 150 }, (_, i) => ({
        message: f.response(rid(i), { responder: i % 2 ? f.ESME : f.GSME, recipient: f.SUPPLIER, counter: String(9000 + i) }, { at: f.at(60_000 + i) }),
        receivedAt: f.T0 + 60_000 + i,
      }));
      const first = await store.ingest(f.batchOf(requests));
      const before = await counts(store);
      const again = await store.ingest(f.batchOf([...requests].reverse()));
      assert.deepEqual(again, [...first].reverse().map((o) => ({ ...o, duplicate: true })));
      assert.deepEqual(await counts(store), before);
      // A later batch mixing answers with copies of requests: the copies are found, the answers stored.
      const answers = await store.ingest(f.batchOf([...responses.slice(75), ...requests.slice(0, 3), ...responses.slice(0, 75)]));
      assert.deepEqual(answers.slice(75, 78), first.slice(0, 3).map((o) => ({ ...o, duplicate: true })));
      assert.equal(answers.filter((o) => !o.duplicate).length, 150);
      assert.equal((await counts(store)).messages, 300);
    });

    it('mixes new and duplicate messages in one batch', async () => {
      const a = { message: f.request(RID, '4.1.1'), receivedAt: f.T0 };
      const [first] = await store.ingest(f.batchOf([a]));
      const b = { message: f.acknowledgement(RID), receivedAt: f.T0 + 1 };
      const out = await store.ingest(f.batchOf([b, a]));
      assert.deepEqual(out.map((o) => o.duplicate), [false, true]);
      assert.equal(out[1]!.id, first!.id);
      assert.equal((await store.stats()).messages, 2);
    });

    it('tells apart different bytes with the same fields', async () => {
      const m = f.request(RID, '4.1.1');
      const out = await store.ingest(
        f.batchOf([
          { message: m, xml: f.fakeXml(m, 'a'), receivedAt: f.T0 },
          { message: m, xml: f.fakeXml(m, 'b'), receivedAt: f.T0 },
        ]),
      );
      assert.deepEqual(out.map((o) => o.duplicate), [false, false]);
    });
  });
}

const pg = postgresTarget();
describe('idempotent ingest across processes (postgres)', { skip: pg ? false : 'PostgreSQL is not configured' }, () => {
  let a: KyselyMessageStore;
  let b: KyselyMessageStore;
  const open = async () => KyselyMessageStore.open(await createStoreDialect(pg!.url, { schema: `${pg!.schema}_x`, poolSize: 2 }));
  before(async () => {
    a = await open();
    b = await open();
  });
  after(async () => {
    await a.db.schema.dropSchema(`${pg!.schema}_x`).ifExists().cascade().execute();
    await a.close();
    await b.close();
  });

  it('stores exactly one copy when two stores ingest the same batch at once', async () => {
    const inputs = Array.from({ length: 200 }, (_, i) => ({
      message: f.request(f.reqId(f.SUPPLIER, f.ESME, 5000 + i), '4.1.1'),
      receivedAt: f.T0 + i,
    }));
    const batch = f.batchOf(inputs);
    const reversed = f.batchOf([...inputs].reverse());
    const [x, y] = await Promise.all([a.ingest(batch), b.ingest(reversed)]);
    const yy = [...y].reverse();
    for (let i = 0; i < inputs.length; i++) {
      assert.equal(x[i]!.id, yy[i]!.id, `message ${i}: same id from both stores`);
      assert.equal(Number(x[i]!.duplicate) + Number(yy[i]!.duplicate), 1, `message ${i}: exactly one store wrote it`);
    }
    assert.equal((await a.stats()).messages, inputs.length);
  });

  it('links a request and its answer written by two stores at once', async () => {
    for (let i = 0; i < 20; i++) {
      const rid = f.reqId(f.SUPPLIER, f.DCC, 9000 + i);
      const request = f.request(rid, '8.2', { commandVariant: 8, bodyElement: 'ReadInventory', bodyDevices: [f.CHF] });
      const answer = f.response(rid, { responder: f.DCC, recipient: f.SUPPLIER, counter: String(i) }, {
        at: f.at(i), srv: '8.2', responderIsDevice: false, targetIsDevice: false,
      });
      const [[r], [s]] = await Promise.all([
        a.ingest(f.batchOf([{ message: request, receivedAt: f.T0 }])),
        b.ingest(f.batchOf([{ message: answer, receivedAt: f.T0 + 5 }])),
      ]);
      assert.deepEqual((await a.getMessage(r!.id))?.deviceIds, [f.CHF]);
      assert.deepEqual((await a.getMessage(s!.id))?.deviceIds, [f.CHF], `answer ${i} got the request's devices`);
    }
  });
});
