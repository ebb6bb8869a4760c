import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Kysely, Migrator, sql } from 'kysely';
import { eui64ToBigInt } from '../../src/duis/eui64.js';
import { formatRequestId } from '../../src/duis/duis-message.js';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { StoreMigrationProvider } from '../../src/store/migrations/store-migrations.js';
import { createStoreDialect } from '../../src/store/open-store.js';
import { listPartitions } from '../../src/store/postgres/postgres-partitions.js';
import { threadKeyOf } from '../../src/threads/thread-key.js';
import { encodeChunk } from '../../src/store/xml-chunk.js';
import { postgresTarget } from './backends.js';
import * as f from './fixtures.js';

/*
 * A store written before time partitioning (migrations up to 0005) keeps every message through 0006: the rows
 * are moved into the partitioned layout, the originals stay byte for byte readable, and the idempotency keys
 * still recognise the same bytes.
 */
const RID = f.reqId(f.SUPPLIER, f.ESME, 4242);
const REQUEST = f.request(RID, '4.1.1');
const XML = f.fakeXml(REQUEST, 'before partitioning');
const HASH = createHash('sha256').update(XML).digest().subarray(0, 16);
const OLD_TIMES = [Date.parse('2025-06-15T08:00:00Z'), Date.parse('2026-01-20T08:00:00Z')];

async function migrateTo(db: Kysely<unknown>, backend: 'sqlite' | 'postgres', target: string, schema?: string) {
  const migrator = new Migrator({ db, provider: new StoreMigrationProvider(backend), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error } = await migrator.migrateTo(target);
  if (error) throw error;
}

/** Rows as the write path stored them before 0006: one chunk, two copies of a request in different months. */
async function writeOldRows(db: Kysely<unknown>, backend: 'sqlite' | 'postgres'): Promise<void> {
  const chunk = encodeChunk([XML, XML]);
  const device = eui64ToBigInt(f.ESME);
  const requestId = formatRequestId(RID);
  const chunkId = backend === 'postgres'
    ? (await sql<{ id: string }>`INSERT INTO xml_chunks (codec, raw_length, stored_length, data)
        VALUES (${chunk.codec}, ${chunk.rawLength}, ${chunk.data.length}, ${chunk.data}) RETURNING id`.execute(db)).rows[0]!.id
    : Number((await sql`INSERT INTO xml_chunks (codec, raw_length, stored_length, data)
        VALUES (${chunk.codec}, ${chunk.rawLength}, ${chunk.data.length}, ${chunk.data})`.execute(db)).insertId);
  for (const [i, time] of OLD_TIMES.entries()) {
    const id = i + 1;
    // The second copy differs in its salt in real life; here only the first is registered as the hash's owner.
    if (backend === 'postgres') {
      await sql`INSERT INTO messages (id, time, received_at, thread_key, chunk_id, xml_offset, xml_length, kind, has_gbcs_payload,
          device_ids, request_id, srv, user_id)
        VALUES (${id}, ${time}, ${time}, ${threadKeyOf(requestId)}, ${chunkId}, ${i * XML.length}, ${XML.length}, 1, false,
          ${packed(device)}, ${requestId}, '4.1.1', ${eui64ToBigInt(f.SUPPLIER)})`.execute(db);
      if (i === 0) await sql`INSERT INTO message_hashes (hash, message_id) VALUES (${HASH.toString('hex')}::uuid, ${id})`.execute(db);
      await sql`INSERT INTO threads (thread_key) VALUES (${threadKeyOf(requestId)}) ON CONFLICT DO NOTHING`.execute(db);
      await sql`SELECT setval('messages_id_seq', ${id})`.execute(db);
    } else {
      await sql`INSERT INTO messages (id, thread_key, kind, time, device_ids, request_id, hash, received_at, srv,
          has_gbcs_payload, chunk_id, xml_offset, xml_length, user_id)
        VALUES (${id}, ${threadKeyOf(requestId)}, 1, ${time}, ${packed(device)}, ${requestId}, ${i === 0 ? HASH : Buffer.alloc(16, i)},
          ${time}, '4.1.1', 0, ${chunkId}, ${i * XML.length}, ${XML.length}, ${eui64ToBigInt(f.SUPPLIER)})`.execute(db);
    }
    await sql`INSERT INTO message_devices (device, time, message_id) VALUES (${device}, ${time}, ${id})`.execute(db);
  }
}

function packed(device: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(device);
  return b;
}

async function checkMigrated(store: KyselyMessageStore): Promise<void> {
  for (const id of ['1', '2']) {
    const m = await store.getMessage(id);
    assert.equal(m?.requestId, formatRequestId(RID), `message ${id}`);
    assert.deepEqual(await store.getOriginalXml(id), XML, `original XML of ${id}`);
  }
  const listed = await store.listMessages({ deviceId: f.ESME, limit: 10 });
  assert.deepEqual(listed.items.map((m) => m.id), ['2', '1']);
  // The idempotency key moved with its time: the same bytes again are a duplicate of message 1.
  const again = await store.ingest(f.batchOf([{ message: REQUEST, xml: XML, receivedAt: Date.now() }]));
  assert.deepEqual(again, [{ id: '1', kind: 'request', duplicate: true }]);
  // New messages get ids after the old ones.
  const fresh = await store.ingest(f.batchOf([{ message: f.acknowledgement(RID), receivedAt: Date.now() }]));
  assert.equal(fresh[0]!.duplicate, false);
  assert.ok(Number(fresh[0]!.id) > 2);
}

describe('migration 0006 keeps a store written before partitioning (sqlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srvv-migrate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('moves every message, chunk and device row', async () => {
    const url = `sqlite:${join(dir, 'old.db')}`;
    const raw = new Kysely<unknown>({ dialect: (await createStoreDialect(url)).createKyselyDialect() });
    await migrateTo(raw, 'sqlite', '0005-access-audit');
    await writeOldRows(raw, 'sqlite');
    await raw.destroy();
    const store = await KyselyMessageStore.open(await createStoreDialect(url));
    try {
      const chunk = await store.db.selectFrom('xml_chunks').select(['time']).executeTakeFirstOrThrow();
      assert.equal(Number(chunk.time), OLD_TIMES[1], "a chunk's time is its newest message's");
      await checkMigrated(store);
    } finally {
      await store.close();
    }
  });
});

