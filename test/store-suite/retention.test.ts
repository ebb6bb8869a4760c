import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { listPartitions } from '../../src/store/postgres/postgres-partitions.js';
import { addMonths, monthOf, monthRange, parseRetentionPeriod, retentionBoundary } from '../../src/store/time-partitions.js';
import { BACKENDS } from './backends.js';
import * as f from './fixtures.js';

// "Now" for every run: retention must not depend on the day the suite runs.
const NOW = Date.parse('2026-12-02T10:00:00.000Z');
const KEEP = parseRetentionPeriod('13mo');
const BOUNDARY = retentionBoundary(KEEP, NOW); // 2025-11-01T00:00Z

/** One request (and its acknowledgement) in the middle of each of these months. */
const MONTHS = [202509, 202510, 202511, 202512, 202611, 202612];

function trafficIn(month: number, n: number) {
  const t = monthRange(month).from + 15 * 86_400_000;
  const rid = f.reqId(f.SUPPLIER, f.ESME, `${month}${n}`);
  return [
    { message: f.request(rid, '4.1.1'), receivedAt: t },
    { message: f.acknowledgement(rid), receivedAt: t + 5 },
  ];
}

async function count(store: KyselyMessageStore, table: 'messages' | 'message_devices' | 'xml_chunks' | 'message_feed'): Promise<number> {
  return Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

describe('retention period and boundary', () => {
  it('parses months, days, weeks and years, and names what it accepts otherwise', () => {
    assert.deepEqual(parseRetentionPeriod('13mo'), { amount: 13, unit: 'mo' });
    assert.deepEqual(parseRetentionPeriod('400d'), { amount: 400, unit: 'd' });
    assert.throws(() => parseRetentionPeriod('13 months'), /use a whole number followed by mo, d, w or y/);
    assert.throws(() => parseRetentionPeriod('0mo'), /not understood/);
    assert.throws(() => parseRetentionPeriod('-1y'), /not understood/);
  });

  it('starts the kept history at the first instant of the month holding now - keep', () => {
    assert.equal(new Date(BOUNDARY).toISOString(), '2025-11-01T00:00:00.000Z');
    assert.equal(new Date(retentionBoundary({ amount: 1, unit: 'y' }, NOW)).toISOString(), '2025-12-01T00:00:00.000Z');
    assert.equal(new Date(retentionBoundary({ amount: 30, unit: 'd' }, NOW)).toISOString(), '2026-11-01T00:00:00.000Z');
    // 31 March minus one month is in February, not "31 February" rolled over into March.
    assert.equal(new Date(retentionBoundary({ amount: 1, unit: 'mo' }, Date.parse('2026-03-31T12:00:00Z'))).toISOString(), '2026-02-01T00:00:00.000Z');
    assert.equal(addMonths(202612, 1), 202701);
    assert.equal(addMonths(202601, -1), 202512);
    assert.equal(monthOf(Date.parse('2026-12-31T23:59:59.999Z')), 202612);
  });
});

for (const backend of BACKENDS) {
  describe(`retention (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(() => backend.destroy(store));

    async function seed() {
      const ids = new Map<number, string[]>();
      for (const month of MONTHS) {
        const out = await store.ingest(f.batchOf(trafficIn(month, 1)));
        ids.set(month, out.map((o) => o.id));
      }
      return ids;
    }

    it('a dry run reports the expired months and removes nothing', async () => {
      await seed();
      const before = await count(store, 'messages');
      const report = await store.applyRetention({ keep: KEEP, now: NOW, dryRun: true });
      assert.equal(report.dryRun, true);
      assert.equal(report.boundary, BOUNDARY);
      assert.deepEqual(report.months, ['2025-09', '2025-10']);
      assert.equal(await count(store, 'messages'), before);
    });

    it('removes exactly the months before the boundary, with their chunks and device rows; the rest stays readable', async () => {
      const ids = await seed();
      const report = await store.applyRetention({ keep: KEEP, now: NOW });
      assert.deepEqual(report.months, ['2025-09', '2025-10']);
      if (backend.name === 'sqlite') assert.equal(report.messages, 4);
      for (const [month, list] of ids) {
        const expired = month < 202511;
        for (const id of list) {
          assert.equal((await store.getMessage(id)) === undefined, expired, `message ${id} of ${month}`);
          assert.equal((await store.getOriginalXml(id)) === undefined, expired, `XML of ${id} of ${month}`);
        }
      }
      assert.equal(await count(store, 'messages'), 8);
      assert.equal(await count(store, 'message_devices'), 8);
      assert.equal(await count(store, 'xml_chunks'), 4);
      assert.equal(await count(store, 'message_feed'), 8, 'the live feed forgets removed messages too');
      const left = await store.listMessages({ deviceId: f.ESME, limit: 100 });
      assert.equal(left.items.length, 8);
      assert.ok(left.items.every((m) => m.receivedAt.getTime() >= BOUNDARY));
      // Running it again removes nothing more.
      const again = await store.applyRetention({ keep: KEEP, now: NOW });
      assert.deepEqual(again.months, []);
      assert.equal(await count(store, 'messages'), 8);
    });

    it('forgets the idempotency keys of removed messages: the same bytes arriving later are stored again', async () => {
      const old = trafficIn(202509, 7);
      await store.ingest(f.batchOf(old));
      await store.applyRetention({ keep: KEEP, now: NOW });
      const again = await store.ingest(f.batchOf(old));
      assert.deepEqual(again.map((o) => o.duplicate), [false, false]);
      // ...and a kept message's copy is still a duplicate.
      const kept = trafficIn(202612, 7);
      await store.ingest(f.batchOf(kept));
      await store.applyRetention({ keep: KEEP, now: NOW });
      assert.deepEqual((await store.ingest(f.batchOf(kept))).map((o) => o.duplicate), [true, true]);
    });

    if (backend.name === 'postgres') {
      it('partitions by month: created ahead at open, on demand for other months, dropped whole by retention', async () => {
        const current = monthOf(Date.now());
        const months = async () => [...new Set((await listPartitions(store.db)).map((p) => p.month))];
        for (const m of [current, addMonths(current, 1), addMonths(current, 2)]) assert.ok((await months()).includes(m), `month ${m} created ahead`);
        await seed();
        const all = await listPartitions(store.db);
        for (const m of MONTHS) {
          assert.deepEqual(all.filter((p) => p.month === m).map((p) => p.table).sort(), ['message_devices', 'messages', 'xml_chunks']);
        }
        const report = await store.applyRetention({ keep: KEEP, now: NOW });
        assert.deepEqual(report.partitions.sort(), [
          'message_devices_p202509', 'message_devices_p202510', 'messages_p202509', 'messages_p202510', 'xml_chunks_p202509', 'xml_chunks_p202510',
        ]);
        const after = await months();
        assert.ok(!after.includes(202509) && !after.includes(202510));
        for (const m of [202511, 202512, 202611, 202612]) assert.ok(after.includes(m), `month ${m} kept`);
        // The unpartitioned key tables lost exactly the expired rows.
        const hashes = await sql<{ n: string }>`SELECT count(*) AS n FROM message_hashes WHERE time < ${BOUNDARY}`.execute(store.db);
        const threads = await sql<{ n: string }>`SELECT count(*) AS n FROM threads WHERE time < ${BOUNDARY}`.execute(store.db);
        assert.equal(Number(hashes.rows[0]!.n), 0);
        assert.equal(Number(threads.rows[0]!.n), 0);
        const kept = await sql<{ n: string }>`SELECT count(*) AS n FROM message_hashes`.execute(store.db);
        assert.equal(Number(kept.rows[0]!.n), 8);
      });

      it('reads only the months a time-bounded device query covers', async () => {
        await seed();
        const { from, to } = monthRange(202611);
        const device = await sql<{ device: string }>`SELECT device FROM message_devices LIMIT 1`.execute(store.db);
        // The shape of deviceSource (message-sources.ts): the index range of one device, joined on (id, time).
        // The messages side is pruned at run time, per joined row: other months' partitions never execute.
        const plan = await sql<{ 'QUERY PLAN': string }>`
          EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
          SELECT m.id FROM message_devices x JOIN messages m ON m.id = x.message_id AND m.time = x.time
          WHERE x.device = ${device.rows[0]!.device} AND x.time >= ${from} AND x.time < ${to}`.execute(store.db);
        const lines = plan.rows.map((r) => r['QUERY PLAN']);
        const scanned = lines.filter((l) => /on messages_p\d+/.test(l) && !/never executed/.test(l)).map((l) => /messages_p\d+/.exec(l)![0]);
        assert.deepEqual(scanned, ['messages_p202611'], lines.join('\n'));
        assert.ok(!lines.some((l) => /on message_devices_p(?!202611)/.test(l)), lines.join('\n'));
      });
    }
  });
}
