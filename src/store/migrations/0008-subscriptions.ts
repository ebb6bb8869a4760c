import { sql, type Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

/*
 * Signed webhook subscriptions (issue 7, part 2): the subscriptions and their delivery outbox, both in the
 * database so that deliveries survive a restart and any number of processes can run the dispatcher
 * (src/subscriptions/webhook-dispatcher.ts).
 *
 * - `subscriptions`: one row per subscription of a party. `secret` is kept in clear because the dispatcher must
 *   sign with it (it is never returned by the API after creation). `created_by_*` is the creator as the access
 *   audit names it (deliveries are recorded with it as the actor), and the subscription only runs while that
 *   token or account still belongs to the party. `cursor` is the last message-feed position examined
 *   (migration 0007): fan-out reads the feed after it and moves it with a compare-and-set
 *   (`UPDATE ... WHERE cursor = <read value>`), so two processes never create the same deliveries twice.
 *   `deleted_at`: soft delete; a deleted subscription creates and sends nothing more.
 * - `webhook_deliveries`: the outbox. `id` (`dlv_<hex>`) is the idempotency key the receiver sees.
 *   `message_id`/`feed_seq` are null for a test event. `payload` is the `/messages` item as JSON, built when the
 *   delivery was created (visibility is judged then), so retries send the same item even after retention.
 *   `status` pending | delivered | dead; a pending row is due when `next_attempt_at <= now`. A process claims a
 *   due row by moving `next_attempt_at` past its POST's timeout (the lease) and writing its own `claim` token, in
 *   one UPDATE: another process does not see it due until the lease runs out, and only the claimer's token can
 *   complete it. `attempts` counts claims (an attempt cut short by a crash counts too).
 *   Index `(status, next_attempt_at)`: the claim's scan; `(subscription_id, created_at)`: the API's listing.
 */
const SQLITE = [
  `CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL,
    created_by_kind TEXT NOT NULL,
    created_by_id TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_by_role TEXT NOT NULL,
    reason TEXT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    filters TEXT NOT NULL,
    cursor INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
  )`,
  `CREATE INDEX subscriptions_party ON subscriptions (party_id, created_at)`,
  `CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    message_id TEXT,
    feed_seq INTEGER,
    payload TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claim TEXT,
    last_error TEXT,
    last_status INTEGER,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
  )`,
  `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)`,
  `CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at)`,
];

const POSTGRES = [
  `CREATE TABLE subscriptions (
    id text PRIMARY KEY,
    party_id text NOT NULL,
    created_by_kind text NOT NULL,
    created_by_id text NOT NULL,
    created_by_name text NOT NULL,
    created_by_role text NOT NULL,
    reason text,
    url text NOT NULL,
    secret text NOT NULL,
    filters text NOT NULL,
    cursor bigint NOT NULL,
    created_at bigint NOT NULL,
    deleted_at bigint
  )`,
  `CREATE INDEX subscriptions_party ON subscriptions (party_id, created_at)`,
  `CREATE TABLE webhook_deliveries (
    id text PRIMARY KEY,
    subscription_id text NOT NULL REFERENCES subscriptions (id),
    message_id text,
    feed_seq bigint,
    payload text,
    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    claim text,
    last_error text,
    last_status integer,
    created_at bigint NOT NULL,
    delivered_at bigint
  )`,
  `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)`,
  `CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at)`,
];

export async function up(db: Kysely<unknown>, backend: StoreBackend): Promise<void> {
  for (const statement of backend === 'sqlite' ? SQLITE : POSTGRES) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['webhook_deliveries', 'subscriptions']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
}
