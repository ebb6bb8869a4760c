import { createHash } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { StoreError } from '../errors.js';
import type { AccessAuditTable, Db } from '../store/db-schema.js';
import type { StoreBackend } from '../store/message-store.js';

/** What an audited access did: a search (list), a view of one message, a thread, a device, an export, a read of the audit itself. */
export const AUDIT_ACTIONS = ['search', 'view', 'thread', 'device', 'export', 'audit', 'watch'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The `prevHash` of entry 1: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Longest accepted `reason` (an operator's `X-Access-Reason`), in UTF-16 code units. */
export const MAX_REASON_LENGTH = 1000;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
/** Entries read per query by `verify` (it holds one page in memory). */
const VERIFY_PAGE = 1000;

/** Who accessed: a portal user or an API token, as authenticated at the time. */
export interface AuditActor {
  /** `cli`: someone with direct database access ran `srvv messages` / `srvv explain` (id: the OS user). */
  kind: 'user' | 'token' | 'cli';
  /** Username, or token id. */
  id: string;
  /** Username, or token name. */
  name: string;
  /** The actor's party; `null` for a token that belongs to none. */
  partyId: string | null;
  /** `viewer`, `admin` or `operator` for users; the scope (`read`, ...) for tokens. */
  role: string;
}

/** One access to record. */
export interface AuditEntryInput {
  actor: AuditActor;
  action: AuditAction;
  /**
   * What was accessed: the filters of a search or export, or `{ messageId }`, `{ requestId }`, `{ deviceId }`.
   * Any JSON-serialisable object; it is stored as its canonical JSON (see {@link canonicalJson}), so a `Date`
   * becomes its ISO string and `undefined` members disappear, exactly as with `JSON.stringify`.
   */
  subject: Record<string, unknown>;
  /** Rows returned (messages listed or exported, 1 or 0 for a view). A non-negative integer. */
  rows: number;
  /** An operator's stated reason (`X-Access-Reason`); at most {@link MAX_REASON_LENGTH} characters. */
  reason?: string | null;
}

/** A recorded entry, as stored. */
export interface AuditEntry extends AuditEntryInput {
  seq: number;
  at: Date;
  reason: string | null;
  /** Lowercase hex SHA-256: the previous entry's `hash` ({@link GENESIS_HASH} for entry 1). */
  prevHash: string;
  /** Lowercase hex SHA-256 of this entry, see {@link auditEntryHash}. */
  hash: string;
}

/** Filters of {@link AccessAudit.list}; all optional, combined with AND. */
export interface AuditQuery {
  /** Only entries whose actor belonged to this party. */
  partyId?: string;
  /** Only this actor: a username or a token id. */
  actor?: string;
  action?: AuditAction;
  /** at >= from. */
  from?: Date;
  /** at < to (half-open, like every interval here). */
  to?: Date;
  /** Page size: default 50 (also for 0 or NaN), clamped to 1..1000. */
  limit?: number;
  /** `nextCursor` of the previous page. Opaque. */
  cursor?: string;
}

export interface AuditPage {
  /** Newest first (by seq). */
  items: AuditEntry[];
  nextCursor: string | null;
}

/**
 * The result of {@link AccessAudit.verify}. `entries` counts the entries found intact (when broken: those before
 * the break). `head` is the hash of the last entry ({@link GENESIS_HASH} for an empty log): record it
 * somewhere the database's administrators cannot write, and a later rewrite of the chain is detectable too.
 */
export type AuditVerification =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; firstBroken: { seq: number; problem: string } };

/**
 * The tamper-evident access audit: every search, view and export, in an append-only hash-chained log. Every
 * method throws `StoreError`: `STORE_INVALID_QUERY` for invalid input, others when the database fails.
 */
export interface AccessAudit {
  /**
   * Records one access at `now` (epoch ms; default: the time the entry's turn comes) and returns the stored
   * entry. Safe with any number of processes appending to one database: appends are serialised by the head
   * row's lock (PostgreSQL) or the database write lock (SQLite), so seqs never repeat or leave gaps. Note
   * that `at` need not increase with seq when callers pass `now`.
   */
  append(input: AuditEntryInput, now?: number): Promise<AuditEntry>;

  /** One page of entries matching every given filter, newest first; a malformed cursor throws `STORE_INVALID_QUERY`. */
  list(query: AuditQuery): Promise<AuditPage>;

  /**
   * Walks the whole log in seq order, a page at a time, and checks that seqs run 1, 2, 3, ... without gaps,
   * that each `prev_hash` is the previous entry's hash, that each `hash` matches the entry's contents, and that
   * the head row names the last entry. Reports the first problem. Appends may run meanwhile.
   */
  verify(): Promise<AuditVerification>;

  /** The chain's head as recorded (entries so far and the newest hash), without walking it: for metrics and anchoring. */
  head(): Promise<{ seq: number; hash: string }>;
}

/** The fields of an entry that its hash covers, in the form they are stored. */
export interface AuditHashFields {
  seq: number;
  /** Epoch ms. */
  at: number;
  actorKind: string;
  actorId: string;
  actorName: string;
  partyId: string | null;
  role: string;
  action: string;
  /** The `subject` column's text, exactly as stored ({@link canonicalJson} of the subject). */
  subject: string;
  rows: number;
  reason: string | null;
}

/**
 * The hash of one entry, lowercase hex:
 *
 * ```text
 * hash = hex(SHA-256(UTF-8(prevHash + "\n" + line)))
 * line = "[" seq "," at "," J(actor_kind) "," J(actor_id) "," J(actor_name) "," J(party_id) "," J(role) ","
 *            J(action) "," subject "," rows "," J(reason) "]"
 * ```
 *
 * `prevHash` is the previous entry's hash in lowercase hex (64 `0`s for entry 1). `seq`, `at` (epoch
 * milliseconds) and `rows` are integers in plain decimal. `J(x)` is the JSON string of `x` as ECMAScript
 * `JSON.stringify` writes it (`null` when absent): for these values the same as Python's
 * `json.dumps(x, ensure_ascii=False)`. `subject` is the `subject` column's text byte for byte, which is the
 * subject's canonical JSON ({@link canonicalJson}); so `line` is itself the compact JSON array
 * `[seq, at, actor_kind, actor_id, actor_name, party_id, role, action, subject, rows, reason]` and an auditor
 * needs only the stored columns, string concatenation and SHA-256 to recompute every hash.
 */
export function auditEntryHash(prevHash: string, f: AuditHashFields): string {
  const j = (v: string | null) => JSON.stringify(v);
  const line =
    `[${f.seq},${f.at},${j(f.actorKind)},${j(f.actorId)},${j(f.actorName)},${j(f.partyId)},${j(f.role)},` +
    `${j(f.action)},${f.subject},${f.rows},${j(f.reason)}]`;
  return createHash('sha256').update(`${prevHash}\n${line}`, 'utf8').digest('hex');
}

/**
 * Canonical JSON of a JSON-serialisable value: `JSON.stringify`'s output (no whitespace, its string escapes and
 * number forms, `toJSON` applied, `undefined` members dropped) with the keys of every object sorted by UTF-16
 * code units, recursively. Array order is kept.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('not JSON-serialisable');
  return canonical(JSON.parse(text) as unknown);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Explicit sort: an object's own property order puts integer-like keys first, whatever the insertion order.
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** {@link AccessAudit} in the store's database (tables of migrations/0005-access-audit.ts). */
export class KyselyAccessAudit implements AccessAudit {
  readonly #db: Kysely<Db>;
  readonly #backend: StoreBackend;

  constructor(db: Kysely<Db>, backend: StoreBackend) {
    this.#db = db;
    this.#backend = backend;
  }

  async append(input: AuditEntryInput, now?: number): Promise<AuditEntry> {
    const fields = validateEntry(input);
    if (now !== undefined && !Number.isSafeInteger(now)) throw invalid(`now: ${String(now)} is not an epoch-ms integer`);
    return this.#db.transaction().execute(async (trx) => {
      const head = await this.#lockHead(trx);
      const seq = Number(head.seq) + 1;
      const at = now ?? Date.now();
      const entry: AuditHashFields = { ...fields, seq, at };
      const hash = auditEntryHash(head.hash, entry);
      await trx
        .insertInto('access_audit')
        .values({
          seq,
          at,
          actor_kind: entry.actorKind,
          actor_id: entry.actorId,
          actor_name: entry.actorName,
          party_id: entry.partyId,
          role: entry.role,
          action: entry.action,
          subject: entry.subject,
          rows: entry.rows,
          reason: entry.reason,
          prev_hash: head.hash,
          hash,
        })
        .execute();
      await trx.updateTable('access_audit_head').set({ seq, hash }).where('id', '=', 1).execute();
      return toEntry(entry, head.hash, hash);
    });
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(MAX_LIMIT, Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT));
    const before = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
    if (query.action !== undefined && !isAuditAction(query.action)) throw invalid(`action: must be one of ${AUDIT_ACTIONS.join(', ')}`);
    const from = query.from === undefined ? undefined : epochMs(query.from, 'from');
    const to = query.to === undefined ? undefined : epochMs(query.to, 'to');
    const rows = await this.#db
      .selectFrom('access_audit')
      .selectAll()
      .$if(query.partyId !== undefined, (qb) => qb.where('party_id', '=', query.partyId!))
      .$if(query.actor !== undefined, (qb) => qb.where('actor_id', '=', query.actor!))
      .$if(query.action !== undefined, (qb) => qb.where('action', '=', query.action!))
      .$if(from !== undefined, (qb) => qb.where('at', '>=', from!))
      .$if(to !== undefined, (qb) => qb.where('at', '<', to!))
      .$if(before !== undefined, (qb) => qb.where('seq', '<', before!))
      .orderBy('seq', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map((row) => toEntry(rowFields(row), row.prev_hash, row.hash));
    const last = page.at(-1);
    return { items: page, nextCursor: rows.length > limit && last ? encodeAuditCursor(last.seq) : null };
  }

  async verify(): Promise<AuditVerification> {
    // The head is read before the walk and again after it: appends commit entry and head together, in seq
    // order, so a head read earlier never names an entry the walk cannot see, and one read later never names
    // fewer entries than the walk saw. Either the other way round is tampering, not a race.
    const before = await this.#readHead();
    if (!before) return broken(0, 0, 'the head row (access_audit_head) is missing');
    let last = 0;
    let lastHash = GENESIS_HASH;
    let hashAtHead = before.seq === 0 ? GENESIS_HASH : undefined;
    for (;;) {
      const rows = await this.#db.selectFrom('access_audit').selectAll().where('seq', '>', last).orderBy('seq').limit(VERIFY_PAGE).execute();
      for (const row of rows) {
        const seq = Number(row.seq);
        const expected = last + 1;
        if (seq !== expected) return broken(last, expected, `entry ${expected} is missing (seq jumps from ${last} to ${seq})`);
        if (row.prev_hash !== lastHash) {
          return broken(last, seq, seq === 1 ? 'entry 1: prev_hash is not the genesis hash' : `entry ${seq}: prev_hash does not match entry ${last}`);
        }
        if (auditEntryHash(row.prev_hash, rowFields(row)) !== row.hash) return broken(last, seq, `entry ${seq}: hash does not match its contents`);
        last = seq;
        lastHash = row.hash;
        if (seq === before.seq) hashAtHead = row.hash;
      }
      if (rows.length < VERIFY_PAGE) break;
    }
    if (before.seq > last) return broken(last, last + 1, `head says ${before.seq} entries but the log ends at ${last}`);
    if (hashAtHead !== before.hash) {
      return broken(last, before.seq, before.seq === 0 ? 'the head hash is not the genesis hash' : `the head hash does not match entry ${before.seq}`);
    }
    if (last > before.seq) {
      const after = await this.#readHead();
      if (!after) return broken(last, 0, 'the head row (access_audit_head) is missing');
      if (after.seq < last) return broken(after.seq, after.seq + 1, `the log has entries after the head (head says ${after.seq} entries, the log ends at ${last})`);
      if (after.seq === last && after.hash !== lastHash) return broken(last, last, `the head hash does not match entry ${last}`);
    }
    return { ok: true, entries: last, head: lastHash };
  }

  /**
   * Locks the head row for this transaction and returns it. PostgreSQL: `SELECT ... FOR UPDATE`, so concurrent
   * appenders queue on the row. SQLite: a no-op UPDATE as the transaction's first statement, so it takes the
   * database write lock before reading (waiting up to the busy timeout for another process); reading first
   * would fail with SQLITE_BUSY when another process wrote in between. Within one process Kysely's single
   * SQLite connection already runs one transaction at a time.
   */
  async #lockHead(trx: Transaction<Db>): Promise<{ seq: number; hash: string }> {
    const head =
      this.#backend === 'postgres'
        ? await trx.selectFrom('access_audit_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirst()
        : await trx
            .updateTable('access_audit_head')
            .set((eb) => ({ seq: eb.ref('seq') }))
            .where('id', '=', 1)
            .returning(['seq', 'hash'])
            .executeTakeFirst();
    // Fail closed: without its head the chain cannot be extended safely.
    if (!head) throw new StoreError('STORE_FAILED', 'the access audit head row is missing: run srvv audit verify');
    return { seq: Number(head.seq), hash: head.hash };
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const head = await this.#readHead();
    if (!head) throw new StoreError('STORE_FAILED', 'the access audit head row is missing: run srvv audit verify');
    return head;
  }

  async #readHead(): Promise<{ seq: number; hash: string } | undefined> {
    const head = await this.#db.selectFrom('access_audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    return head && { seq: Number(head.seq), hash: head.hash };
  }
}

