import type { Eui64 } from './eui64.js';

/** The five kinds of DUIS message that cross the DCC boundary. */
export type MessageKind = 'request' | 'acknowledgement' | 'response' | 'device-alert' | 'dcc-alert';

export const MESSAGE_KINDS: readonly MessageKind[] = ['request', 'acknowledgement', 'response', 'device-alert', 'dcc-alert'];

/** `RequestID` = `originator:target:counter`. */
export interface RequestId {
  /** User ID of the User that sent the request. */
  originator: Eui64;
  /** Device ID, or the DCC's User ID for a non-device request (CommandVariant 8). */
  target: Eui64;
  /** Unsigned 64-bit counter as a decimal string without leading zeros (too big for a JS number). */
  counter: string;
}

/** `ResponseID` = `responder:recipient:counter`. */
export interface ResponseId {
  /** Device ID or DCC User ID that produced the answer. */
  responder: Eui64;
  /** User ID the answer is addressed to. */
  recipient: Eui64;
  /** Unsigned 64-bit counter as a decimal string. */
  counter: string;
}

/**
 * Everything srv-visibility extracts from one DUIS document. Produced by `parseDuis` (pure, no I/O).
 * Fields that do not apply to a kind are `null`, never absent, so rows have one shape.
 */
export interface DuisMessage {
  kind: MessageKind;
  /** `schemaVersion` attribute of the root element (e.g. `5.2`), `null` when absent. */
  schemaVersion: string | null;
  /** Present on every request and acknowledgement; on responses and alerts when they answer a request. */
  requestId: RequestId | null;
  /** Present on responses and alerts; absent on requests and acknowledgements. */
  responseId: ResponseId | null;
  /** 1..8 on requests (8 = non-device request); `null` on answers. */
  commandVariant: number | null;
  /** `ServiceReference`, e.g. `4.1`: from the request header or the ResponseMessage body. */
  serviceReference: string | null;
  /** `ServiceReferenceVariant`, e.g. `4.1.1`: kept raw even when the catalogue does not know it. */
  serviceReferenceVariant: string | null;
  /** `ResponseCode` raw (`I0`, `I99`, `E3`, or anything unknown); `null` on requests. */
  responseCode: string | null;
  /** `ResponseDateTime` exactly as written in the message; `null` when absent. */
  responseDateTime: string | null;
  /** Device alert `AlertCode` in upper-case hex (e.g. `8F66`); `null` otherwise. */
  alertCode: string | null;
  /** DCC alert `DCCAlertCode` raw (e.g. `N24`); `null` otherwise. */
  dccAlertCode: string | null;
  /** `ThrottledAlertSequenceId` raw, when present. */
  throttledAlertSequenceId: string | null;
  /** `ThrottledAlertCount`, when present. */
  throttledAlertCount: number | null;
  /**
   * Local name of the element inside `sr:Body`: the SRV element of a request (`ReadInstantaneousImportRegisters`),
   * or `ResponseMessage` / `DeviceAlertMessage` / `DCCAlertMessage`; `null` for an acknowledgement without body.
   */
  bodyElement: string | null;
  /** For a ResponseMessage: whether the body carries a `GBCSPayload` (device answer) rather than DCC-built XML. */
  hasGbcsPayload: boolean;
  /**
   * Subject devices S(M) as far as this message alone tells (DOMAIN.md, "The visibility rules"): a request's
   * target when it is a device, body `DeviceID`s of non-device requests, the responder of an answer when it
   * is a device, and the RequestID's target of an answer when it is a device. Deduplicated, canonical form.
   * The store adds the subjects of the captured request an answer belongs to.
   */
  deviceIds: Eui64[];
}

/** Canonical text of a RequestId: `originator:target:counter`. */
export function formatRequestId(id: RequestId): string {
  return `${id.originator}:${id.target}:${id.counter}`;
}

/** Canonical text of a ResponseId: `responder:recipient:counter`. */
export function formatResponseId(id: ResponseId): string {
  return `${id.responder}:${id.recipient}:${id.counter}`;
}
