import { formatRequestId, formatResponseId, type DuisMessage, type MessageKind } from '../duis/duis-message.js';
import { eui64ToBigInt } from '../duis/eui64.js';
import { threadKeyOf } from '../threads/thread-key.js';
import { KIND_CODES } from './kind-codes.js';
import type { PreparedMessage } from './prepared-batch.js';

/**
 * A backend's working copy of a prepared message while it writes a batch: the prepared keys (documented on
 * {@link PreparedMessage}), the store id once assigned, and S(M), which thread linking may extend.
 */
export interface PlannedMessage {
  readonly prepared: PreparedMessage;
  readonly kind: MessageKind;
  readonly kindCode: number;
  readonly requestId: string | null;
  readonly responseId: string | null;
  readonly threadKey: number | null;
  readonly linkKey: number;
  readonly userKey: bigint | null;
  /** S(M) as device keys: the message's own devices; `linkThreads` adds those of its captured request. */
  devices: bigint[];
  /** Store id, assigned by the backend once the message is known to be new. */
  id: number;
}

/**
 * A parsed message as a store writes it: canonical identifier text, thread and link keys, U(M) and S(M) as
 * keys. Runs where the message was parsed (a worker thread during `srvv ingest`), so the writer only writes.
 */
export function prepareMessage(
  m: DuisMessage,
  receipt: { receivedAt: number; time: number; hash: Buffer; xmlOffset: number; xmlLength: number },
): PreparedMessage {
  const requestId = m.requestId ? formatRequestId(m.requestId) : null;
  const responseId = m.responseId ? formatResponseId(m.responseId) : null;
  const devices: bigint[] = [];
  // Device keys are not memoised: the conversion is cheap, and a memo on the thread that parses would keep
  // each message's whole text alive through the sliced strings it was keyed by.
  for (const d of m.deviceIds) {
    const key = eui64ToBigInt(d);
    if (!devices.includes(key)) devices.push(key);
  }
  const threadKey = requestId === null ? null : threadKeyOf(requestId);
  return {
    // Only the fields stored as they are: the identifier objects and device strings stay on this thread.
    message: {
      kind: m.kind,
      schemaVersion: m.schemaVersion,
      commandVariant: m.commandVariant,
      serviceReference: m.serviceReference,
      serviceReferenceVariant: m.serviceReferenceVariant,
      responseCode: m.responseCode,
      responseDateTime: m.responseDateTime,
      alertCode: m.alertCode,
      dccAlertCode: m.dccAlertCode,
      throttledAlertSequenceId: m.throttledAlertSequenceId,
      throttledAlertCount: m.throttledAlertCount,
      bodyElement: m.bodyElement,
      hasGbcsPayload: m.hasGbcsPayload,
    },
    requestId,
    responseId,
    threadKey,
    linkKey: threadKey ?? linkKeyOf(null, responseId),
    userKey: userKeyOf(m),
    devices,
    ...receipt,
  };
}

/** The working copy of a prepared message (no I/O); its device list is its own, the prepared one untouched. */
export function planMessage(prepared: PreparedMessage): PlannedMessage {
  return {
    prepared,
    kind: prepared.message.kind,
    kindCode: KIND_CODES[prepared.message.kind],
    requestId: prepared.requestId,
    responseId: prepared.responseId,
    threadKey: prepared.threadKey,
    linkKey: prepared.linkKey,
    userKey: prepared.userKey,
    devices: [...prepared.devices],
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
export function userKeyOf(m: DuisMessage): bigint | null {
  const id = m.kind === 'request' || m.kind === 'acknowledgement' ? m.requestId?.originator : m.responseId?.recipient;
  return id ? eui64ToBigInt(id) : null;
}

/** A chunk's time: the greatest t(M) among the messages stored from it (retention removes it with them). */
export function chunkTime(fresh: readonly PlannedMessage[]): number {
  let max = -Infinity;
  for (const m of fresh) if (m.prepared.time > max) max = m.prepared.time;
  return max;
}
