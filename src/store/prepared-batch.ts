import type { DuisMessage, MessageKind } from '../duis/duis-message.js';

/**
 * The parser's fields a store writes as they are: a `DuisMessage` without its identifier objects and device
 * list, which a prepared message carries as canonical text and keys instead.
 */
export type StoredFields = Omit<DuisMessage, 'requestId' | 'responseId' | 'deviceIds'>;

/**
 * One parsed message ready to be written, produced by `prepareMessage` (src/store/ingest-plan.ts) inside
 * `prepareBatch` (src/ingest/prepare-batch.ts), which may run in a worker thread. The store does no parsing,
 * hashing, compression or key derivation on its write path, and a batch crossing threads is a few flat
 * objects per message rather than the parser's object graph.
 */
export interface PreparedMessage {
  /** What the parser extracted, apart from the identifiers and devices below. */
  message: StoredFields;
  /** Canonical RequestID text (`originator:target:counter`), when the message has one. */
  requestId: string | null;
  /** Canonical ResponseID text, when the message has one. */
  responseId: string | null;
  /** `threadKeyOf(requestId)`. */
  threadKey: number | null;
  /**
   * The thread key, or for a message without RequestID `threadKeyOf(responseId)` (0 with neither): a key
   * every message has, which identical bytes always share, so SQLite can find duplicates through the thread
   * index (see sqlite-ingest.ts).
   */
  linkKey: number;
  /** U(M) as a key (see `userKeyOf`). */
  userKey: bigint | null;
  /** S(M) as far as this message alone tells, as device keys, without repeats. */
  devices: bigint[];
  /** Receipt time from the feed, epoch milliseconds. */
  receivedAt: number;
  /** t(M) of the visibility rules, epoch milliseconds: ResponseDateTime for answers when present, else receivedAt. */
  time: number;
  /** First 16 bytes of the SHA-256 of the exact bytes as received: the idempotency key. */
  hash: Buffer;
  /** Where this message's bytes sit inside the batch's decoded chunk. */
  xmlOffset: number;
  /** Length in bytes of this message as received. */
  xmlLength: number;
}

/**
 * A batch of messages whose original bytes are compressed together into one chunk: compressing a few hundred
 * similar DUIS documents in one call costs a fraction of compressing each alone and compresses far better
 * (see docs/benchmarks.md). A store writes a batch in one transaction.
 */
export interface PreparedBatch {
  messages: PreparedMessage[];
  chunk: EncodedChunk;
}

/** Compressed concatenation of the original bytes of a batch (see src/store/xml-chunk.ts). */
export interface EncodedChunk {
  /** Codec id; see `XML_CODECS`. Stored with the chunk so old chunks stay readable when defaults change. */
  codec: number;
  /** Compressed bytes. */
  data: Buffer;
  /** Length of the decoded bytes. */
  rawLength: number;
}

/** The result of ingesting one message. */
export interface IngestOutcome {
  /** Store id of the message (the earlier copy's id for a duplicate), as a decimal string. */
  id: string;
  kind: MessageKind;
  /** True when the same bytes were already stored: nothing new was written for this message. */
  duplicate: boolean;
}
