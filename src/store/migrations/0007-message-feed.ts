import { sql, type Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

/*
 * The message feed (issue 7): every newly stored message in COMMIT order, for the live feed
 * (`GET /api/v1/watch`) and anything else that must resume "after the last one I saw" without gaps or
 * duplicates.
 *
 * Why not message ids: on PostgreSQL ids are drawn from a sequence before commit, so two ingest
 * transactions can commit out of id order (id 8 commits, a reader moves its cursor past 8, then id 7
 * commits and is never read). Feed positions are assigned differently:
 *
 * - `message_feed_head` (one row, id 1) holds the last position handed out. Each ingest transaction, as its
 *   LAST statement, moves the head by the number of NEW messages of its batch (`UPDATE ... SET seq = seq + n
 *   RETURNING seq`) and inserts one `message_feed` row per new message in the range it got. The UPDATE takes
 *   the head row's lock, held until COMMIT: the next transaction's UPDATE waits for this commit and then
 *   reads its result. So ranges are handed out in commit order, and a reader that sees position k sees every
 *   position below k too (PostgreSQL makes a transaction visible before it releases its locks). A rolled-back
 *   transaction rolls its UPDATE back with it: positions never have holes. Duplicates get no row.
 *   The lock is taken last, after every other lock of the batch (hash inserts, thread rows), so it cannot be
 *   part of a deadlock cycle; its cost is that commits of concurrent ingest transactions no longer overlap
 *   (each waits for the previous one's commit flush).
 * - SQLite has one writer at a time (`BEGIN IMMEDIATE`), so the same statements give the same order; the
 *   head row (rather than max(seq) + 1) keeps positions from being reused after retention empties the feed.
 * - `message_feed (seq, message_id, time)`: `time` is the message's t(M), the second half of its primary
 *   key on PostgreSQL (messages is partitioned by month of t(M)): readers join on (id, time), which reads one
 *   partition per row. Retention deletes feed rows with `time` before its boundary together with the
 *   messages (BRIN on PostgreSQL, as for message_hashes; a plain index on SQLite). A feed row whose message
 *   is gone is skipped by readers.
 *
 * Messages stored before this migration have no feed position: the feed starts empty, at position 0.
 */
const SQLITE = [
  `CREATE TABLE message_feed (
    seq INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL,
    time INTEGER NOT NULL
  )`,
  `CREATE INDEX message_feed_time ON message_feed (time)`,
  `CREATE TABLE message_feed_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
  )`,
  `INSERT INTO message_feed_head (id, seq) VALUES (1, 0)`,
];

const POSTGRES = [
  `CREATE TABLE message_feed (
    seq bigint PRIMARY KEY,
    message_id bigint NOT NULL,
    time bigint NOT NULL
  )`,
  `CREATE INDEX message_feed_time ON message_feed USING brin (time)`,
  `CREATE TABLE message_feed_head (
    id integer PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
  )`,
  `INSERT INTO message_feed_head (id, seq) VALUES (1, 0)`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['message_feed_head', 'message_feed']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
}
