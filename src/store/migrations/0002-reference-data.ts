import { sql, type Kysely } from 'kysely';
import { eui64ToBigInt } from '../../duis/eui64.js';
import { KIND_CODES } from '../kind-codes.js';
import type { StoreBackend } from '../message-store.js';

/*
 * Reference data with history, and U(M) on every message.
 *
 * Keys: EUI-64s (devices, User IDs) are signed 64-bit integers as in `message_devices`; MPxNs and party ids text.
 * Periods are epoch milliseconds `[valid_from, valid_to)`, `valid_to` NULL while still valid. Each history is
 * replaced whole on import (reference-store), so the tables need no surrogate ids: the primary keys are the
 * natural ones (one row per period start), and the second indexes serve the two directions the engine reads:
 *   device_links (device, ...)        S(M) device -> MPxNs        device_links_mpxn: MPxN filter, party's devices
 *   registrations (mpxn, role, ...)    MPxN -> supplier            registrations_party: a party's supply points
 *   certificates (device, ...)         device -> network operator  certificates_party: a party's devices
 *
 * `messages.user_id` is U(M) (rule 1: a request's or acknowledgement's originator, an answer's recipient),
 * indexed with time so a party's own traffic is an index range (the by-device plan, visible-query.ts).
 */
const SQLITE = [
  `CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    operator INTEGER NOT NULL
  )`,
  `CREATE TABLE party_user_ids (
    user_id INTEGER PRIMARY KEY,
    party_id TEXT NOT NULL REFERENCES parties (id),
    role TEXT NOT NULL
  )`,
  `CREATE INDEX party_user_ids_party ON party_user_ids (party_id)`,
  `CREATE TABLE devices (
    device INTEGER PRIMARY KEY,
    type TEXT NOT NULL
  )`,
  `CREATE TABLE device_links (
    device INTEGER NOT NULL,
    mpxn TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    PRIMARY KEY (device, mpxn, valid_from)
  ) WITHOUT ROWID`,
  `CREATE INDEX device_links_mpxn ON device_links (mpxn)`,
  `CREATE TABLE registrations (
    mpxn TEXT NOT NULL,
    role TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    party_id TEXT NOT NULL,
    PRIMARY KEY (mpxn, role, valid_from)
  ) WITHOUT ROWID`,
  `CREATE INDEX registrations_party ON registrations (party_id, role)`,
  `CREATE TABLE certificates (
    device INTEGER NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    party_id TEXT NOT NULL,
    PRIMARY KEY (device, valid_from)
  ) WITHOUT ROWID`,
  `CREATE INDEX certificates_party ON certificates (party_id)`,
  `ALTER TABLE messages ADD COLUMN user_id INTEGER`,
  `CREATE INDEX messages_user ON messages (user_id, time)`,
];

const POSTGRES = [
  `CREATE TABLE parties (
    id text PRIMARY KEY,
    name text NOT NULL,
    operator boolean NOT NULL
  )`,
  `CREATE TABLE party_user_ids (
    user_id bigint PRIMARY KEY,
    party_id text NOT NULL REFERENCES parties (id),
    role text NOT NULL
  )`,
  `CREATE INDEX party_user_ids_party ON party_user_ids (party_id)`,
  `CREATE TABLE devices (
    device bigint PRIMARY KEY,
    type text NOT NULL
  )`,
  `CREATE TABLE device_links (
    device bigint NOT NULL,
    valid_from bigint NOT NULL,
    valid_to bigint,
    mpxn text NOT NULL,
    PRIMARY KEY (device, mpxn, valid_from)
  )`,
  `CREATE INDEX device_links_mpxn ON device_links (mpxn)`,
  `CREATE TABLE registrations (
    valid_from bigint NOT NULL,
    valid_to bigint,
    mpxn text NOT NULL,
    role text NOT NULL,
    party_id text NOT NULL,
    PRIMARY KEY (mpxn, role, valid_from)
  )`,
  `CREATE INDEX registrations_party ON registrations (party_id, role)`,
  `CREATE TABLE certificates (
    device bigint NOT NULL,
    valid_from bigint NOT NULL,
    valid_to bigint,
    party_id text NOT NULL,
    PRIMARY KEY (device, valid_from)
  )`,
  `CREATE INDEX certificates_party ON certificates (party_id)`,
  `ALTER TABLE messages ADD COLUMN user_id bigint`,
  `CREATE INDEX messages_user ON messages (user_id, time, id)`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
  await backfillUserIds(db);
}

export async function down(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const t of ['certificates', 'registrations', 'device_links', 'devices', 'party_user_ids', 'parties']) {
    await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
  }
  await sql.raw('DROP INDEX IF EXISTS messages_user').execute(db);
  await sql.raw(`ALTER TABLE messages DROP COLUMN user_id`).execute(db);
  void backend;
}

/** Fills `user_id` of messages stored before this migration (U(M) from the stored RequestID / ResponseID). */
async function backfillUserIds(db: Kysely<unknown>): Promise<void> {
  const byOriginator = new Set([KIND_CODES.request, KIND_CODES.acknowledgement]);
  for (;;) {
    const rows = (
      await sql<{ id: number | string; kind: number; request_id: string | null; response_id: string | null }>`
        SELECT id, kind, request_id, response_id FROM messages WHERE user_id IS NULL
        AND (request_id IS NOT NULL OR response_id IS NOT NULL) ORDER BY id LIMIT 5000`.execute(db)
    ).rows;
    if (rows.length === 0) return;
    for (const r of rows) {
      const originator = byOriginator.has(Number(r.kind));
      const text = originator ? r.request_id : r.response_id;
      const part = originator ? 0 : 1;
      const userId = text?.split(':')[part];
      // A row that cannot have one gets 0 so the loop ends; no EUI-64 of a User ID is 00-00-...-00.
      await sql`UPDATE messages SET user_id = ${userId ? eui64ToBigInt(userId) : 0n} WHERE id = ${r.id}`.execute(db);
    }
  }
}
