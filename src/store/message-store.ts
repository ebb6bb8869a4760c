import type { MessageKind } from '../duis/duis-message.js';
import type { IngestOutcome, PreparedBatch } from './prepared-batch.js';
import type { StoredMessage, Thread } from './stored-message.js';

export type { StoredMessage, Thread } from './stored-message.js';

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
  /** t(M) >= from. */
  from?: Date;
  /** t(M) < to (half-open, like every interval here). */
  to?: Date;
  /** Page size: default 50 (also for 0 or NaN), clamped to 1..1000. */
  limit?: number;
  /** `nextCursor` of the previous page. Opaque. */
  cursor?: string;
}

export interface MessagePage {
  items: StoredMessage[];
  nextCursor: string | null;
}

export interface StoreStats {
  messages: number;
  chunks: number;
  rawXmlBytes: number;
  storedXmlBytes: number;
}
