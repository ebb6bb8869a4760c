import type { ColumnType } from 'kysely';

/**
 * A 64-bit integer column. SQLite (better-sqlite3) returns a number (a bigint with safeIntegers); PostgreSQL (pg) returns `int8` as a
 * decimal string. Write numbers (ids and times stay below 2^53) or bigints (device keys).
 */
type Int8 = ColumnType<number | string | bigint, number | bigint | string, number | bigint | string>;

/**
 * `messages`: one row per distinct message (by hash). Times are epoch milliseconds. SQLite rows also keep the
 * 16-byte `hash` (its dedupe goes through the thread index); only the write path reads it, so it is not here.
 */
export interface MessagesTable {
  id: Int8;
  /** t(M). */
  time: Int8;
  received_at: Int8;
  /** See `KIND_CODES`. */
  kind: number;
  /**
   * `threadKeyOf(request_id)`. Without RequestID: `null` on PostgreSQL; on SQLite the ResponseID's key (every
   * row has one, see ingest-plan.ts `linkKey`). Reads always pair it with `request_id = text`.
   */
  thread_key: Int8 | null;
  request_id: string | null;
  response_id: string | null;
  command_variant: number | null;
  service_reference: string | null;
  srv: string | null;
  response_code: string | null;
  response_date_time: string | null;
  alert_code: string | null;
  dcc_alert_code: string | null;
  throttled_alert_sequence_id: string | null;
  throttled_alert_count: number | null;
  body_element: string | null;
  schema_version: string | null;
  /** SQLite 0/1, PostgreSQL boolean. */
  has_gbcs_payload: number | boolean;
  /** S(M) packed as 8-byte big-endian EUI-64s (see device-set.ts); the same set as `message_devices`. */
  device_ids: Uint8Array | null;
  /** U(M) as a device-style key (rule 1): a request's / acknowledgement's originator, an answer's recipient. */
  user_id: Int8 | null;
  chunk_id: Int8;
  xml_offset: number;
  xml_length: number;
}

/** `xml_chunks`: the original bytes of a batch, compressed together. */
export interface XmlChunksTable {
  id: Int8;
  codec: number;
  raw_length: number;
  /** Length of `data`, kept so stats need not read the blobs. */
  stored_length: number;
  data: Uint8Array;
  /** The greatest t(M) of the chunk's messages: its partition month, and when retention removes it. */
  time: Int8;
}

/** `message_hashes` (PostgreSQL only): the idempotency key (first 16 bytes of SHA-256) as a uuid. */
export interface MessageHashesTable {
  hash: Uint8Array | string;
  message_id: Int8;
  /** The message's t(M), for retention. */
  time: Int8;
}

/** `message_devices`: the device index, exactly S(M) for every message. */
export interface MessageDevicesTable {
  /** EUI-64 as a signed 64-bit integer (`eui64ToBigInt`). */
  device: Int8;
  time: Int8;
  message_id: Int8;
}

/** `threads` (PostgreSQL only): one row per thread key; its row lock serialises writers of one thread. */
export interface ThreadsTable {
  thread_key: Int8;
  /** t(M) of the message that first needed the row, for retention. */
  time: Int8;
}

/**
 * `message_feed` (migrations/0007-message-feed.ts): every new message in commit order. `seq` 1, 2, 3, ... without
 * gaps, assigned under `message_feed_head`'s row lock as the last statement of each ingest transaction.
 */
export interface MessageFeedTable {
  seq: Int8;
  message_id: Int8;
  /** The message's t(M): with `message_id` its key in `messages`, and what retention deletes by. */
  time: Int8;
}

/** The feed's head: one row, id 1, the last position handed out (0 when none). */
export interface MessageFeedHeadTable {
  id: number;
  seq: Int8;
}

/** Reference data (migrations/0002-reference-data.ts). Periods are epoch ms, `valid_to` null = open. */
export interface PartiesTable {
  id: string;
  name: string;
  /** SQLite 0/1, PostgreSQL boolean. */
  operator: number | boolean;
}

export interface PartyUserIdsTable {
  user_id: Int8;
  party_id: string;
  role: string;
}

export interface DevicesTable {
  device: Int8;
  type: string;
}

export interface DeviceLinksTable {
  device: Int8;
  mpxn: string;
  valid_from: Int8;
  valid_to: Int8 | null;
}

