import { DuisParseError } from '../errors.js';
import { collectBodyDeviceIds } from './body-device-ids.js';
import { DUIS_NS, missing, readTexts, required } from './duis-elements.js';
import { readCommandVariant, readRequestId, readToken } from './duis-fields.js';
import type { RequestId } from './duis-message.js';
import type { Eui64 } from './eui64.js';
import { START, type XmlScanner } from './xml-scanner.js';

/** What a `sr:Request` holds, as read by {@link readRequest}. */
export interface RequestParts {
  requestId: RequestId;
  commandVariant: number;
  serviceReference: string;
  serviceReferenceVariant: string;
  /** Local name of the service element inside `sr:Body`. */
  bodyElement: string;
  /** Subject devices named in the body (see body-device-ids.ts), not yet deduplicated. */
  bodyDeviceIds: Eui64[];
}

const HEADER = 'sr:Request/sr:Header';
const HEADER_FIELDS = ['RequestID', 'CommandVariant', 'ServiceReference', 'ServiceReferenceVariant'] as const;

/** With the scanner inside the root `sr:Request` element: reads it up to and including its end tag. */
export function readRequest(s: XmlScanner): RequestParts {
  let header: Partial<Record<(typeof HEADER_FIELDS)[number], string>> | undefined;
  let body: { element: string; deviceIds: Eui64[] } | undefined;
  while (s.next() === START) {
    if (s.ns === DUIS_NS && s.local === 'Header') {
      if (header) throw new DuisParseError('DUIS_INVALID_FIELD', `${HEADER}: appears more than once`);
      header = readTexts(s, HEADER, HEADER_FIELDS);
    } else if (s.ns === DUIS_NS && s.local === 'Body') {
      if (body) throw new DuisParseError('DUIS_INVALID_FIELD', 'sr:Request/sr:Body: appears more than once');
      body = readBody(s);
    } else {
      s.skip(); // ds:Signature, and anything else outside the header and body
    }
  }
  if (!header) missing(HEADER);
  const requestId = readRequestId(required(header.RequestID, `${HEADER}/sr:RequestID`), `${HEADER}/sr:RequestID`);
  const commandVariant = readCommandVariant(
    required(header.CommandVariant, `${HEADER}/sr:CommandVariant`),
    `${HEADER}/sr:CommandVariant`,
  );
  const serviceReference = readToken(required(header.ServiceReference, `${HEADER}/sr:ServiceReference`), `${HEADER}/sr:ServiceReference`);
  const serviceReferenceVariant = readToken(
    required(header.ServiceReferenceVariant, `${HEADER}/sr:ServiceReferenceVariant`),
    `${HEADER}/sr:ServiceReferenceVariant`,
  );
  if (!body) missing('sr:Request/sr:Body');
  return { requestId, commandVariant, serviceReference, serviceReferenceVariant, bodyElement: body.element, bodyDeviceIds: body.deviceIds };
}

/** `sr:Body` holds exactly one service element; its subject device IDs are collected on the way. */
function readBody(s: XmlScanner): { element: string; deviceIds: Eui64[] } {
  let element: string | undefined;
  const deviceIds: Eui64[] = [];
  while (s.next() === START) {
    if (element !== undefined || s.ns !== DUIS_NS) {
      if (element !== undefined && s.ns === DUIS_NS) {
        throw new DuisParseError('DUIS_INVALID_FIELD', `sr:Request/sr:Body: a second service element sr:${s.local} after sr:${element}`);
      }
      s.skip();
      continue;
    }
    element = s.local;
    collectBodyDeviceIds(s, deviceIds);
  }
  if (element === undefined) missing('sr:Request/sr:Body', 'is empty: no service request element (e.g. sr:ReadInventory)');
  return { element, deviceIds };
}
