import { Kysely, sql } from 'kysely';
import { isSrvvError, ReferenceError, StoreError } from '../errors.js';
import { KyselyAccountStore, type AccountStore } from '../auth/account-store.js';
import { KyselySessionStore, type SessionStore } from '../auth/session-store.js';
import { KyselyAccessAudit, type AccessAudit } from '../audit/access-audit.js';
import { KyselySubscriptionStore, type SubscriptionStore } from '../subscriptions/subscription-store.js';
import { KyselyReferenceStore } from '../reference/kysely-reference-store.js';
import type { ReferenceStore } from '../reference/reference-store.js';
import { KyselyPartyView } from '../visibility/party-view.js';
import { loadViewer, type Viewer } from '../visibility/viewer.js';
import { canonicalRequestId, threadKeyOf } from '../threads/thread-key.js';
import { computeThreadStatus } from '../threads/thread-status.js';
import { ChunkCache } from './chunk-cache.js';
import type { Db } from './db-schema.js';
import { MESSAGE_COLUMNS, parseMessageId, toStoredMessage } from './message-row.js';
import type {
  MessagePage, MessageQuery, MessageStore, PartyView, RetentionOptions, RetentionReport, StoreBackend, StoreStats,
} from './message-store.js';
import { migrateStore } from './migrations/store-migrations.js';
import type { IngestOutcome, PreparedBatch } from './prepared-batch.js';
import type { StoreAdapter } from './store-adapter.js';
import type { StoreDialect } from './store-dialect.js';
import type { StoredMessage, Thread } from './stored-message.js';
import { retentionBoundary } from './time-partitions.js';
import { decodeChunk } from './xml-chunk.js';

export interface KyselyMessageStoreOptions {
  /** Run pending migrations when opening. Default true. */
  migrate?: boolean;
}

/** The viewer behind unscoped reads: sees everything, owns nothing. */
const EVERYTHING: Viewer = { partyId: '', operator: true, userIds: new Map(), networkOperatorUser: undefined };

/** The one {@link MessageStore}: reads through Kysely, bulk writes through the backend's adapter. */
export class KyselyMessageStore implements MessageStore {
  readonly backend: StoreBackend;
  readonly #db: Kysely<Db>;
  readonly #adapter: StoreAdapter;
  readonly #chunks = new ChunkCache();
  readonly reference: ReferenceStore;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly audit: AccessAudit;
  readonly subscriptions: SubscriptionStore;
  #closed: Promise<void> | undefined;

