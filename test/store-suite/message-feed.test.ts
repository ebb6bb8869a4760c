import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { createStoreDialect } from '../../src/store/open-store.js';
import { doc, party, period } from '../visibility/scenario-helpers.js';
import { BACKENDS, postgresTarget } from './backends.js';
import * as f from './fixtures.js';

/*
 * The message feed (migrations/0007-message-feed.ts): every new message gets the next position in commit order,
 * duplicates none; `PartyView.watchPage` reads it under the visibility rules and the listing filters.
 */

const OTHER = '90-B3-D5-1F-30-04-00-00'; // OU

async function clearFeed(store: KyselyMessageStore): Promise<void> {
  await store.db.deleteFrom('message_feed').execute();
}

for (const backend of BACKENDS) {
  describe(`message feed (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      if (store) await backend.destroy(store);
    });
    beforeEach(async () => {
      await backend.clear(store);
      await clearFeed(store);
      await store.reference.apply(
        doc({
          parties: [party('SUP', [[f.SUPPLIER, 'IS']]), party('OTHER', [[OTHER, 'OU']]), party('OPS', [], true)],
          links: [{ deviceId: f.ESME, history: [{ mpxn: '1200000000001', ...period('2026-01-01T00:00:00Z', null) }] }],
          registrations: [{ mpxn: '1200000000001', role: 'IS', history: [{ partyId: 'SUP', ...period('2026-01-01T00:00:00Z', null) }] }],
        }),
      );
    });

    it('gives each new message the next position, in batch order, and duplicates none', async () => {
      const head0 = await store.feedHead();
      const m1 = f.request(f.reqId(OTHER, f.ESME, 1), '7.2', { bodyElement: 'DisableSupply' });
      const m2 = f.request(f.reqId(f.SUPPLIER, f.ESME, 2), '4.1.1');
      const m3 = f.request(f.reqId(OTHER, f.GSME, 3), '6.15.1');
      const first = await store.ingest(f.batchOf([m1, m2].map((message, i) => ({ message, receivedAt: f.T0 + i }))));
      assert.equal(await store.feedHead(), head0 + 2);
      // A resend of m1 and one new message: one position.
      const second = await store.ingest(f.batchOf([m1, m3].map((message, i) => ({ message, receivedAt: f.T0 + i }))));
      assert.equal(second[0]!.duplicate, true);
      assert.equal(await store.feedHead(), head0 + 3);
      // Only duplicates: nothing written, the head stays.
      await store.ingest(f.batchOf([{ message: m2, receivedAt: f.T0 }]));
      assert.equal(await store.feedHead(), head0 + 3);

      const ops = await store.forParty('OPS');
      const all = await ops.watchPage(head0, {});
      assert.deepEqual(
        all.items.map((i) => [i.seq, i.message.id]),
        [
          [head0 + 1, first[0]!.id],
          [head0 + 2, first[1]!.id],
          [head0 + 3, second[1]!.id],
        ],
      );
      assert.equal(all.last, head0 + 3);
      const rest = await ops.watchPage(head0 + 1, {}, 1);
      assert.deepEqual(rest.items.map((i) => i.seq), [head0 + 2]);
      assert.equal(rest.last, head0 + 2);
      assert.deepEqual(await ops.watchPage(head0 + 3, {}), { items: [], last: head0 + 3 });
    });

    it('shows a party only what it may see, and moves its cursor past the rest', async () => {
      const head0 = await store.feedHead();
      const ids = (
        await store.ingest(
          f.batchOf(
            [
              f.request(f.reqId(OTHER, f.ESME, 1), '7.2', { bodyElement: 'DisableSupply' }), // SUP: responsible supplier
              f.request(f.reqId(f.SUPPLIER, f.ESME, 2), '4.1.1'), // SUP: own
              f.request(f.reqId(OTHER, f.GSME, 3), '6.15.1'), // SUP: nothing (GSME not its device)
            ].map((message, i) => ({ message, receivedAt: f.T0 + i })),
          ),
        )
      ).map((o) => o.id);
      const sup = await store.forParty('SUP');
      const page = await sup.watchPage(head0, {});
      assert.deepEqual(page.items.map((i) => i.message.id), [ids[0], ids[1]]);
      assert.equal(page.last, head0 + 3, 'the cursor passes the invisible third message');
      const others = await sup.watchPage(head0, { othersOnly: true, securityRelevant: true });
      assert.deepEqual(others.items.map((i) => i.message.id), [ids[0]]);
      assert.deepEqual((await sup.watchPage(head0, { critical: true, kind: 'request' })).items.map((i) => i.message.id), [ids[0]]);
      assert.deepEqual((await sup.watchPage(head0, { deviceId: f.GSME })).items, []);
      assert.deepEqual((await sup.watchPage(head0, { mpxn: '1200000000001' })).items.map((i) => i.message.id), [ids[0], ids[1]]);
      const other = await store.forParty('OTHER');
      assert.deepEqual((await other.watchPage(head0, {})).items.map((i) => i.message.id), [ids[0], ids[2]]);
      // The same flags on the listing.
      const listed = await sup.listMessages({ securityRelevant: true });
      assert.deepEqual(listed.items.map((m) => m.id), [ids[0]]);
    });
  });
}

const pg = postgresTarget();
describe('message feed under concurrent ingest (postgres)', { skip: pg ? false : 'PostgreSQL is not configured' }, () => {
  let a: KyselyMessageStore;
  let b: KyselyMessageStore;
  const schema = `${pg?.schema ?? 'x'}_feed`;
  const open = async () => KyselyMessageStore.open(await createStoreDialect(pg!.url, { schema, poolSize: 2 }));
  before(async () => {
    a = await open();
    b = await open();
  });
  after(async () => {
    await a?.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await a?.close();
    await b?.close();
  });

  it('commits positions as a gap-free prefix while two stores ingest at once', async () => {
    const BATCHES = 40;
    const PER_BATCH = 4;
    const written: string[] = [];
    let running = true;
    let observations = 0;
    let outOfIdOrder = 0;
    // A reader polling the feed throughout: whatever it sees must be positions 1..k, every one of them.
    const reader = (async () => {
      while (running) {
        const { rows } = await sql<{ n: string; lo: string | null; hi: string | null }>`
          SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM message_feed`.execute(a.db);
        const n = Number(rows[0]!.n);
        if (n > 0) {
          assert.equal(Number(rows[0]!.lo), 1, 'the feed starts at 1');
          assert.equal(Number(rows[0]!.hi), n, `positions 1..${rows[0]!.hi} with ${n} rows: a gap is visible`);
        }
        observations++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const writer = async (store: KyselyMessageStore, origin: number) => {
      for (let k = 0; k < BATCHES; k++) {
        const inputs = Array.from({ length: PER_BATCH }, (_, i) => ({
          message: f.request(f.reqId(f.SUPPLIER, f.ESME, origin + k * PER_BATCH + i), '4.1.1'),
          receivedAt: f.T0 + k,
        }));
        for (const o of await store.ingest(f.batchOf(inputs))) written.push(o.id);
      }
    };
    try {
      await Promise.all([writer(a, 100_000), writer(b, 200_000)]);
    } finally {
      running = false;
      await reader;
    }
    const feed = await a.db.selectFrom('message_feed').select(['seq', 'message_id']).orderBy('seq').execute();
    assert.equal(feed.length, 2 * BATCHES * PER_BATCH);
    feed.forEach((r, i) => assert.equal(Number(r.seq), i + 1));
    assert.deepEqual(feed.map((r) => String(r.message_id)).sort(), [...written].sort(), 'every new message exactly once');
    assert.equal(await a.feedHead(), feed.length);
    for (let i = 1; i < feed.length; i++) if (Number(feed[i]!.message_id) < Number(feed[i - 1]!.message_id)) outOfIdOrder++;
    // Informational: how often commit order differed from id order (what resuming by id would have got wrong).
    console.log(`# feed: ${observations} reader observations, ${outOfIdOrder} positions committed out of id order`);
    // And every position reads back through the feed API, in order.
    const ops = await (async () => {
      await a.reference.apply(doc({ parties: [party('OPS', [], true)] }));
      return a.forParty('OPS');
    })();
    const seen: number[] = [];
    let cursor = 0;
    for (;;) {
      const page = await ops.watchPage(cursor, {}, 37);
      if (page.last === cursor) break;
      seen.push(...page.items.map((i) => i.seq));
      cursor = page.last;
    }
    assert.deepEqual(seen, feed.map((r) => Number(r.seq)));
  });
});
