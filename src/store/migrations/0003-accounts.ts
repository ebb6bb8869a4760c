import { sql, type Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

/*
 * Portal accounts and API tokens (issue 4). Secrets are never stored: passwords as scrypt hashes
 * (auth/passwords.ts), tokens as the SHA-256 of their secret part, looked up by their public id.
 */
const SQLITE = [
  `CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    party_id TEXT NOT NULL REFERENCES parties (id),
    role TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
  )`,
  `CREATE INDEX accounts_party ON accounts (party_id)`,
  `CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    party_id TEXT REFERENCES parties (id),
    secret_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
  )`,
];

const POSTGRES = [
  `CREATE TABLE accounts (
    username text PRIMARY KEY,
    party_id text NOT NULL REFERENCES parties (id),
    role text NOT NULL,
    password_hash text,
    created_at bigint NOT NULL,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until bigint
  )`,
  `CREATE INDEX accounts_party ON accounts (party_id)`,
  `CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    scope text NOT NULL,
    party_id text REFERENCES parties (id),
    secret_hash bytea NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint,
    revoked_at bigint
  )`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['api_tokens', 'accounts']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
}