  private constructor(db: Kysely<Db>, adapter: StoreAdapter) {
    this.backend = adapter.backend;
    this.#db = db;
    this.#adapter = adapter;
    this.reference = guardedReferenceStore(new KyselyReferenceStore(db, adapter.backend), (action, op) => this.#run(action, op));
    this.accounts = guardedAccountStore(new KyselyAccountStore(db), (action, op) => this.#run(action, op));
    this.sessions = guardedSessionStore(new KyselySessionStore(db), (action, op) => this.#run(action, op));
    this.audit = guardedAccessAudit(new KyselyAccessAudit(db, adapter.backend), (action, op) => this.#run(action, op));
    this.subscriptions = guardedSubscriptionStore(new KyselySubscriptionStore(db, adapter.backend), (action, op) => this.#run(action, op));
  }

  /** Connects, migrates and prepares the write path; on failure closes what it opened. */
  static async open(dialect: StoreDialect, options: KyselyMessageStoreOptions = {}): Promise<KyselyMessageStore> {
    const adapter = dialect.createAdapter();
    const db = new Kysely<Db>({ dialect: dialect.createKyselyDialect() });
    try {
      await adapter.beforeMigrations(db);
      if (options.migrate ?? true) await migrateStore(db, adapter.backend, adapter.migrationSchema);
      await adapter.init(db);
    } catch (err) {
      await db.destroy().catch(() => {});
      throw adapter.translateError(err, 'opening the store');
    }
    return new KyselyMessageStore(db, adapter);
  }

  /** The Kysely instance, for tests and maintenance tools (e.g. clearing tables). */
  get db(): Kysely<Db> {
    return this.#db;
  }

  ingest(batch: PreparedBatch): Promise<IngestOutcome[]> {
    return this.#run('ingesting a batch', () => this.#adapter.ingest(this.#db, batch));
  }

  getMessage(id: string): Promise<StoredMessage | undefined> {
    return this.#run('reading a message', async () => {
      const n = parseMessageId(id);
      if (n === undefined) return undefined;
      const row = await this.#db.selectFrom('messages as m').select(MESSAGE_COLUMNS).where('m.id', '=', n).executeTakeFirst();
      return row && toStoredMessage(row);
    });
  }

  getOriginalXml(id: string): Promise<Buffer | undefined> {
    return this.#run('reading original XML', async () => {
      const n = parseMessageId(id);
      if (n === undefined) return undefined;
      const loc = await this.#db
        .selectFrom('messages')
        .select(['chunk_id', 'xml_offset', 'xml_length', 'time'])
        .where('id', '=', n)
        .executeTakeFirst();
      if (!loc) return undefined;
      const chunkId = String(loc.chunk_id);
      let decoded = this.#chunks.get(chunkId);
      if (!decoded) {
        const chunk = await this.#db
          .selectFrom('xml_chunks')
          .select(['codec', 'data'])
          .where('id', '=', loc.chunk_id)
          // A chunk's time is the newest of its messages': this skips the partitions of older months.
          .where('time', '>=', loc.time)
          .executeTakeFirstOrThrow();
        decoded = decodeChunk(chunk.codec, chunk.data);
        this.#chunks.set(chunkId, decoded);
      }
      // A copy: callers may keep or modify it without pinning or corrupting the cached chunk.
      return Buffer.from(decoded.subarray(loc.xml_offset, loc.xml_offset + loc.xml_length));
    });
  }

  getThread(requestId: string): Promise<Thread | undefined> {
    return this.#run('reading a thread', async () => {
      const text = canonicalRequestId(requestId);
      if (text === undefined) return undefined;
      const rows = await this.#db
        .selectFrom('messages as m')
        .select(MESSAGE_COLUMNS)
        .where('m.thread_key', '=', threadKeyOf(text))
        .where('m.request_id', '=', text)
        .orderBy('m.time')
        .orderBy('m.id')
        .execute();
      if (rows.length === 0) return undefined;
      const members = rows.map(toStoredMessage);
      const { status, timings } = computeThreadStatus(members);
      return { requestId: text, request: members.find((m) => m.kind === 'request') ?? null, members, status, timings };
    });
  }

  listMessages(query: MessageQuery): Promise<MessagePage> {
    // The unscoped listing is the operator's view: one implementation of sources, filters and paging.
    return this.#run('listing messages', () => new KyselyPartyView(this.#db, EVERYTHING, this).listMessages(query));
  }

  forParty(partyId: string): Promise<PartyView> {
    return this.#run('opening a party view', async () => {
      const viewer = await loadViewer(this.#db, partyId);
      if (!viewer) throw new ReferenceError('REFERENCE_UNKNOWN_PARTY', [{ path: 'partyId', message: `no party ${JSON.stringify(partyId)}` }]);
      const view = new KyselyPartyView(this.#db, viewer, this);
      return guardedPartyView(view, (action, op) => this.#run(action, op));
    });
  }

  applyRetention(options: RetentionOptions): Promise<RetentionReport> {
    return this.#run('applying retention', () =>
      this.#adapter.applyRetention(this.#db, retentionBoundary(options.keep, options.now ?? Date.now()), options.dryRun ?? false),
    );
  }

  feedHead(): Promise<number> {
    return this.#run('reading the feed head', async () => {
      const head = await this.#db.selectFrom('message_feed_head').select('seq').where('id', '=', 1).executeTakeFirst();
      return Number(head?.seq ?? 0);
    });
  }

  ping(): Promise<void> {
    return this.#run('checking the database', async () => {
      await sql`select 1`.execute(this.#db);
    });
  }

  stats(): Promise<StoreStats> {
    return this.#run('reading stats', async () => {
      const messages = await this.#db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const chunks = await this.#db
        .selectFrom('xml_chunks')
        .select((eb) => [
          eb.fn.countAll().as('n'),
          eb.fn.sum<number | string | null>('raw_length').as('raw'),
          eb.fn.sum<number | string | null>('stored_length').as('stored'),
        ])
        .executeTakeFirstOrThrow();
      return {
        messages: Number(messages.n),
        chunks: Number(chunks.n),
        rawXmlBytes: Number(chunks.raw ?? 0),
        storedXmlBytes: Number(chunks.stored ?? 0),
      };
    });
  }

  close(): Promise<void> {
    this.#closed ??= this.#db.destroy().then(
      () => this.#chunks.clear(),
      (err: unknown) => {
        throw this.#adapter.translateError(err, 'closing the store');
      },
    );
    return this.#closed;
  }

  /** Runs one public operation: refuses after close, and lets no driver error out. */
  async #run<T>(action: string, op: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('STORE_UNAVAILABLE', `${action}: the store is closed`);
    try {
      return await op();
    } catch (err) {
      // Errors about the request itself (unknown party, invalid reference data) keep their own code.
      if (isSrvvError(err) && !(err instanceof StoreError)) throw err;
      throw this.#adapter.translateError(err, action);
    }
  }
}

type Runner = <T>(action: string, op: () => Promise<T>) => Promise<T>;