const pg = postgresTarget();
describe('migration 0006 keeps a store written before partitioning (postgres)', { skip: pg ? false : 'PostgreSQL is not configured' }, () => {
  it('moves every message, chunk, hash and device row into monthly partitions', async () => {
    const schema = `migrate_0006_${process.pid}`;
    const dialect = await createStoreDialect(pg!.url, { schema });
    const raw = new Kysely<unknown>({ dialect: dialect.createKyselyDialect() });
    try {
      await sql.raw(`CREATE SCHEMA "${schema}"`).execute(raw);
      await migrateTo(raw, 'postgres', '0005-access-audit', schema);
      await writeOldRows(raw, 'postgres');
    } finally {
      await raw.destroy();
    }
    const store = await KyselyMessageStore.open(await createStoreDialect(pg!.url, { schema }));
    try {
      const months = new Set((await listPartitions(store.db)).map((p) => p.month));
      assert.ok(months.has(202506) && months.has(202601), `partitions for the old months: ${[...months].join(', ')}`);
      const placed = await sql<{ part: string }>`SELECT tableoid::regclass::text AS part FROM messages ORDER BY id`.execute(store.db);
      assert.deepEqual(placed.rows.map((r) => r.part), ['messages_p202506', 'messages_p202601']);
      const chunk = await sql<{ part: string }>`SELECT tableoid::regclass::text AS part FROM xml_chunks`.execute(store.db);
      assert.deepEqual(chunk.rows.map((r) => r.part), ['xml_chunks_p202601']);
      await checkMigrated(store);
    } finally {
      // Left for the end of the run (see backends.ts, `destroy`): dropping it now could break another file's open.
      await store.close();
    }
  });
});
