import type { Eui64 } from '../duis/eui64.js';
import type { MessageKind } from '../duis/duis-message.js';
import type { ThreadStatus, ThreadTimings } from '../threads/thread-status.js';

/** One stored DUIS message: what the parser extracted plus what the store knows (S(M), times, size). */
export interface StoredMessage {
  /** Store id, a decimal string. Opaque to clients; increases with arrival within one store. */
  id: string;
  kind: MessageKind;
  /** Canonical RequestID text `originator:target:counter`, or `null` (alerts that answer no request). */
  requestId: string | null;
  /** Canonical ResponseID text `responder:recipient:counter`, or `null` (requests, acknowledgements). */
  responseId: string | null;
  /** From the RequestID. */
  originatorId: Eui64 | null;
  targetId: Eui64 | null;
  /** From the ResponseID. */
  responderId: Eui64 | null;
  recipientId: Eui64 | null;
  commandVariant: number | null;
  serviceReference: string | null;
  /** ServiceReferenceVariant, raw (unknown variants are kept as written). */
  srv: string | null;
  /** ResponseCode, raw (unknown codes are kept as written). */
  responseCode: string | null;
  /** ResponseDateTime exactly as written. */
  responseDateTime: string | null;
  alertCode: string | null;
  dccAlertCode: string | null;
  throttledAlertSequenceId: string | null;
  throttledAlertCount: number | null;
  bodyElement: string | null;
  schemaVersion: string | null;
  hasGbcsPayload: boolean;
  /**
   * Subject devices S(M): the message's own devices, plus, for an answer carrying a RequestID, the subject
   * devices of the captured request (added whichever of the two arrived first).
   */
  deviceIds: Eui64[];
  /** t(M). */
  time: Date;
  /** Receipt time from the feed. */
  receivedAt: Date;
  /** Length in bytes of the original document. */
  xmlLength: number;
}

/** Everything captured under one RequestID. */
export interface Thread {
  /** Canonical RequestID text. */
  requestId: string;
  /** The request itself, `null` while it has not been captured. */
  request: StoredMessage | null;
  /** Every stored message carrying this RequestID, the request included, ordered by time then id. */
  members: StoredMessage[];
  status: ThreadStatus;
  timings: ThreadTimings;
}
