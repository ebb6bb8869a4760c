import type { MessageKind } from '../duis/duis-message.js';
import type { UserRole } from '../reference/reference-document.js';
import type { ReferenceStore } from '../reference/reference-store.js';
import type { AccountStore } from '../auth/account-store.js';
import type { SessionStore } from '../auth/session-store.js';
import type { AccessAudit } from '../audit/access-audit.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';
import type { VisibilityReason } from '../visibility/visibility-reason.js';
import type { DeviceSummary } from '../visibility/device-summary.js';
import type { IngestOutcome, PreparedBatch } from './prepared-batch.js';
import type { StoredMessage, Thread } from './stored-message.js';
import type { RetentionPeriod } from './time-partitions.js';

export type { StoredMessage, Thread } from './stored-message.js';
export type { DeviceLinkPeriod, DeviceMessageCounts, DeviceSummary, DeviceWindow, ResponsibleParty } from '../visibility/device-summary.js';

/** The two supported backends. */
export type StoreBackend = 'sqlite' | 'postgres';

/**
 * Where captured DUIS messages live. One implementation (`KyselyMessageStore`) serves every backend: reads are
 * written once against Kysely, and only the bulk write path differs per backend (see `StoreAdapter`).
 * Every method throws `StoreError` (never a driver error) when the database fails.
 */
export interface MessageStore {
  /** Which backend this store runs on. */
  readonly backend: StoreBackend;

  /**
   * Writes a batch in ONE transaction and resolves only after it committed. Returns one outcome per input
   * message, in order. Idempotent on the exact bytes (`PreparedMessage.hash`): a message already stored, or
   * earlier in the same batch, is reported `duplicate: true` with the stored copy's id, and nothing is written
   * for it (a batch of nothing but duplicates writes nothing at all). Links answers to their request and
   * maintains S(M) in both arrival orders. On PostgreSQL several processes may ingest at once: the dedupe is
   * a unique constraint and threads are serialised by a row lock per RequestID. On SQLite writers are
   * serialised by the database (`BEGIN IMMEDIATE`) and the batch runs synchronously.
   */
  ingest(batch: PreparedBatch): Promise<IngestOutcome[]>;

  /** The message with that id, or `undefined` when there is none or `id` is not an id. */
  getMessage(id: string): Promise<StoredMessage | undefined>;

  /** The original bytes of a message, byte for byte as received, or `undefined` as for `getMessage`. */
  getOriginalXml(id: string): Promise<Buffer | undefined>;

  /**
   * Everything stored under a RequestID (canonical or any accepted spelling), with status and timings, or
   * `undefined` when no message carries it.
   */
  getThread(requestId: string): Promise<Thread | undefined>;

  /**
   * One page of messages matching every given filter, newest first (by t(M), then id). Pass `nextCursor`
   * back as `cursor` for the next page; it is `null` on the last page. An id that cannot match (e.g. a
   * deviceId that is not an EUI-64) gives an empty page; a malformed cursor throws `STORE_INVALID_QUERY`.
   */
  listMessages(query: MessageQuery): Promise<MessagePage>;

  /**
   * Counts: stored messages, XML chunks, decoded bytes of all chunks (`rawXmlBytes`) and their compressed
   * size on disk (`storedXmlBytes`). Chunks keep the bytes of their whole batch, so a duplicate that came in
   * a batch with new messages still counts in the byte totals.
   */
  stats(): Promise<StoreStats>;

  /**
   * Deletes the history older than `keep` (calendar months, back from `now`), a whole month at a time: on
   * PostgreSQL by dropping the months' partitions, on SQLite by deleting their rows. Everything from the
   * first instant of the month holding `now - keep` on is kept. `dryRun` reports what would go.
   */
  applyRetention(options: RetentionOptions): Promise<RetentionReport>;

  /**
   * The feed's head: the position of the newest message in the message feed (0 while it is empty). Every
   * message stored by `ingest` gets the next position when its transaction commits, in commit order, without
   * gaps (migrations/0007-message-feed.ts); a reader that has seen position k has seen every position below.
   * Pass it to {@link PartyView.watchPage} as `after` to read only what is stored from now on.
   */
  feedHead(): Promise<number>;

