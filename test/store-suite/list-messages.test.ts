import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatRequestId } from '../../src/duis/duis-message.js';
import { StoreError } from '../../src/errors.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import type { MessageQuery, StoredMessage } from '../../src/store/message-store.js';
import { BACKENDS } from './backends.js';
import * as f from './fixtures.js';

// 60 requests to two meters, 12 ms apart, three sharing each millisecond pair to exercise the id tie-break,
// then an acknowledgement per request: 120 messages.
function dataset(): f.FixtureInput[] {
  const inputs: f.FixtureInput[] = [];
  for (let i = 0; i < 60; i++) {
    const rid = f.reqId(f.SUPPLIER, i % 2 ? f.GSME : f.ESME, 2000 + i);
    inputs.push({ message: f.request(rid, i % 3 ? '4.1.1' : '7.1'), receivedAt: f.T0 + Math.floor(i / 3) * 12 });
    inputs.push({ message: f.acknowledgement(rid, i % 5 ? 'I99' : 'E3'), receivedAt: f.T0 + Math.floor(i / 3) * 12 + 5 });
  }
  return inputs;
}

const newestFirst = (a: StoredMessage, b: StoredMessage) => b.time.getTime() - a.time.getTime() || Number(b.id) - Number(a.id);

for (const backend of BACKENDS) {
  describe(`listMessages (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let all: StoredMessage[];
    before(async () => {
      store = await backend.open();
      // Two batches, so ids and times interleave differently.
      const inputs = dataset();
      await store.ingest(f.batchOf(inputs.slice(0, 70)));
      await store.ingest(f.batchOf(inputs.slice(70)));
      all = (await store.listMessages({ limit: 1000 })).items;
    });
    // Read-only spec: the data set is seeded once, so no afterEach clear.
    after(() => backend.destroy(store));

    async function pages(query: MessageQuery): Promise<StoredMessage[][]> {
      const out: StoredMessage[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listMessages({ ...query, ...(cursor ? { cursor } : {}) });
        out.push(page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out;
    }

    it('orders by time then id, newest first', () => {
      assert.equal(all.length, 120);
      assert.deepEqual(all.map((m) => m.id), [...all].sort(newestFirst).map((m) => m.id));
    });

    it('pages with a keyset cursor without gaps or repeats, filtered or not', async () => {
      for (const query of [{ limit: 7 }, { limit: 7, deviceId: f.GSME }, { limit: 4, kind: 'acknowledgement' as const }, { limit: 50 }]) {
        const got = await pages(query);
        const expected = all.filter(
          (m) => (!query.deviceId || m.deviceIds.includes(query.deviceId)) && (!('kind' in query) || m.kind === query.kind),
        );
        assert.deepEqual(got.flat().map((m) => m.id), expected.map((m) => m.id), JSON.stringify(query));
        assert.ok(got.slice(0, -1).every((p) => p.length === query.limit));
      }
    });

    it('filters by kind, srv, requestId and a half-open time range', async () => {
      const srv = (await store.listMessages({ srv: '7.1', limit: 1000 })).items;
      assert.equal(srv.length, 20);
      assert.ok(srv.every((m) => m.srv === '7.1'));

      const rid = formatRequestId(f.reqId(f.SUPPLIER, f.ESME, 2000));
      const thread = (await store.listMessages({ requestId: rid })).items;
      assert.deepEqual(thread.map((m) => m.kind), ['acknowledgement', 'request']);

      const from = new Date(f.T0 + 24);
      const to = new Date(f.T0 + 60);
      const range = (await store.listMessages({ from, to, limit: 1000 })).items;
      assert.deepEqual(range.map((m) => m.id), all.filter((m) => m.time >= from && m.time < to).map((m) => m.id));
      assert.ok(range.length > 0);

      const rejected = (await store.listMessages({ kind: 'acknowledgement', deviceId: f.ESME, limit: 1000 })).items;
      assert.deepEqual(rejected.map((m) => m.id), all.filter((m) => m.kind === 'acknowledgement' && m.deviceIds.includes(f.ESME)).map((m) => m.id));
    });

    it('defaults to 50 items, clamps the limit and rejects a malformed cursor', async () => {
      assert.equal((await store.listMessages({})).items.length, 50);
      assert.equal((await store.listMessages({ limit: 0 })).items.length, 50);
      assert.equal((await store.listMessages({ limit: -3 })).items.length, 1);
      assert.equal((await store.listMessages({ limit: 5000 })).items.length, 120);
      for (const cursor of ['', 'junk', Buffer.from('1:x').toString('base64url')]) {
        await assert.rejects(store.listMessages({ cursor }), (err: unknown) => err instanceof StoreError && err.code === 'STORE_INVALID_QUERY');
      }
      assert.deepEqual(await store.listMessages({ requestId: 'nope' }), { items: [], nextCursor: null });
    });
  });
}
