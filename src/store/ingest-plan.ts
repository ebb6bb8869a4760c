import { formatRequestId, formatResponseId, type MessageKind } from '../duis/duis-message.js';
import { threadKeyOf } from '../threads/thread-key.js';
import { deviceKey } from './device-set.js';
import { KIND_CODES } from './kind-codes.js';
import type { PreparedMessage } from './prepared-batch.js';

/** A message of a batch with the values every backend writes, computed once (no I/O). */
export interface PlannedMessage {
  readonly prepared: PreparedMessage;
  readonly kind: MessageKind;
  readonly kindCode: number;
  /** Canonical RequestID / ResponseID text. */
  readonly requestId: string | null;
  readonly responseId: string | null;
  /** `threadKeyOf(requestId)`. */
  readonly threadKey: number | null;
  /**
   * The thread key, or for a message without RequestID `threadKeyOf(responseId)` (0 with neither): a key
   * every message has, which identical bytes always share, so SQLite can find duplicates through the thread
   * index (see sqlite-ingest.ts).
   */
  readonly linkKey: number;
  /** U(M) as a key (see `userKeyOf`). */
  readonly userKey: bigint | null;
  /** S(M) as device keys: the message's own devices; `linkThreads` adds those of its captured request. */
  devices: bigint[];
  /** Store id, assigned by the backend once the message is known to be new. */
  id: number;
}

export function planMessage(prepared: PreparedMessage): PlannedMessage {
  const m = prepared.message;
  const requestId = m.requestId ? formatRequestId(m.requestId) : null;
  const devices: bigint[] = [];
  for (const d of m.deviceIds) {
    const key = deviceKey(d);
    if (!devices.includes(key)) devices.push(key);
  }
  const responseId = m.responseId ? formatResponseId(m.responseId) : null;
  const threadKey = requestId === null ? null : threadKeyOf(requestId);
  return {
    prepared,
    userKey: userKeyOf(m),
    kind: m.kind,
    kindCode: KIND_CODES[m.kind],
    requestId,
    responseId,
    threadKey,
    linkKey: threadKey ?? linkKeyOf(null, responseId),
    devices,
    id: 0,
  };
}

/**
 * The link key of a message with these canonical RequestID / ResponseID texts ({@link PlannedMessage.linkKey}):
 * the RequestID's thread key, else the ResponseID's, else 0. SQLite stores it in `thread_key` on every row.
 */
export function linkKeyOf(requestId: string | null, responseId: string | null): number {
  if (requestId !== null) return threadKeyOf(requestId);
  return responseId === null ? 0 : threadKeyOf(responseId);
}

/** The 16-byte hash as a Buffer, whatever view came back from a worker thread. */
export function hashBuffer(hash: Uint8Array): Buffer {
  return Buffer.isBuffer(hash) ? hash : Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength);
}

/**
 * U(M) of the visibility rules (rule 1) as a key: a request's or acknowledgement's originator, an answer's
 * (response, alert) recipient. `null` only for messages without the identifier (never for parsed DUIS).
 */
export function userKeyOf(m: PreparedMessage['message']): bigint | null {
  const id = m.kind === 'request' || m.kind === 'acknowledgement' ? m.requestId?.originator : m.responseId?.recipient;
  return id ? deviceKey(id) : null;
}

/** A chunk's time: the greatest t(M) among the messages stored from it (retention removes it with them). */
export function chunkTime(fresh: readonly PlannedMessage[]): number {
  let max = -Infinity;
  for (const m of fresh) if (m.prepared.time > max) max = m.prepared.time;
  return max;
}
