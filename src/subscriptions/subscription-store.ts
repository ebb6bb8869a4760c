import { randomBytes } from 'node:crypto';
import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { AuditActor } from '../audit/access-audit.js';
import { StoreError } from '../errors.js';
import type { Db, SubscriptionsTable, WebhookDeliveriesTable } from '../store/db-schema.js';
import type { StoreBackend } from '../store/message-store.js';

/** The `/watch` filter parameters a subscription stores (validated by the API before they get here). */
export type SubscriptionFilters = Record<string, string | boolean>;

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead'];

/** A subscription as the API shows it: never its secret. */
export interface Subscription {
  id: string;
  partyId: string;
  url: string;
  filters: SubscriptionFilters;
  /** The creator as the audit names it (deliveries are recorded with it as the actor). */
  createdBy: AuditActor;
  createdAt: Date;
  /**
   * Whether the subscription runs: its creator (token or account) still belongs to the party, and for a token
   * is neither revoked nor expired. Revoking a leaked token also stops the subscriptions it created.
   */
  active: boolean;
}

/** What the dispatcher needs of a live subscription. */
export interface LiveSubscription {
  id: string;
  partyId: string;
  filters: SubscriptionFilters;
  createdBy: AuditActor;
  reason: string | null;
  /** The last message-feed position examined. */
  cursor: number;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  /** Null for a test event. */
  messageId: string | null;
  feedSeq: number | null;
  status: DeliveryStatus;
  attempts: number;
  /** When a pending delivery is next tried (a claimed one: when its lease runs out); null otherwise. */
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A delivery claimed for one attempt, with everything needed to send it. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  /** The `/messages` item as JSON text; null for a test event. */
  payload: string | null;
  attempts: number;
  url: string;
  secret: string;
  claim: string;
}

/** A new delivery created by fan-out. */
export interface NewDelivery {
  id: string;
  messageId: string;
  feedSeq: number;
  payload: string;
}

export interface NewSubscription {
  partyId: string;
  createdBy: AuditActor;
  reason: string | null;
  url: string;
  secret: string;
  filters: SubscriptionFilters;
  /** The feed position to start after (the head at creation: only new messages). */
  cursor: number;
}

export interface DeliveryPage {
  items: Delivery[];
  nextCursor: string | null;
}

/** How an attempt ended. */
export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; /** null: no more attempts (dead). */ retryAt: number | null };

/**
 * Subscriptions and their delivery outbox (migrations/0008-subscriptions.ts). The API's reads and writes are
 * scoped by party (another party's subscription reads as absent); the dispatcher's methods are safe with any
 * number of processes. Every method throws `StoreError` when the database fails.
 */
export interface SubscriptionStore {
  create(input: NewSubscription, now?: number): Promise<Subscription>;
  /** The party's subscriptions (not deleted), oldest first. */
  list(partyId: string): Promise<Subscription[]>;
  count(partyId: string): Promise<number>;
  /** Deliveries in the outbox by status, over every party (operations metrics). */
  deliveryCounts(): Promise<Record<DeliveryStatus, number>>;
  /** The subscription when it exists, is not deleted and belongs to the party. */
  get(partyId: string, id: string): Promise<Subscription | undefined>;
  /** Soft delete: nothing more is created or sent. False when there was no such subscription. */
  remove(partyId: string, id: string, now?: number): Promise<boolean>;
  /** A subscription's deliveries, newest first, optionally of one status. */
  listDeliveries(subscriptionId: string, query: { status?: DeliveryStatus; limit?: number; cursor?: string }): Promise<DeliveryPage>;
  getDelivery(subscriptionId: string, deliveryId: string): Promise<Delivery | undefined>;
  /** A dead or delivered delivery goes back to pending, due now, attempts reset; a pending one is left alone. */
  replay(subscriptionId: string, deliveryId: string, now?: number): Promise<Delivery | undefined>;
  /** Queues a test event (no message), due now. */
  queueTest(subscriptionId: string, now?: number): Promise<Delivery>;

