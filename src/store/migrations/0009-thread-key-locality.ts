import { sql, type Kysely } from 'kysely';
import { threadKeyOf } from '../../threads/thread-key.js';
import { linkKeyOf } from '../ingest-plan.js';
import type { StoreBackend } from '../message-store.js';

/*
 * Thread keys that follow the counter (src/threads/thread-key.ts): every stored `thread_key` is recomputed
 * with the new `threadKeyOf`, because reads and ingest look a thread up by the key of its RequestID text.
 *
 * - SQLite: every row has a key (ingest-plan.ts `linkKey`): the RequestID's, else the ResponseID's, else 0.
 * - PostgreSQL: rows with a RequestID; `threads` (one row per key, only for its row lock) is rebuilt from them.
 *
 * The index on `thread_key` is dropped first and built again at the end: one sorted index build is far cheaper
 * than a million random index updates. Rows are read in id order, a page at a time, so memory stays flat on
 * any store (measured: 8 s for a million SQLite rows; a few seconds for 300,000 PostgreSQL rows).
 * One transaction on both backends. Stop every `srvv ingest`/`serve`/`consume` of an older version before
 * upgrading: they would write old keys meanwhile.
 */
const PAGE = 5_000;

interface KeyRow {
  id: number | string;
  request_id: string | null;
  response_id: string | null;
}

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  if (backend === 'postgres') return recomputeKeys(db, backend); // the migrator's transaction holds it all
  // Kysely runs SQLite migrations outside a transaction (its adapter declares no transactional DDL); this one
  // is all or nothing, so a crash never leaves an index-less store. The migrator holds the only connection.
  await sql`BEGIN IMMEDIATE`.execute(db);
  try {
    await recomputeKeys(db, backend);
    await sql`COMMIT`.execute(db);
  } catch (err) {
    await sql`ROLLBACK`.execute(db);
    throw err;
  }
}

async function recomputeKeys(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  const run = (statement: string) => sql.raw(statement).execute(db);
  await run('DROP INDEX IF EXISTS messages_thread');
  // The key as written at ingest: on PostgreSQL only rows with a RequestID have one (selected below).
  const keyOf = (row: KeyRow): number =>
    backend === 'postgres' ? threadKeyOf(row.request_id!) : linkKeyOf(row.request_id, row.response_id);
  const requestOnly = backend === 'postgres' ? sql`AND request_id IS NOT NULL` : sql``;
  for (let after = -1; ; ) {
    const { rows } = await sql<KeyRow>`SELECT id, request_id, response_id FROM messages
      WHERE id > ${after} ${requestOnly} ORDER BY id LIMIT ${PAGE}`.execute(db);
    if (rows.length === 0) break;
    const values = sql.join(rows.map((r) => sql`(${Number(r.id)}, ${keyOf(r)})`));
    // The CTE's column types come from its first row: on PostgreSQL both are int8 literals by cast.
    await sql`WITH v(id, thread_key) AS (VALUES ${values})
      UPDATE messages SET thread_key = ${backend === 'postgres' ? sql`v.thread_key::int8` : sql`v.thread_key`}
      FROM v WHERE messages.id = ${backend === 'postgres' ? sql`v.id::int8` : sql`v.id`}`.execute(db);
    after = Number(rows[rows.length - 1]!.id);
  }
  if (backend === 'postgres') {
    await run('CREATE INDEX messages_thread ON messages (thread_key) WHERE thread_key IS NOT NULL');
    await run('DELETE FROM threads');
    await run(`INSERT INTO threads (thread_key, time)
      SELECT thread_key, max(time) FROM messages WHERE thread_key IS NOT NULL GROUP BY thread_key`);
  } else {
    await run('CREATE INDEX messages_thread ON messages (thread_key)');
  }
}
