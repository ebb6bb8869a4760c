import { sql, type Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

/*
 * Browser sessions (issue 4). Kept in the database, not in a process, so any number of `srvv serve` processes
 * share them and logout or expiry takes effect everywhere at once. Only the SHA-256 of the session secret is
 * stored: a copy of the table does not let anyone log in.
 */
const SQLITE = [
  `CREATE TABLE sessions (
    id_hash BLOB PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`,
  `CREATE INDEX sessions_username ON sessions (username)`,
];

const POSTGRES = [
  `CREATE TABLE sessions (
    id_hash bytea PRIMARY KEY,
    username text NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    expires_at bigint NOT NULL
  )`,
  `CREATE INDEX sessions_username ON sessions (username)`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE IF EXISTS sessions').execute(db);
}
