import { sql, type Kysely, type Transaction } from 'kysely';
import type { StoreBackend } from '../message-store.js';
import { createPartitionsIn } from '../postgres/postgres-partitions.js';

/*
 * Time partitioning and retention (issue 6).
 *
 * Both backends: `xml_chunks.time` is the greatest t(M) of the chunk's messages. Retention removes a chunk
 * with the month of that time, when every message pointing into it has expired too.
 *
 * PostgreSQL: `messages`, `message_devices` and `xml_chunks` become tables partitioned by RANGE on their
 * `time` column, one partition per calendar month (postgres/postgres-partitions.ts creates them ahead and on
 * demand), so retention drops whole tables instead of deleting billions of rows, and every query bounded in
 * time (both visibility query shapes are) reads only the months it covers. A primary key on a partitioned
 * table must contain the partition key: messages and chunks are keyed (id, time). Lookups by id alone probe
 * each month's index, a few dozen probes at most under retention.
 *
 * `message_hashes` and `threads` stay unpartitioned: they hold what must be unique across all time (the
 * idempotency key, the per-RequestID lock row), and PostgreSQL enforces uniqueness only within a partition
 * unless the key contains the partition column. Their rows are small; each gains the t(M) it was written
 * for, with a BRIN index (rows arrive roughly in time order, so a few kilobytes index billions of rows), and
 * retention deletes their expired rows in batches. On Citus both are distributed by their own key.
 *
 * Existing rows are moved into the new layout: the old tables are renamed, the partitions their months need
 * are created, rows are copied, and the old tables are dropped.
 */
export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  if (backend === 'sqlite') {
    await sql.raw(`ALTER TABLE xml_chunks ADD COLUMN time INTEGER NOT NULL DEFAULT 0`).execute(db);
    // One grouped pass over messages (there is no index on chunk_id for a correlated subquery to use).
    await sql.raw(`UPDATE xml_chunks SET time = m.t FROM (SELECT chunk_id, max(time) AS t FROM messages GROUP BY chunk_id) AS m
      WHERE m.chunk_id = xml_chunks.id`).execute(db);
    await sql.raw(`CREATE INDEX xml_chunks_time ON xml_chunks (time)`).execute(db);
    return;
  }
  const run = async (statement: string): Promise<void> => {
    await sql.raw(statement).execute(db);
  };

  await run(`ALTER SEQUENCE messages_id_seq OWNED BY NONE`);
  for (const table of ['messages', 'message_devices', 'xml_chunks']) await run(`ALTER TABLE ${table} RENAME TO ${table}_v1`);
  for (const index of ['messages_pkey', 'messages_time', 'messages_thread', 'messages_user', 'message_devices_pkey', 'xml_chunks_pkey']) {
    await run(`ALTER INDEX ${index} RENAME TO ${index.replace(/^(messages|message_devices|xml_chunks)/, '$1_v1')}`);
  }

  await run(`CREATE TABLE messages (LIKE messages_v1 INCLUDING DEFAULTS) PARTITION BY RANGE (time)`);
  await run(`ALTER TABLE messages ADD CONSTRAINT messages_pkey PRIMARY KEY (id, time)`);
  await run(`CREATE INDEX messages_time ON messages (time, id)`);
  await run(`CREATE INDEX messages_thread ON messages (thread_key) WHERE thread_key IS NOT NULL`);
  await run(`CREATE INDEX messages_user ON messages (user_id, time, id)`);
  await run(`ALTER SEQUENCE messages_id_seq OWNED BY messages.id`);

  await run(`CREATE TABLE message_devices (
    device bigint NOT NULL,
    time bigint NOT NULL,
    message_id bigint NOT NULL,
    CONSTRAINT message_devices_pkey PRIMARY KEY (device, time, message_id)
  ) PARTITION BY RANGE (time)`);

  // Identity columns are not allowed on partitioned tables before PostgreSQL 17: a sequence default instead.
  await run(`CREATE SEQUENCE xml_chunk_id_seq AS bigint`);
  await run(`SELECT setval('xml_chunk_id_seq', coalesce((SELECT max(id) FROM xml_chunks_v1), 0) + 1, false)`);
  await run(`CREATE TABLE xml_chunks (
    id bigint NOT NULL DEFAULT nextval('xml_chunk_id_seq'),
    time bigint NOT NULL,
    raw_length integer NOT NULL,
    stored_length integer NOT NULL,
    codec smallint NOT NULL,
    data bytea NOT NULL,
    CONSTRAINT xml_chunks_pkey PRIMARY KEY (id, time)
  ) PARTITION BY RANGE (time)`);
  await run(`ALTER SEQUENCE xml_chunk_id_seq OWNED BY xml_chunks.id`);

  // Partitions for every month the existing rows need (a chunk's month is its newest message's).
  await run(`CREATE TEMPORARY TABLE chunk_times ON COMMIT DROP AS
    SELECT chunk_id AS id, max(time) AS time FROM messages_v1 GROUP BY chunk_id`);
  const months = await sql<{ month: number }>`
    SELECT DISTINCT (extract(year FROM t) * 100 + extract(month FROM t))::int AS month
    FROM (SELECT to_timestamp(time / 1000.0) AT TIME ZONE 'UTC' AS t FROM messages_v1) AS x`.execute(db);
  // Kysely runs each migration in a transaction on PostgreSQL.
  await createPartitionsIn(db as Transaction<unknown>, months.rows.map((r) => r.month).sort((a, b) => a - b));

  await run(`INSERT INTO messages SELECT * FROM messages_v1`);
  await run(`INSERT INTO message_devices SELECT device, time, message_id FROM message_devices_v1`);
  await run(`INSERT INTO xml_chunks (id, time, raw_length, stored_length, codec, data)
    SELECT c.id, t.time, c.raw_length, c.stored_length, c.codec, c.data FROM xml_chunks_v1 c JOIN chunk_times t ON t.id = c.id`);
  for (const table of ['messages', 'message_devices', 'xml_chunks']) await run(`DROP TABLE ${table}_v1`);

  await run(`ALTER TABLE message_hashes ADD COLUMN time bigint`);
  await run(`UPDATE message_hashes h SET time = m.time FROM messages m WHERE m.id = h.message_id`);
  await run(`UPDATE message_hashes SET time = 0 WHERE time IS NULL`);
  await run(`ALTER TABLE message_hashes ALTER COLUMN time SET NOT NULL`);
  await run(`CREATE INDEX message_hashes_time ON message_hashes USING brin (time)`);
  // A thread row is only a lock: its time is when it was last needed, for retention.
  await run(`ALTER TABLE threads ADD COLUMN time bigint NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint`);
  await run(`ALTER TABLE threads ALTER COLUMN time DROP DEFAULT`);
  await run(`CREATE INDEX threads_time ON threads USING brin (time)`);
}
