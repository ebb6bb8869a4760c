import { DuisParseError } from '../errors.js';
import { DUIS_NS, missing, readTexts, required } from './duis-elements.js';
import { readAlertCode, readCount, readRequestId, readResponseId, readToken } from './duis-fields.js';
import type { DuisMessage } from './duis-message.js';
import { START, type XmlScanner } from './xml-scanner.js';

/** Everything of a DuisMessage a `sr:Response` gives, plus whether its responder produced the answer. */
export type ResponseParts = Omit<DuisMessage, 'deviceIds' | 'schemaVersion' | 'commandVariant'> & {
  /** The ResponseID's responder wrote the content (device alert, GBCS payload), rather than the DCC. */
  responderAnswered: boolean;
};

interface Body {
  element: string;
  fields: Partial<Record<string, string>>;
  hasGbcsPayload: boolean;
  /** DCC-built XML: a ResponseMessage's XML content (no GBCSPayload in it), a DCCAlertMessage's `DCCAlert`. */
  hasDccXml: boolean;
}

const HEADER = 'sr:Response/sr:Header';
const HEADER_FIELDS = ['RequestID', 'ResponseID', 'ResponseCode', 'ResponseDateTime'] as const;
const BODY_FIELDS: Record<string, readonly string[]> = {
  ResponseMessage: ['ServiceReference', 'ServiceReferenceVariant', 'GBCSPayload'],
  DeviceAlertMessage: ['AlertCode', 'ThrottledAlertSequenceId', 'ThrottledAlertCount', 'GBCSPayload'],
  DCCAlertMessage: ['DCCAlertCode', 'ThrottledAlertSequenceId', 'ThrottledAlertCount'],
};

/** With the scanner inside the root `sr:Response` element: reads it up to and including its end tag. */
export function readResponse(s: XmlScanner): ResponseParts {
  let header: Partial<Record<(typeof HEADER_FIELDS)[number], string>> | undefined;
  let body: Body | null | undefined;
  while (s.next() === START) {
    if (s.ns === DUIS_NS && s.local === 'Header') {
      if (header) throw new DuisParseError('DUIS_INVALID_FIELD', `${HEADER}: appears more than once`);
      header = readTexts(s, HEADER, HEADER_FIELDS);
    } else if (s.ns === DUIS_NS && s.local === 'Body') {
      if (body !== undefined) throw new DuisParseError('DUIS_INVALID_FIELD', 'sr:Response/sr:Body: appears more than once');
      body = readBody(s);
    } else {
      s.skip(); // ds:Signature and extensions
    }
  }
  if (!header) missing(HEADER);
  const requestId = header.RequestID === undefined ? null : readRequestId(header.RequestID, `${HEADER}/sr:RequestID`);
  const responseId = header.ResponseID === undefined ? null : readResponseId(header.ResponseID, `${HEADER}/sr:ResponseID`);
  const responseCode = readToken(required(header.ResponseCode, `${HEADER}/sr:ResponseCode`), `${HEADER}/sr:ResponseCode`);
  const responseDateTime = header.ResponseDateTime === undefined ? null : readToken(header.ResponseDateTime, `${HEADER}/sr:ResponseDateTime`);
  const f = body?.fields ?? {};
  const path = `sr:Response/sr:Body/sr:${body?.element}`;
  const bodyOnlyNamesSrv = body?.element === 'ResponseMessage' && !body.hasGbcsPayload && !body.hasDccXml;
  // An acknowledgement has no ResponseID: header only, or (a synchronous rejection, as the DCC sends them)
  // a ResponseMessage naming just the SRV.
  const kind = responseId === null && (!body || bodyOnlyNamesSrv) ? 'acknowledgement' : kindOf(body);
  if (kind === 'acknowledgement' && !requestId) missing(`${HEADER}/sr:RequestID`, 'is missing (an acknowledgement without a ResponseID must carry one)');
  if (kind !== 'acknowledgement' && !responseId) missing(`${HEADER}/sr:ResponseID`, `is missing (required on a ${kind})`);
  const responseMessage = body?.element === 'ResponseMessage';
  const count = f.ThrottledAlertCount;
  return {
    kind,
    requestId,
    responseId,
    serviceReference: responseMessage ? readToken(required(f.ServiceReference, `${path}/sr:ServiceReference`), `${path}/sr:ServiceReference`) : null,
    serviceReferenceVariant: responseMessage
      ? readToken(required(f.ServiceReferenceVariant, `${path}/sr:ServiceReferenceVariant`), `${path}/sr:ServiceReferenceVariant`)
      : null,
    responseCode,
    responseDateTime,
    alertCode: kind === 'device-alert' ? readAlertCode(required(f.AlertCode, `${path}/sr:AlertCode`), `${path}/sr:AlertCode`) : null,
    dccAlertCode: kind === 'dcc-alert' ? readToken(required(f.DCCAlertCode, `${path}/sr:DCCAlertCode`), `${path}/sr:DCCAlertCode`) : null,
    throttledAlertSequenceId: f.ThrottledAlertSequenceId === undefined ? null : readToken(f.ThrottledAlertSequenceId, `${path}/sr:ThrottledAlertSequenceId`),
    throttledAlertCount: count === undefined ? null : readCount(count, `${path}/sr:ThrottledAlertCount`),
    bodyElement: body?.element ?? null,
    hasGbcsPayload: body?.element === 'ResponseMessage' && body.hasGbcsPayload,
    responderAnswered: kind === 'device-alert' || (kind === 'response' && !body?.hasDccXml),
  };
}