/** The reference store with the message store's guard: refused after close, driver errors translated. */
function guardedReferenceStore(inner: ReferenceStore, run: Runner): ReferenceStore {
  return {
    apply: (doc) => run('applying reference data', () => inner.apply(doc)),
    getParty: (id) => run('reading a party', () => inner.getParty(id)),
    listParties: () => run('listing parties', () => inner.listParties()),
    userIdOwner: (userId) => run('reading a User ID', () => inner.userIdOwner(userId)),
    getDevice: (deviceId) => run('reading a device', () => inner.getDevice(deviceId)),
    getRegistrations: (mpxn) => run('reading registrations', () => inner.getRegistrations(mpxn)),
  };
}

function guardedAccountStore(inner: AccountStore, run: Runner): AccountStore {
  return {
    addUser: (input, now) => run('adding a user', () => inner.addUser(input, now)),
    removeUser: (username, partyId) => run('removing a user', () => inner.removeUser(username, partyId)),
    listUsers: (partyId) => run('listing users', () => inner.listUsers(partyId)),
    createToken: (input, now) => run('creating a token', () => inner.createToken(input, now)),
    revokeToken: (nameOrId, now) => run('revoking a token', () => inner.revokeToken(nameOrId, now)),
    listTokens: (partyId) => run('listing tokens', () => inner.listTokens(partyId)),
    authenticateToken: (token, now) => run('checking a token', () => inner.authenticateToken(token, now)),
  };
}

function guardedSessionStore(inner: SessionStore, run: Runner): SessionStore {
  return {
    login: (username, password, now) => run('logging in', () => inner.login(username, password, now)),
    authenticate: (session, now) => run('checking a session', () => inner.authenticate(session, now)),
    logout: (session) => run('logging out', () => inner.logout(session)),
  };
}

function guardedAccessAudit(inner: AccessAudit, run: Runner): AccessAudit {
  return {
    append: (input, now) => run('recording an access', () => inner.append(input, now)),
    list: (query) => run('listing the access audit', () => inner.list(query)),
    verify: () => run('verifying the access audit', () => inner.verify()),
    head: () => run('reading the access audit head', () => inner.head()),
  };
}

function guardedSubscriptionStore(inner: SubscriptionStore, run: Runner): SubscriptionStore {
  return {
    create: (input, now) => run('creating a subscription', () => inner.create(input, now)),
    list: (partyId) => run('listing subscriptions', () => inner.list(partyId)),
    count: (partyId) => run('counting subscriptions', () => inner.count(partyId)),
    deliveryCounts: () => run('counting webhook deliveries', () => inner.deliveryCounts()),
    get: (partyId, id) => run('reading a subscription', () => inner.get(partyId, id)),
    remove: (partyId, id, now) => run('deleting a subscription', () => inner.remove(partyId, id, now)),
    listDeliveries: (id, query) => run('listing webhook deliveries', () => inner.listDeliveries(id, query)),
    getDelivery: (id, deliveryId) => run('reading a webhook delivery', () => inner.getDelivery(id, deliveryId)),
    replay: (id, deliveryId, now) => run('replaying a webhook delivery', () => inner.replay(id, deliveryId, now)),
    queueTest: (id, now) => run('queueing a test event', () => inner.queueTest(id, now)),
    live: (now) => run('listing live subscriptions', () => inner.live(now)),
    advance: (id, from, to, deliveries, now) => run('creating webhook deliveries', () => inner.advance(id, from, to, deliveries, now)),
    claimDue: (limit, leaseUntil, now) => run('claiming webhook deliveries', () => inner.claimDue(limit, leaseUntil, now)),
    complete: (delivery, outcome, now) => run('recording a webhook attempt', () => inner.complete(delivery, outcome, now)),
    release: (delivery, now) => run('releasing a webhook delivery', () => inner.release(delivery, now)),
    prune: (deliveredBefore, deadBefore) => run('pruning webhook deliveries', () => inner.prune(deliveredBefore, deadBefore)),
  };
}

function guardedPartyView(inner: PartyView, run: Runner): PartyView {
  return {
    partyId: inner.partyId,
    operator: inner.operator,
    isOwn: (message) => inner.isOwn(message),
    userRoles: (userIds) => run('reading user roles', () => inner.userRoles(userIds)),
    listMessages: (query) => run('listing visible messages', () => inner.listMessages(query)),
    getMessage: (id) => run('reading a visible message', () => inner.getMessage(id)),
    explain: (id) => run('explaining visibility', () => inner.explain(id)),
    getOriginalXml: (id) => run('reading original XML', () => inner.getOriginalXml(id)),
    getThread: (requestId) => run('reading a visible thread', () => inner.getThread(requestId)),
    deviceSummary: (deviceId) => run('reading a device summary', () => inner.deviceSummary(deviceId)),
    watchPage: (after, query, limit) => run('reading the message feed', () => inner.watchPage(after, query, limit)),
  };
}