  /** One round trip to the database (readiness checks); throws `STORE_UNAVAILABLE` / `STORE_FAILED` when it fails. */
  ping(): Promise<void>;

  /** Reference data (parties, devices, links, registrations, certificates) in the same database. */
  readonly reference: ReferenceStore;

  /** Portal accounts and API tokens in the same database. */
  readonly accounts: AccountStore;

  /** Password logins (with backoff) and browser sessions in the same database. */
  readonly sessions: SessionStore;

  /** The tamper-evident access audit (who searched, viewed or exported what) in the same database. */
  readonly audit: AccessAudit;

  /** Webhook subscriptions and their delivery outbox (src/subscriptions/) in the same database. */
  readonly subscriptions: SubscriptionStore;

  /**
   * The store as party `partyId` sees it under the visibility rules (DOMAIN.md): every read returns only what
   * the party may see, and something it may not see reads exactly like something that does not exist. An
   * operator party sees everything. Throws `ReferenceError` `REFERENCE_UNKNOWN_PARTY` for an unknown party.
   * The view reads the party's User IDs once; take a new view after changing them.
   */
  forParty(partyId: string): Promise<PartyView>;

  /** Closes connections. Idempotent; any other call afterwards throws `STORE_UNAVAILABLE`. */
  close(): Promise<void>;
}

/** Filters of {@link MessageStore.listMessages}; all optional, combined with AND. */
export interface MessageQuery {
  /** Messages with this device in S(M) (served by the device index). */
  deviceId?: string;
  /** Messages carrying this RequestID. */
  requestId?: string;
  kind?: MessageKind;
  /** ServiceReferenceVariant, raw. */
  srv?: string;
  /**
   * Messages with a device in S(M) that was linked to this MPAN / MPRN at t(M) (the supply point's history,
   * across device exchanges).
   */
  mpxn?: string;
  /** The RequestID's originator User ID (any accepted EUI-64 spelling). */
  originatorId?: string;
  /** The originator's User Role, per the reference data's User IDs. */
  originatorRole?: UserRole;
  /** ResponseCode, raw. */
  responseCode?: string;
  /** t(M) >= from. */
  from?: Date;
  /** t(M) < to (half-open, like every interval here). */
  to?: Date;
  /**
   * Only messages naming an SRV the catalogue flags security relevant (`srv`: a request's, or the one a response
   * body names; alerts and most acknowledgements name none and never match). `false` does not restrict.
   */
  securityRelevant?: boolean;
  /** Only messages naming an SRV DUIS marks critical (as `securityRelevant`). `false` does not restrict. */
  critical?: boolean;
  /** Page size: default 50 (also for 0 or NaN), clamped to 1..1000. */
  limit?: number;
  /** `nextCursor` of the previous page. Opaque. */
  cursor?: string;
}

/** Filters of {@link PartyView.listMessages}. */
export interface PartyMessageQuery extends MessageQuery {
  /** Only messages whose User ID U(M) is not one of the party's own: the MP141 view of other users' traffic. */
  othersOnly?: boolean;
  /**
   * How candidates are found (results are identical; only speed differs): `by-device` walks the device index
   * for the party's devices plus its own traffic, `by-time` scans newest first and filters. Default `auto`
   * picks by the party's size (see docs/architecture.md). For tests and benchmarks.
   */
  strategy?: 'auto' | 'by-device' | 'by-time';
}

/** A message with the reasons the viewing party may see it (never empty). */
export interface VisibleMessage {
  message: StoredMessage;
  reasons: VisibilityReason[];
}

