import { Kysely, sql, type RawBuilder, type SqlBool } from 'kysely';
import { MESSAGE_KINDS } from '../duis/duis-message.js';
import { normaliseEui64 } from '../duis/eui64.js';
import { StoreError } from '../errors.js';
import { canonicalRequestId, threadKeyOf } from '../threads/thread-key.js';
import { computeThreadStatus } from '../threads/thread-status.js';
import { ChunkCache } from './chunk-cache.js';
import type { Db } from './db-schema.js';
import { deviceKey } from './device-set.js';
import { KIND_CODES } from './kind-codes.js';
import { decodeCursor, encodeCursor } from './message-cursor.js';
import { MESSAGE_COLUMNS, parseMessageId, toStoredMessage } from './message-row.js';
import type { MessagePage, MessageQuery, MessageStore, StoreBackend, StoreStats } from './message-store.js';
import { migrateStore } from './migrations/store-migrations.js';
import type { IngestOutcome, PreparedBatch } from './prepared-batch.js';
import type { StoreAdapter } from './store-adapter.js';
import type { StoreDialect } from './store-dialect.js';
import type { StoredMessage, Thread } from './stored-message.js';
import { decodeChunk } from './xml-chunk.js';

export interface KyselyMessageStoreOptions {
  /** Run pending migrations when opening. Default true. */
  migrate?: boolean;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/** The one {@link MessageStore}: reads through Kysely, bulk writes through the backend's adapter. */
export class KyselyMessageStore implements MessageStore {
  readonly backend: StoreBackend;
  readonly #db: Kysely<Db>;
  readonly #adapter: StoreAdapter;
  readonly #chunks = new ChunkCache();
  #closed: Promise<void> | undefined;

  private constructor(db: Kysely<Db>, adapter: StoreAdapter) {
    this.backend = adapter.backend;
    this.#db = db;
    this.#adapter = adapter;
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
        .select(['chunk_id', 'xml_offset', 'xml_length'])
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
    return this.#run('listing messages', async () => {
      const limit = Math.min(MAX_LIMIT, Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT));
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const empty: MessagePage = { items: [], nextCursor: null };

      let device: bigint | undefined;
      if (query.deviceId !== undefined) {
        const eui = normaliseEui64(query.deviceId);
        if (!eui) return empty;
        device = deviceKey(eui);
      }
      // Filters on the message row; the time/id pair comes from the device index when it drives the scan.
      const time = sql.ref(device === undefined ? 'm.time' : 'x.time');
      const id = sql.ref(device === undefined ? 'm.id' : 'x.message_id');
      const conds: RawBuilder<unknown>[] = [];
      if (query.requestId !== undefined) {
        const text = canonicalRequestId(query.requestId);
        if (text === undefined) return empty;
        conds.push(sql`m.thread_key = ${threadKeyOf(text)}`, sql`m.request_id = ${text}`);
      }
      if (query.kind !== undefined) {
        if (!MESSAGE_KINDS.includes(query.kind)) return empty;
        conds.push(sql`m.kind = ${KIND_CODES[query.kind]}`);
      }
      if (query.srv !== undefined) conds.push(sql`m.srv = ${query.srv}`);
      if (query.from !== undefined) conds.push(sql`${time} >= ${query.from.getTime()}`);
      if (query.to !== undefined) conds.push(sql`${time} < ${query.to.getTime()}`);
      // Keyset: (time, id) < cursor, spelt so both planners get a plain range on time from the index.
      if (after) conds.push(sql`${time} <= ${after.time} and (${time} < ${after.time} or ${id} < ${after.id})`);
      const where = sql<SqlBool>`${sql.join(conds, sql` and `)}`;

      const rows =
        device === undefined
          ? await this.#db
              .selectFrom('messages as m')
              .select(MESSAGE_COLUMNS)
              .$if(conds.length > 0, (qb) => qb.where(where))
              .orderBy('m.time', 'desc')
              .orderBy('m.id', 'desc')
              .limit(limit + 1)
              .execute()
          : await this.#db
              .selectFrom('message_devices as x')
              .innerJoin('messages as m', 'm.id', 'x.message_id')
              .select(MESSAGE_COLUMNS)
              .where('x.device', '=', device)
              .$if(conds.length > 0, (qb) => qb.where(where))
              .orderBy('x.time', 'desc')
              .orderBy('x.message_id', 'desc')
              .limit(limit + 1)
              .execute();
      const items = rows.slice(0, limit).map(toStoredMessage);
      const last = items.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor({ time: last.time.getTime(), id: Number(last.id) }) : null;
      return { items, nextCursor };
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
      throw this.#adapter.translateError(err, action);
    }
  }
}
