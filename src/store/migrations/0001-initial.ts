import { sql, type Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

/*
 * The initial schema. Times are epoch milliseconds (bigint), EUI-64s signed 64-bit integers, message kinds small
 * integers (kind-codes.ts). Indexes are the fewest that serve the reads and the write path:
 *   messages(time[, id])   listMessages without a device filter, newest first, keyset paging;
 *   messages(thread_key)   threads: getThread, and linking answers and requests on ingest;
 *   message_devices PK     the S(M) index (device, time, message id): listMessages by device, later visibility;
 *   dedupe                 PostgreSQL: message_hashes PK (hash -> id); SQLite: through the thread index.
 *
 * PostgreSQL: columns ordered 8-byte, 4-byte, 2-byte, 1-byte, then variable-length, to avoid alignment padding.
 * `messages.id` comes from `messages_id_seq` through the dedupe insert. A later step may partition `messages`
 * and `message_devices` by time (every write already matches on id AND time); `message_hashes` and `threads`
 * are keyed by hash / thread key so they stay global and unpartitioned. `threads` exists for its row lock
 * (postgres-ingest.ts). `thread_key` is NULL without RequestID (partial index). The hash is a uuid: the same 16
 * bytes as a fixed-width type (24-byte index tuples against 32 for bytea, no varlena header in the heap).
 *
 * SQLite: `id INTEGER PRIMARY KEY` is the rowid; the time index implicitly ends with it. `thread_key` is set
 * on every row (the ResponseID's key when there is no RequestID, ingest-plan.ts `linkKey`) and the row keeps
 * its `hash`: the one thread-index probe ingest makes per message finds duplicates too, under the single
 * write lock. Measured with src/bench/store-bench.ts, msg/s while going from 1M to 2M messages: unique index
 * (thread_key, hash) 15.9k, plain (thread_key) index 18.9k (half as wide: fewer pages dirtied per commit);
 * from 0.5M to 1M a separate hash table did no better than the unique index (20.7k vs 21.0k).
 * `message_devices` is WITHOUT ROWID (the key is the row).
 */
const SQLITE = [
  // AUTOINCREMENT: a chunk id is never reused, even after deleting the newest chunk, so readers may cache
  // decoded chunks by id.
  `CREATE TABLE xml_chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    codec INTEGER NOT NULL,
    raw_length INTEGER NOT NULL,
    stored_length INTEGER NOT NULL,
    data BLOB NOT NULL
  )`,
  // Columns the ingest thread probe reads come first, so it rarely decodes the rest of the record.
  `CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    thread_key INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    time INTEGER NOT NULL,
    device_ids BLOB,
    request_id TEXT,
    hash BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    response_id TEXT,
    response_code TEXT,
    srv TEXT,
    service_reference TEXT,
    command_variant INTEGER,
    response_date_time TEXT,
    alert_code TEXT,
    dcc_alert_code TEXT,
    throttled_alert_sequence_id TEXT,
    throttled_alert_count INTEGER,
    body_element TEXT,
    schema_version TEXT,
    has_gbcs_payload INTEGER NOT NULL,
    chunk_id INTEGER NOT NULL,
    xml_offset INTEGER NOT NULL,
    xml_length INTEGER NOT NULL
  )`,
  `CREATE INDEX messages_time ON messages (time)`,
  `CREATE INDEX messages_thread ON messages (thread_key)`,
  `CREATE TABLE message_devices (
    device INTEGER NOT NULL,
    time INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (device, time, message_id)
  ) WITHOUT ROWID`,
];

const POSTGRES = [
  `CREATE TABLE xml_chunks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    raw_length integer NOT NULL,
    stored_length integer NOT NULL,
    codec smallint NOT NULL,
    data bytea NOT NULL
  )`,
  // Chunks are already compressed: skip TOAST's futile compression attempt.
  `ALTER TABLE xml_chunks ALTER COLUMN data SET STORAGE EXTERNAL`,
  `CREATE SEQUENCE messages_id_seq AS bigint`,
  `CREATE TABLE messages (
    id bigint NOT NULL PRIMARY KEY,
    time bigint NOT NULL,
    received_at bigint NOT NULL,
    thread_key bigint,
    chunk_id bigint NOT NULL,
    xml_offset integer NOT NULL,
    xml_length integer NOT NULL,
    throttled_alert_count integer,
    kind smallint NOT NULL,
    command_variant smallint,
    has_gbcs_payload boolean NOT NULL,
    device_ids bytea,
    request_id text,
    response_id text,
    response_code text,
    srv text,
    service_reference text,
    response_date_time text,
    alert_code text,
    dcc_alert_code text,
    throttled_alert_sequence_id text,
    body_element text,
    schema_version text
  )`,
  `ALTER SEQUENCE messages_id_seq OWNED BY messages.id`,
  `CREATE INDEX messages_time ON messages (time, id)`,
  `CREATE INDEX messages_thread ON messages (thread_key) WHERE thread_key IS NOT NULL`,
  `CREATE TABLE message_hashes (
    hash uuid PRIMARY KEY,
    message_id bigint NOT NULL
  )`,
  `CREATE TABLE message_devices (
    device bigint NOT NULL,
    time bigint NOT NULL,
    message_id bigint NOT NULL,
    PRIMARY KEY (device, time, message_id)
  )`,
  `CREATE TABLE threads (
    thread_key bigint PRIMARY KEY
  )`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  const tables = ['message_devices', 'message_hashes', 'messages', 'xml_chunks'];
  if (backend === 'postgres') tables.push('threads');
  for (const t of tables) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
}
