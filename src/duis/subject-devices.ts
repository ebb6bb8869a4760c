import { lookupSrv } from '../catalogue/index.js';
import type { MessageKind, RequestId, ResponseId } from './duis-message.js';
import type { Eui64 } from './eui64.js';

/** The facts of one message that decide its subject devices. */
export interface SubjectFacts {
  kind: MessageKind;
  requestId: RequestId | null;
  responseId: ResponseId | null;
  commandVariant: number | null;
  serviceReferenceVariant: string | null;
  /** Devices named in a request body (see body-device-ids.ts); empty for answers. */
  bodyDeviceIds: readonly Eui64[];
  /** The ResponseID's responder wrote the answer (device alert, GBCS payload) rather than the DCC. */
  responderAnswered: boolean;
}

/**
 * S(M) as far as one message tells (DOMAIN.md, "The visibility rules"), deduplicated, in the order found:
 * - a request's target unless it is a non-device request (CommandVariant 8), then its body devices;
 * - an answer's responder when it is a device: it wrote a device alert or a GBCS payload (a DCC-built XML
 *   response or a DCC alert is the DCC's answer, whatever the ResponseID says);
 * - an answer's RequestID target, unless the answered SRV is a non-device one (per the catalogue).
 * User IDs of the DCC itself are never devices.
 */
export function subjectDevices(m: SubjectFacts, dccUserIds: ReadonlySet<string>): Eui64[] {
  const out: Eui64[] = [];
  const add = (id: Eui64): void => {
    if (!dccUserIds.has(id) && !out.includes(id)) out.push(id);
  };
  if (m.kind === 'request') {
    if (m.requestId && m.commandVariant !== 8) add(m.requestId.target);
    for (const id of m.bodyDeviceIds) add(id);
    return out;
  }
  if (m.requestId && !(m.serviceReferenceVariant !== null && lookupSrv(m.serviceReferenceVariant)?.nonDevice)) {
    add(m.requestId.target);
  }
  if (m.responseId && m.responderAnswered) add(m.responseId.responder);
  return out;
}
