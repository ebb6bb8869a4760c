import type { Eui64 } from '../duis/eui64.js';
import type { Scheduled } from './event-queue.js';
import type { PlannedRequest } from './request-picker.js';
import type { DeviceInfo } from './world-index.js';

/** Kinds of scheduled records. Numbers, not strings: compared once per record on the hot path. */
export const REQUEST = 0;
export const ACK = 1;
export const RESPONSE = 2;
export const DEVICE_ALERT = 3;
export const DCC_ALERT = 4;
export const DUPLICATE = 5;

/** A generated request and where it stands in the output. */
export interface RequestState {
  /** `originator:target:counter`. */
  rid: string;
  plan: PlannedRequest;
  /** The request record has been produced. */
  emitted: boolean;
  /** An answer was produced before the request: the request must be produced before the run ends. */
  owed: boolean;
}

/** A record waiting for its capture time `at`. One object shape for every kind keeps the hot path monomorphic. */
export interface PendingRecord extends Scheduled {
  kind: number;
  /** ResponseDateTime of an answer, epoch ms. */
  rdt: number;
  /** The request this record is or answers; `null` for unsolicited alerts. */
  req: RequestState | null;
  /** Response code, device alert code or DCC alert code. */
  code: string;
  /** Responder of a device alert; subject of a DCC alert. */
  device: DeviceInfo | null;
  /** ResponseID recipient ('' for requests and acknowledgements). */
  recipient: Eui64;
  /** The copied document of a duplicate. */
  xml: string;
}