/** See {@link MessageStore.forParty}. */
export interface PartyView {
  readonly partyId: string;
  /** Whether the party is a DCC operator (sees everything). */
  readonly operator: boolean;
  /**
   * The User Role the reference data gives each of `userIds` (keyed by the text as given; unknown ones are left
   * out). For labelling the originators of messages the party already sees.
   */
  userRoles(userIds: readonly string[]): Promise<Map<string, string>>;
  /** Whether `message` is the party's own traffic: its User ID U(M) is one of the party's (rule 1). */
  isOwn(message: Pick<StoredMessage, 'kind' | 'requestId' | 'responseId'>): boolean;
  /** As `MessageStore.listMessages`, restricted to visible messages. */
  listMessages(query: PartyMessageQuery): Promise<MessagePage>;
  /** The message and why the party may see it, or `undefined` when it does not exist or is not visible. */
  getMessage(id: string): Promise<VisibleMessage | undefined>;
  /** Why the party may see the message; empty when it may not (or the message does not exist). */
  explain(id: string): Promise<VisibilityReason[]>;
  /** Original bytes, only of a visible message. */
  getOriginalXml(id: string): Promise<Buffer | undefined>;
  /**
   * The thread as the party sees it: only visible members (status and timings computed from those), or
   * `undefined` when it sees none.
   */
  getThread(requestId: string): Promise<Thread | undefined>;
  /**
   * The device as the party sees it (`GET /api/v1/devices/{deviceId}`), or `undefined` (→ 404, as for a device
   * that does not exist) when `deviceId` is not an EUI-64 (any accepted spelling), or the party has no window on
   * the device and sees none of its messages; for an operator only when the device is neither in the reference
   * data nor in any message.
   * - `windows`: the party's own windows on the device, the periods in which rule 2 or 3 grants it the device's
   *   traffic: Responsible Supplier (a link of the device to an MPxN intersected with the party's IS / GS
   *   registration of that MPxN) or Relevant Network Operator (the party's certificate on the device, while it
   *   has an ED or GT User ID). The conditions of `deviceReasons`, as periods. An operator has one window,
   *   `operator`, from the earliest `Date` on.
   * - `links`, `responsible`: the device's MPxN links and its Responsible Suppliers / Relevant Network Operators,
   *   only the parts inside the party's windows, clipped to them (an operator: all, unclipped). A party that
   *   sees the device's messages only as its own traffic or by a thread (rules 1, 4) gets all three empty.
   * - `type`: from the reference data (`null` when absent); `counts`: exactly the messages
   *   `listMessages({ deviceId })` returns to the party, by kind (all five) and by the RequestID originator's
   *   User Role (`unknown`: not in the reference data, `none`: no RequestID).
   * For a non-operator nothing in the summary depends on anything the party may not see.
   */
  deviceSummary(deviceId: string): Promise<DeviceSummary | undefined>;
  /**
   * The live feed's read (`GET /api/v1/watch`): the visible messages matching `query` among the next `limit`
   * positions of the message feed after `after` (see {@link MessageStore.feedHead}), in feed (commit) order,
   * each with its position. `last` is the last position examined (`after` when there was nothing new), visible
   * or not: pass it back as `after` to continue, so a party's cursor moves past what it may not see. Judged by the
   * same filters and rules as `listMessages` (its `strategy`, `limit` and `cursor` do not apply), against the
   * reference data as it is now. `limit` 1..4096, default 1000: it bounds the work of one call, not the items.
   */
  watchPage(after: number, query: FeedQuery, limit?: number): Promise<FeedPage>;
}

/** Filters of {@link PartyView.watchPage}: those of a listing, without its paging. */
export type FeedQuery = Omit<PartyMessageQuery, 'limit' | 'cursor' | 'strategy'>;

/** One message of the feed with its position. */
export interface FeedItem {
  seq: number;
  message: StoredMessage;
}

export interface FeedPage {
  items: FeedItem[];
  /** The last feed position examined; `after` of the next call. */
  last: number;
}

export interface MessagePage {
  items: StoredMessage[];
  nextCursor: string | null;
}

export interface RetentionOptions {
  keep: RetentionPeriod;
  /** Default: the current time. */
  now?: number;
  dryRun?: boolean;
}

/** What a retention run removed (or would remove, in a dry run). */
export interface RetentionReport {
  backend: StoreBackend;
  dryRun: boolean;
  /** Messages with t(M) before this instant (epoch ms, the first instant of a month) are removed. */
  boundary: number;
  /** The months removed, as `yyyy-mm`, oldest first. */
  months: string[];
  /** PostgreSQL: the partitions dropped. SQLite: empty. */
  partitions: string[];
  /**
   * Messages removed. SQLite: exact. PostgreSQL: the planner's estimate for the dropped partitions (counting a
   * partition of a billion rows exactly would take minutes); `null` where a partition was never analysed.
   */
  messages: number | null;
}

export interface StoreStats {
  messages: number;
  chunks: number;
  rawXmlBytes: number;
  storedXmlBytes: number;
}
