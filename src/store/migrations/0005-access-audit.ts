import { sql, type Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

/*
 * The access audit (issue 4): who searched, viewed or exported what, when, and how many rows came back. An
 * append-only log made tamper-evident by a hash chain (audit/access-audit.ts documents the exact form).
 *
 * - `access_audit`: one row per access; `seq` is assigned by the writer (1, 2, 3, ... without gaps) under the
 *   head row's lock, not by a sequence, so a rolled-back append never leaves a hole. `party_id` is the actor's
 *   party at the time and deliberately not a foreign key: the audit must outlive parties, accounts and tokens.
 * - `access_audit_head`: one row (id 1) holding the last entry's seq and hash, updated in the same transaction
 *   as each append. Deleting the newest entries therefore leaves the head pointing past the end of the log.
 * - Triggers refuse UPDATE and DELETE of entries (and TRUNCATE on PostgreSQL), deleting the head and moving it
 *   backwards. This is defence in depth against mistakes and application bugs only: anyone with DDL rights can
 *   drop a trigger, which is what the hash chain is for.
 */
const SQLITE = [
  `CREATE TABLE access_audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    party_id TEXT,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    rows INTEGER NOT NULL,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  )`,
  `CREATE INDEX access_audit_party ON access_audit (party_id, seq DESC)`,
  `CREATE INDEX access_audit_actor ON access_audit (actor_id, seq DESC)`,
  `CREATE TABLE access_audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
  )`,
  `INSERT INTO access_audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
  `CREATE TRIGGER access_audit_no_update BEFORE UPDATE ON access_audit
   BEGIN SELECT RAISE(ABORT, 'access_audit is append-only: entries cannot be changed'); END`,
  `CREATE TRIGGER access_audit_no_delete BEFORE DELETE ON access_audit
   BEGIN SELECT RAISE(ABORT, 'access_audit is append-only: entries cannot be deleted'); END`,
  `CREATE TRIGGER access_audit_head_no_delete BEFORE DELETE ON access_audit_head
   BEGIN SELECT RAISE(ABORT, 'access_audit_head cannot be deleted'); END`,
  `CREATE TRIGGER access_audit_head_forward BEFORE UPDATE ON access_audit_head
   WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id
   BEGIN SELECT RAISE(ABORT, 'access_audit_head only moves forward'); END`,
];

const POSTGRES = [
  `CREATE TABLE access_audit (
    seq bigint PRIMARY KEY,
    at bigint NOT NULL,
    actor_kind text NOT NULL,
    actor_id text NOT NULL,
    actor_name text NOT NULL,
    party_id text,
    role text NOT NULL,
    action text NOT NULL,
    subject text NOT NULL,
    rows bigint NOT NULL,
    reason text,
    prev_hash text NOT NULL,
    hash text NOT NULL
  )`,
  `CREATE INDEX access_audit_party ON access_audit (party_id, seq DESC)`,
  `CREATE INDEX access_audit_actor ON access_audit (actor_id, seq DESC)`,
  `CREATE TABLE access_audit_head (
    id integer PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL,
    hash text NOT NULL
  )`,
  `INSERT INTO access_audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
  `CREATE FUNCTION access_audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'access_audit is append-only: % is not allowed', TG_OP;
   END
   $$`,
  `CREATE TRIGGER access_audit_no_change BEFORE UPDATE OR DELETE ON access_audit
   FOR EACH ROW EXECUTE FUNCTION access_audit_reject_change()`,
  // TRUNCATE fires no row triggers: refuse it with a statement trigger.
  `CREATE TRIGGER access_audit_no_truncate BEFORE TRUNCATE ON access_audit
   FOR EACH STATEMENT EXECUTE FUNCTION access_audit_reject_change()`,
  `CREATE FUNCTION access_audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq AND NEW.id = OLD.id THEN
       RETURN NEW;
     END IF;
     RAISE EXCEPTION 'access_audit_head only moves forward: % is not allowed', TG_OP;
   END
   $$`,
  `CREATE TRIGGER access_audit_head_forward BEFORE UPDATE OR DELETE ON access_audit_head
   FOR EACH ROW EXECUTE FUNCTION access_audit_head_guard()`,
  `CREATE TRIGGER access_audit_head_no_truncate BEFORE TRUNCATE ON access_audit_head
   FOR EACH STATEMENT EXECUTE FUNCTION access_audit_head_guard()`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  // Dropping a table drops its triggers.
  for (const t of ['access_audit_head', 'access_audit']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
  if (backend === 'postgres') {
    for (const f of ['access_audit_head_guard', 'access_audit_reject_change']) await sql.raw(`DROP FUNCTION IF EXISTS ${f}()`).execute(db);
  }
}