  /** Dispatcher: the subscriptions that run (not deleted, creator still valid). */
  live(now?: number): Promise<LiveSubscription[]>;
  /**
   * Dispatcher: moves the cursor from `from` to `to` and inserts `deliveries`, in one transaction, only if the
   * cursor is still `from` (compare-and-set) and the subscription is not deleted. False when another process
   * got there first (nothing written).
   */
  advance(subscriptionId: string, from: number, to: number, deliveries: readonly NewDelivery[], now?: number): Promise<boolean>;
  /**
   * Dispatcher: claims up to `limit` due pending deliveries of live subscriptions for one attempt each:
   * attempts + 1, a fresh claim token, and `next_attempt_at = leaseUntil` so no other process takes them
   * meanwhile (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer).
   */
  claimDue(limit: number, leaseUntil: number, now?: number): Promise<ClaimedDelivery[]>;
  /** Dispatcher: records an attempt's outcome; ignored when the claim is no longer ours (the lease ran out). */
  complete(delivery: Pick<ClaimedDelivery, 'id' | 'claim'>, outcome: AttemptOutcome, now?: number): Promise<void>;
  /** Dispatcher: gives an abandoned attempt back (not counted), due now. */
  release(delivery: Pick<ClaimedDelivery, 'id' | 'claim'>, now?: number): Promise<void>;
  /** Housekeeping: deletes deliveries delivered before `deliveredBefore` and dead ones created before `deadBefore`; returns how many. */
  prune(deliveredBefore: number, deadBefore: number): Promise<number>;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

export function newSubscriptionId(): string {
  return `sub_${randomBytes(12).toString('hex')}`;
}

export function newDeliveryId(): string {
  return `dlv_${randomBytes(16).toString('hex')}`;
}

type SubscriptionRow = Selectable<SubscriptionsTable>;
type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/** {@link SubscriptionStore} in the store's database. */
export class KyselySubscriptionStore implements SubscriptionStore {
  readonly #db: Kysely<Db>;
  readonly #backend: StoreBackend;

  constructor(db: Kysely<Db>, backend: StoreBackend) {
    this.#db = db;
    this.#backend = backend;
  }

  async create(input: NewSubscription, now = Date.now()): Promise<Subscription> {
    const row: SubscriptionRow = {
      id: newSubscriptionId(),
      party_id: input.partyId,
      created_by_kind: input.createdBy.kind,
      created_by_id: input.createdBy.id,
      created_by_name: input.createdBy.name,
      created_by_role: input.createdBy.role,
      reason: input.reason,
      url: input.url,
      secret: input.secret,
      filters: JSON.stringify(input.filters),
      cursor: input.cursor,
      created_at: now,
      deleted_at: null,
    };
    await this.#db.insertInto('subscriptions').values(row).execute();
    return toSubscription({ ...row, active: true });
  }

  async list(partyId: string): Promise<Subscription[]> {
    const rows = await this.#selectSubscriptions(Date.now())
      .where('s.party_id', '=', partyId)
      .where('s.deleted_at', 'is', null)
      .orderBy('s.created_at')
      .orderBy('s.id')
      .execute();
    return rows.map(toSubscription);
  }