function kindOf(body: Body | null | undefined): 'response' | 'device-alert' | 'dcc-alert' {
  if (!body) return missing('sr:Response/sr:Body', 'is missing (a response with a ResponseID needs a body)');
  if (body.element === 'DeviceAlertMessage') {
    if (!body.hasGbcsPayload) missing('sr:Response/sr:Body/sr:DeviceAlertMessage/sr:GBCSPayload');
    return 'device-alert';
  }
  if (body.element === 'DCCAlertMessage') {
    if (!body.hasDccXml) missing('sr:Response/sr:Body/sr:DCCAlertMessage/sr:DCCAlert');
    return 'dcc-alert';
  }
  return 'response';
}

/** `sr:Body`: null when empty, else its (single) message element. */
function readBody(s: XmlScanner): Body | null {
  let body: Body | null = null;
  while (s.next() === START) {
    if (body || s.ns !== DUIS_NS) {
      s.skip();
      continue;
    }
    const element = s.local;
    const names = BODY_FIELDS[element];
    if (!names) {
      throw new DuisParseError(
        'DUIS_INVALID_FIELD',
        `sr:Response/sr:Body: unexpected element sr:${element} (expected sr:ResponseMessage, sr:DeviceAlertMessage or sr:DCCAlertMessage)`,
      );
    }
    const b: Body = { element, fields: {}, hasGbcsPayload: false, hasDccXml: false };
    b.fields = readTexts(s, `sr:Response/sr:Body/sr:${element}`, names, () => {
      // DCC-built content (DCCAlert, DSPInventory, ...). A GBCSPayload one level down (DSPScheduledMessage,
      // FutureDatedDeviceAlertMessage, CINMessage, ...) is still a device's payload.
      if (s.ns !== DUIS_NS) return s.skip();
      if (element === 'ResponseMessage') {
        if (scanForPayload(s)) b.hasGbcsPayload = true;
        else b.hasDccXml = true;
        return;
      }
      if (element === 'DCCAlertMessage' && s.local === 'DCCAlert') b.hasDccXml = true;
      s.skip();
    });
    if (b.fields.GBCSPayload !== undefined) b.hasGbcsPayload = true;
    body = b;
  }
  return body;
}

/** Skips a ResponseMessage child, returning whether one of its own children is a `GBCSPayload`. */
function scanForPayload(s: XmlScanner): boolean {
  let found = false;
  while (s.next() === START) {
    if (s.ns === DUIS_NS && s.local === 'GBCSPayload') found = true;
    s.skip();
  }
  return found;
}