/** Guard for {@link AuditAction}. */
export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** Opaque to clients: base64url of the last seq of the page. */
function encodeAuditCursor(seq: number): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}

/** Throws `STORE_INVALID_QUERY` for anything {@link encodeAuditCursor} did not produce. */
function decodeAuditCursor(value: string): number {
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const seq = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seq)) throw new StoreError('STORE_INVALID_QUERY', 'malformed cursor');
  return seq;
}

function validateEntry(input: AuditEntryInput): Omit<AuditHashFields, 'seq' | 'at'> {
  const actor = input?.actor;
  if (!actor || typeof actor !== 'object') throw invalid('actor is missing');
  if (actor.kind !== 'user' && actor.kind !== 'token' && actor.kind !== 'cli') throw invalid('actor.kind: must be user, token or cli');
  for (const key of ['id', 'name', 'role'] as const) {
    if (typeof actor[key] !== 'string' || actor[key].length === 0) throw invalid(`actor.${key}: must be a non-empty string`);
  }
  if (actor.partyId !== null && typeof actor.partyId !== 'string') throw invalid('actor.partyId: must be a string or null');
  if (!isAuditAction(input.action)) throw invalid(`action: must be one of ${AUDIT_ACTIONS.join(', ')}`);
  if (!input.subject || typeof input.subject !== 'object' || Array.isArray(input.subject)) throw invalid('subject: must be an object');
  let subject: string;
  try {
    subject = canonicalJson(input.subject);
  } catch (err) {
    throw invalid(`subject: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Number.isSafeInteger(input.rows) || input.rows < 0) throw invalid('rows: must be a non-negative integer');
  const reason = input.reason ?? null;
  if (reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
    throw invalid(`reason: must be a string of at most ${MAX_REASON_LENGTH} characters`);
  }
  return {
    actorKind: actor.kind,
    actorId: actor.id,
    actorName: actor.name,
    partyId: actor.partyId,
    role: actor.role,
    action: input.action,
    subject,
    rows: input.rows,
    reason,
  };
}

function rowFields(row: Selectable<AccessAuditTable>): AuditHashFields {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    actorName: row.actor_name,
    partyId: row.party_id,
    role: row.role,
    action: row.action,
    subject: row.subject,
    rows: Number(row.rows),
    reason: row.reason,
  };
}

function toEntry(f: AuditHashFields, prevHash: string, hash: string): AuditEntry {
  return {
    seq: f.seq,
    at: new Date(f.at),
    actor: { kind: f.actorKind as AuditActor['kind'], id: f.actorId, name: f.actorName, partyId: f.partyId, role: f.role },
    action: f.action as AuditAction,
    subject: parseSubject(f.subject),
    rows: f.rows,
    reason: f.reason,
    prevHash,
    hash,
  };
}

/** The stored subject; text that is not a JSON object (only tampering writes that) comes back as `{ unparsed: text }`. */
function parseSubject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { unparsed: text };
}

function epochMs(value: Date, field: string): number {
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(ms)) throw invalid(`${field}: not a valid date`);
  return ms;
}

function broken(entries: number, seq: number, problem: string): AuditVerification {
  return { ok: false, entries, firstBroken: { seq, problem } };
}

function invalid(detail: string): StoreError {
  return new StoreError('STORE_INVALID_QUERY', `access audit: ${detail}`);
}