  async count(partyId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('subscriptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('party_id', '=', partyId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async deliveryCounts(): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.#db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, dead: 0 };
    for (const r of rows) if (r.status in counts) counts[r.status as DeliveryStatus] = Number(r.n);
    return counts;
  }

  async get(partyId: string, id: string): Promise<Subscription | undefined> {
    const row = await this.#selectSubscriptions(Date.now())
      .where('s.id', '=', id)
      .where('s.party_id', '=', partyId)
      .where('s.deleted_at', 'is', null)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  async remove(partyId: string, id: string, now = Date.now()): Promise<boolean> {
    const result = await this.#db
      .updateTable('subscriptions')
      .set({ deleted_at: now })
      .where('id', '=', id)
      .where('party_id', '=', partyId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listDeliveries(subscriptionId: string, query: { status?: DeliveryStatus; limit?: number; cursor?: string }): Promise<DeliveryPage> {
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE) || DEFAULT_PAGE));
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    let q = this.#db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (before) {
      q = q.where((eb) => eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toDelivery);
    const last = rows.length > limit ? items.at(-1) : undefined;
    return { items, nextCursor: last ? encodeCursor(last.createdAt.getTime(), last.id) : null };
  }

  async getDelivery(subscriptionId: string, deliveryId: string): Promise<Delivery | undefined> {
    const row = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst();
    return row && toDelivery(row);
  }

  async replay(subscriptionId: string, deliveryId: string, now = Date.now()): Promise<Delivery | undefined> {
    await this.#db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, claim: null, delivered_at: null })
      .where('id', '=', deliveryId)
      .where('subscription_id', '=', subscriptionId)
      .where('status', 'in', ['dead', 'delivered'])
      .execute();
    return this.getDelivery(subscriptionId, deliveryId);
  }

  async queueTest(subscriptionId: string, now = Date.now()): Promise<Delivery> {
    const row = pendingRow(subscriptionId, { id: newDeliveryId(), messageId: null, feedSeq: null, payload: null }, now);
    await this.#db.insertInto('webhook_deliveries').values(row).execute();
    return toDelivery(row);
  }

  async live(now = Date.now()): Promise<LiveSubscription[]> {
    const rows = await this.#db
      .selectFrom('subscriptions as s')
      .select(['s.id', 's.party_id', 's.filters', 's.cursor', 's.reason', 's.created_by_kind', 's.created_by_id', 's.created_by_name', 's.created_by_role'])
      .where('s.deleted_at', 'is', null)
      .where(creatorActive(now))
      .orderBy('s.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      partyId: r.party_id,
      filters: JSON.parse(r.filters) as SubscriptionFilters,
      createdBy: actorOf(r),
      reason: r.reason,
      cursor: Number(r.cursor),
    }));
  }

  async advance(subscriptionId: string, from: number, to: number, deliveries: readonly NewDelivery[], now = Date.now()): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('subscriptions')
        .set({ cursor: to })
        .where('id', '=', subscriptionId)
        .where('cursor', '=', from)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      // At most one feed slice (1000 rows); 200 rows of 13 columns per statement stay inside SQLite's parameter limit.
      for (let i = 0; i < deliveries.length; i += 200) {
        await trx
          .insertInto('webhook_deliveries')
          .values(
            deliveries.slice(i, i + 200).map((d) => pendingRow(subscriptionId, d, now)),
          )
          .execute();
      }
      return true;
    });
  }

  async claimDue(limit: number, leaseUntil: number, now = Date.now()): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const claim = randomBytes(12).toString('hex');
    let due = this.#db
      .selectFrom('webhook_deliveries as d')
      .select('d.id')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where('d.subscription_id', 'in', (eb) =>
        eb.selectFrom('subscriptions as s').select('s.id').where('s.deleted_at', 'is', null).where(creatorActive(now)),
      )
      .orderBy('d.next_attempt_at')
      .limit(limit);
    if (this.#backend === 'postgres') due = due.forUpdate().skipLocked();
    const claimed = await this.#db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ claim, next_attempt_at: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due)
      // Re-checked on the row's latest version (PostgreSQL re-evaluates the outer WHERE after waiting on a lock).
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .returning(['id', 'subscription_id', 'payload', 'attempts'])
      .execute();
    if (claimed.length === 0) return [];
    const subs = await this.#db
      .selectFrom('subscriptions')
      .select(['id', 'url', 'secret'])
      .where('id', 'in', [...new Set(claimed.map((c) => c.subscription_id))])
      .execute();
    const byId = new Map(subs.map((s) => [s.id, s]));
    return claimed.map((c) => {
      const sub = byId.get(c.subscription_id)!;
      return { id: c.id, subscriptionId: c.subscription_id, payload: c.payload, attempts: c.attempts, url: sub.url, secret: sub.secret, claim };
    });
  }

  async complete(delivery: Pick<ClaimedDelivery, 'id' | 'claim'>, outcome: AttemptOutcome, now = Date.now()): Promise<void> {
    const set = outcome.ok
      ? { status: 'delivered' as const, delivered_at: now, last_status: outcome.status, last_error: null, claim: null }
      : outcome.retryAt === null
        ? { status: 'dead' as const, last_status: outcome.status, last_error: outcome.error.slice(0, 500), claim: null }
        : { next_attempt_at: outcome.retryAt, last_status: outcome.status, last_error: outcome.error.slice(0, 500), claim: null };
    await this.#db.updateTable('webhook_deliveries').set(set).where('id', '=', delivery.id).where('claim', '=', delivery.claim).execute();
  }

  async release(delivery: Pick<ClaimedDelivery, 'id' | 'claim'>, now = Date.now()): Promise<void> {
    await this.#db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ claim: null, next_attempt_at: now, attempts: eb('attempts', '-', 1) }))
      .where('id', '=', delivery.id)
      .where('claim', '=', delivery.claim)
      .where('status', '=', 'pending')
      .execute();
  }

  async prune(deliveredBefore: number, deadBefore: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('webhook_deliveries')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'delivered'), eb('delivered_at', '<', deliveredBefore)]),
          eb.and([eb('status', '=', 'dead'), eb('created_at', '<', deadBefore)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  #selectSubscriptions(now: number) {
    return this.#db
      .selectFrom('subscriptions as s')
      .select([
        's.id', 's.party_id', 's.url', 's.filters', 's.created_at', 's.created_by_kind', 's.created_by_id', 's.created_by_name', 's.created_by_role',
      ])
      .select(sql<number | boolean>`case when ${creatorActive(now)} then 1 else 0 end`.as('active'));
  }
}