export interface RegistrationsTable {
  mpxn: string;
  role: string;
  party_id: string;
  valid_from: Int8;
  valid_to: Int8 | null;
}

export interface CertificatesTable {
  device: Int8;
  party_id: string;
  valid_from: Int8;
  valid_to: Int8 | null;
}

/** Portal accounts (migrations/0003-accounts.ts). */
export interface AccountsTable {
  username: string;
  party_id: string;
  role: string;
  /** scrypt hash (auth/passwords.ts); null until a password is set. */
  password_hash: string | null;
  created_at: Int8;
  failed_logins: number;
  locked_until: Int8 | null;
}

/** API tokens: only the SHA-256 of the secret is kept. */
export interface ApiTokensTable {
  id: string;
  name: string;
  scope: string;
  party_id: string | null;
  secret_hash: Uint8Array;
  created_at: Int8;
  expires_at: Int8 | null;
  revoked_at: Int8 | null;
}

/** Browser sessions (migrations/0004-sessions.ts): only the SHA-256 of the session secret is kept. */
export interface SessionsTable {
  id_hash: Uint8Array;
  username: string;
  csrf_token: string;
  created_at: Int8;
  last_seen_at: Int8;
  expires_at: Int8;
}

/**
 * The access audit (migrations/0005-access-audit.ts): append-only and hash-chained, see audit/access-audit.ts.
 * Times are epoch ms; hashes are lowercase hex SHA-256.
 */
export interface AccessAuditTable {
  /** 1, 2, 3, ... without gaps, assigned under the head row's lock. */
  seq: Int8;
  at: Int8;
  /** `user` or `token`. */
  actor_kind: string;
  /** Username or token id. */
  actor_id: string;
  /** Username or token name. */
  actor_name: string;
  /** The actor's party at the time; not a foreign key (the audit outlives parties). */
  party_id: string | null;
  role: string;
  action: string;
  /** Canonical JSON (keys sorted recursively); hashed exactly as stored. */
  subject: string;
  rows: Int8;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/** The chain's head: one row, id 1, the last entry's seq and hash (seq 0 and 64 zeros when empty). */
export interface AccessAuditHeadTable {
  id: number;
  seq: Int8;
  hash: string;
}

/** Webhook subscriptions (migrations/0008-subscriptions.ts). Times are epoch ms. */
export interface SubscriptionsTable {
  id: string;
  party_id: string;
  /** The creator as the access audit names it: `user` or `token`, username or token id, name, role or scope. */
  created_by_kind: string;
  created_by_id: string;
  created_by_name: string;
  created_by_role: string;
  /** An operator's stated reason at creation, recorded with every delivery. */
  reason: string | null;
  url: string;
  /** The signing secret (needed to sign; never returned by the API after creation). */
  secret: string;
  /** The feed filters as JSON (the `/watch` query parameters). */
  filters: string;
  /** The last message-feed position examined. */
  cursor: Int8;
  created_at: Int8;
  deleted_at: Int8 | null;
}

/** The webhook outbox (migrations/0008-subscriptions.ts). */
export interface WebhookDeliveriesTable {
  /** `dlv_<hex>`: the idempotency key sent to the receiver. */
  id: string;
  subscription_id: string;
  /** Null for a test event. */
  message_id: string | null;
  feed_seq: Int8 | null;
  /** The `/messages` item as JSON text; null for a test event. */
  payload: string | null;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: Int8;
  /** The claim token of the process sending it now (the lease runs to `next_attempt_at`). */
  claim: string | null;
  last_error: string | null;
  last_status: number | null;
  created_at: Int8;
  delivered_at: Int8 | null;
}

export interface Db {
  subscriptions: SubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  accounts: AccountsTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  access_audit: AccessAuditTable;
  access_audit_head: AccessAuditHeadTable;
  parties: PartiesTable;
  party_user_ids: PartyUserIdsTable;
  devices: DevicesTable;
  device_links: DeviceLinksTable;
  registrations: RegistrationsTable;
  certificates: CertificatesTable;
  messages: MessagesTable;
  xml_chunks: XmlChunksTable;
  message_hashes: MessageHashesTable;
  message_devices: MessageDevicesTable;
  threads: ThreadsTable;
  message_feed: MessageFeedTable;
  message_feed_head: MessageFeedHeadTable;
}
