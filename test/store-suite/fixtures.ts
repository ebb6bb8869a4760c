import { createHash } from 'node:crypto';
import type { DuisMessage, RequestId, ResponseId } from '../../src/duis/duis-message.js';
import { formatRequestId } from '../../src/duis/duis-message.js';
import type { PreparedBatch, PreparedMessage } from '../../src/store/prepared-batch.js';
import { prepareMessage } from '../../src/store/ingest-plan.js';
import { encodeChunk } from '../../src/store/xml-chunk.js';
import { messageTime } from '../../src/ingest/prepare-batch.js';

// Hand-built DuisMessage values named after DCC scenarios (until parseDuis lands, the store does not need it).
export const SUPPLIER = '90-B3-D5-1F-30-01-00-00'; // Import Supplier User ID
export const NETWORK_OPERATOR = '90-B3-D5-1F-30-02-00-00'; // ED User ID
export const DCC = '90-B3-D5-1F-30-00-00-02'; // DCC User ID addressed by non-device requests
export const ESME = '00-DB-12-34-56-78-90-A0';
export const GSME = '00-DB-12-34-56-78-90-B1';
export const CHF = '00-DB-12-34-56-78-90-C2';
export const GPF = '00-DB-12-34-56-78-90-D3';
export const PPMID = '00-DB-12-34-56-78-90-E4';

const BASE: Omit<DuisMessage, 'kind'> = {
  schemaVersion: '5.2',
  requestId: null,
  responseId: null,
  commandVariant: null,
  serviceReference: null,
  serviceReferenceVariant: null,
  responseCode: null,
  responseDateTime: null,
  alertCode: null,
  dccAlertCode: null,
  throttledAlertSequenceId: null,
  throttledAlertCount: null,
  bodyElement: null,
  hasGbcsPayload: false,
  deviceIds: [],
};

export function reqId(originator: string, target: string, counter: string | number): RequestId {
  return { originator, target, counter: String(counter) };
}

/** Request to a device (CommandVariant 1..7), or non-device (8) with body DeviceIDs. */
export function request(
  id: RequestId,
  srv: string,
  opts: { commandVariant?: number; bodyElement?: string; bodyDevices?: string[] } = {},
): DuisMessage {
  const nonDevice = (opts.commandVariant ?? 1) === 8;
  return {
    ...BASE,
    kind: 'request',
    requestId: id,
    commandVariant: opts.commandVariant ?? 1,
    serviceReference: srv.split('.').slice(0, 2).join('.'),
    serviceReferenceVariant: srv,
    bodyElement: opts.bodyElement ?? 'ReadInstantaneousImportRegisters',
    deviceIds: nonDevice ? [...(opts.bodyDevices ?? [])] : [id.target, ...(opts.bodyDevices ?? [])],
  };
}

export function acknowledgement(id: RequestId, code = 'I99', targetIsDevice = true): DuisMessage {
  return { ...BASE, kind: 'acknowledgement', requestId: id, responseCode: code, deviceIds: targetIsDevice ? [id.target] : [] };
}

export function response(
  id: RequestId | null,
  resId: ResponseId,
  opts: { code?: string; at?: string; srv?: string; responderIsDevice?: boolean; targetIsDevice?: boolean } = {},
): DuisMessage {
  const devices = new Set<string>();
  if (opts.responderIsDevice ?? true) devices.add(resId.responder);
  if (id && (opts.targetIsDevice ?? true)) devices.add(id.target);
  const srv = opts.srv ?? '4.1.1';
  return {
    ...BASE,
    kind: 'response',
    requestId: id,
    responseId: resId,
    responseCode: opts.code ?? 'I0',
    responseDateTime: opts.at ?? null,
    serviceReference: srv.split('.').slice(0, 2).join('.'),
    serviceReferenceVariant: srv,
    bodyElement: 'ResponseMessage',
    hasGbcsPayload: true,
    deviceIds: [...devices],
  };
}

export function deviceAlert(id: RequestId | null, resId: ResponseId, alertCode: string, at: string): DuisMessage {
  const devices = new Set([resId.responder]);
  if (id) devices.add(id.target);
  return {
    ...BASE,
    kind: 'device-alert',
    requestId: id,
    responseId: resId,
    responseCode: 'I0',
    responseDateTime: at,
    alertCode,
    throttledAlertSequenceId: '7',
    throttledAlertCount: 3,
    bodyElement: 'DeviceAlertMessage',
    hasGbcsPayload: true,
    deviceIds: [...devices],
  };
}

export function dccAlert(resId: ResponseId, dccAlertCode: string, at: string): DuisMessage {
  return {
    ...BASE,
    kind: 'dcc-alert',
    responseId: resId,
    responseCode: 'I0',
    responseDateTime: at,
    dccAlertCode,
    bodyElement: 'DCCAlertMessage',
    deviceIds: [],
  };
}

/** Plausible bytes for a message: the same for equal messages and `salt`, different otherwise. */
export function fakeXml(m: DuisMessage, salt = ''): Buffer {
  const root = m.kind === 'request' ? 'Request' : 'Response';
  const rid = m.requestId ? `<sr:RequestID>${formatRequestId(m.requestId)}</sr:RequestID>` : '';
  const facts = JSON.stringify(m).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<sr:${root} xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" ` +
      `schemaVersion="5.2"><sr:Header>${rid}</sr:Header><sr:Body><sr:Facts>${facts}</sr:Facts>` +
      `<sr:Salt>${salt}</sr:Salt></sr:Body></sr:${root}>`,
    'utf8',
  );
}

export interface FixtureInput {
  message: DuisMessage;
  /** Default: {@link fakeXml}. */
  xml?: Buffer;
  /** Epoch ms. */
  receivedAt: number;
}

/** t(M) exactly as the ingest pipeline computes it, so `batchOf` builds what `prepareBatch` would. */
export { messageTime } from '../../src/ingest/prepare-batch.js';

/** What src/ingest/prepare-batch.ts produces, from already parsed messages. */
export function batchOf(inputs: readonly FixtureInput[]): PreparedBatch {
  const messages: PreparedMessage[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const input of inputs) {
    const xml = input.xml ?? fakeXml(input.message);
    const hash = Buffer.alloc(16);
    createHash('sha256').update(xml).digest().copy(hash, 0, 0, 16);
    messages.push(
      prepareMessage(input.message, {
        receivedAt: input.receivedAt,
        time: messageTime(input.message, input.receivedAt),
        hash,
        xmlOffset: offset,
        xmlLength: xml.length,
      }),
    );
    parts.push(xml);
    offset += xml.length;
  }
  return { messages, chunk: encodeChunk(parts) };
}

export const T0 = Date.parse('2026-03-02T09:00:00.000Z');
/** ISO text of T0 + ms, as a ResponseDateTime. */
export function at(ms: number): string {
  return new Date(T0 + ms).toISOString();
}