/**
 * The subscription's creator still stands behind it: a `read` token of the party, neither revoked nor expired,
 * or an account of the party. (On `subscriptions as s`.)
 */
function creatorActive(now: number): Expression<SqlBool> {
  return sql<SqlBool>`(
    (s.created_by_kind = 'token' and exists (
      select 1 from api_tokens t where t.id = s.created_by_id and t.party_id = s.party_id and t.scope = 'read'
        and t.revoked_at is null and (t.expires_at is null or t.expires_at > ${now})))
    or (s.created_by_kind = 'user' and exists (
      select 1 from accounts a where a.username = s.created_by_id and a.party_id = s.party_id))
  )`;
}

function actorOf(r: Pick<SubscriptionRow, 'created_by_kind' | 'created_by_id' | 'created_by_name' | 'created_by_role' | 'party_id'>): AuditActor {
  return { kind: r.created_by_kind as AuditActor['kind'], id: r.created_by_id, name: r.created_by_name, partyId: r.party_id, role: r.created_by_role };
}

function toSubscription(
  r: Pick<SubscriptionRow, 'id' | 'party_id' | 'url' | 'filters' | 'created_at' | 'created_by_kind' | 'created_by_id' | 'created_by_name' | 'created_by_role'> & {
    active: number | boolean | string;
  },
): Subscription {
  return {
    id: r.id,
    partyId: r.party_id,
    url: r.url,
    filters: JSON.parse(r.filters) as SubscriptionFilters,
    createdBy: actorOf(r),
    createdAt: new Date(Number(r.created_at)),
    active: r.active === true || Number(r.active) === 1,
  };
}

/** A new outbox row: due now, never attempted. `payload` null is a test event. */
function pendingRow(
  subscriptionId: string,
  d: { id: string; messageId: string | null; feedSeq: number | null; payload: string | null },
  now: number,
): DeliveryRow {
  return {
    id: d.id,
    subscription_id: subscriptionId,
    message_id: d.messageId,
    feed_seq: d.feedSeq,
    payload: d.payload,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    claim: null,
    last_error: null,
    last_status: null,
    created_at: now,
    delivered_at: null,
  };
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    messageId: r.message_id,
    feedSeq: r.feed_seq === null ? null : Number(r.feed_seq),
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.status === 'pending' ? new Date(Number(r.next_attempt_at)) : null,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    createdAt: new Date(Number(r.created_at)),
    deliveredAt: r.delivered_at === null ? null : new Date(Number(r.delivered_at)),
  };
}

function encodeCursor(at: number, id: string): string {
  return Buffer.from(`${at}:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: string } {
  const m = /^([0-9]{1,16}):(dlv_[0-9a-f]{32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new StoreError('STORE_INVALID_QUERY', 'cursor: not a cursor of this listing');
  return { at: Number(m[1]), id: m[2]! };
}
