import { DuisParseError } from '../errors.js';
import { DUIS_NS } from './duis-elements.js';
import type { DuisMessage } from './duis-message.js';
import { normaliseEui64, type Eui64 } from './eui64.js';
import { readToken } from './duis-fields.js';
import { readRequest } from './read-request.js';
import { readResponse } from './read-response.js';
import { subjectDevices } from './subject-devices.js';
import { closeDocument, openDocument } from './xml-document.js';
import { quote } from './xml-text.js';

export interface ParseDuisOptions {
  /** Maximum document size in bytes; default 4 MiB (4 * 1024 * 1024). Larger input -> DUIS_TOO_LARGE. */
  maxBytes?: number;
  /**
   * User IDs of the DCC itself (never devices). Default: ['90-B3-D5-1F-30-00-00-02'], the DCC ID of the
   * reference templates. Any EUI-64 spelling is accepted. Plain data, so options can cross to worker threads.
   */
  dccUserIds?: ReadonlySet<string>;
}

export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_DCC_USER_IDS: ReadonlySet<string> = new Set(['90-B3-D5-1F-30-00-00-02']);

/** Canonical copies of caller-supplied DCC ID sets, made once per set rather than once per message. */
const canonicalSets = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();

function canonicalDccIds(ids: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (!ids) return DEFAULT_DCC_USER_IDS;
  let set = canonicalSets.get(ids);
  if (!set) {
    set = new Set([...ids].map((id) => normaliseEui64(id) ?? id));
    canonicalSets.set(ids, set);
  }
  return set;
}

/**
 * Parses one DUIS document (a request, or a response, acknowledgement or alert) into a {@link DuisMessage}.
 * Pure. Throws {@link DuisParseError} (a `DUIS_*` code and a detail naming what is wrong) for anything
 * that is not a DUIS message we can store; never anything else.
 *
 * One pass over the text: a pull scanner checks well-formedness and namespaces while the readers walk the
 * expected structure, read the header fields and, for requests, the body's device IDs. Signatures and
 * DCC-built XML are skipped (still checked for well-formedness). DTDs are refused, entities never expanded.
 */
export function parseDuis(xml: string | Buffer, options?: ParseDuisOptions): DuisMessage {
  const text = decode(xml, options?.maxBytes ?? DEFAULT_MAX_BYTES);
  const dccUserIds = canonicalDccIds(options?.dccUserIds);
  const s = openDocument(text);
  if (s.ns !== DUIS_NS) {
    const ns = s.ns === '' ? 'no namespace' : `namespace ${quote(s.ns)}`;
    throw new DuisParseError('DUIS_WRONG_NAMESPACE', `root element <${s.qname()}> is in ${ns}, not ${DUIS_NS}`);
  }
  const schemaVersion = readSchemaVersion(s.attribute('schemaVersion'));
  let message: DuisMessage;
  if (s.local === 'Request') {
    const r = readRequest(s);
    const facts = {
      kind: 'request',
      requestId: r.requestId,
      responseId: null,
      commandVariant: r.commandVariant,
      serviceReferenceVariant: r.serviceReferenceVariant,
      bodyDeviceIds: r.bodyDeviceIds,
      responderAnswered: false,
    } as const;
    message = {
      kind: 'request',
      schemaVersion,
      requestId: r.requestId,
      responseId: null,
      commandVariant: r.commandVariant,
      serviceReference: r.serviceReference,
      serviceReferenceVariant: r.serviceReferenceVariant,
      responseCode: null,
      responseDateTime: null,
      alertCode: null,
      dccAlertCode: null,
      throttledAlertSequenceId: null,
      throttledAlertCount: null,
      bodyElement: r.bodyElement,
      hasGbcsPayload: false,
      deviceIds: subjectDevices(facts, dccUserIds),
    };
  } else if (s.local === 'Response') {
    const r = readResponse(s);
    const facts = {
      kind: r.kind,
      requestId: r.requestId,
      responseId: r.responseId,
      commandVariant: null,
      serviceReferenceVariant: r.serviceReferenceVariant,
      bodyDeviceIds: NO_DEVICES,
      responderAnswered: r.responderAnswered,
    };
    message = {
      kind: r.kind,
      schemaVersion,
      requestId: r.requestId,
      responseId: r.responseId,
      commandVariant: null,
      serviceReference: r.serviceReference,
      serviceReferenceVariant: r.serviceReferenceVariant,
      responseCode: r.responseCode,
      responseDateTime: r.responseDateTime,
      alertCode: r.alertCode,
      dccAlertCode: r.dccAlertCode,
      throttledAlertSequenceId: r.throttledAlertSequenceId,
      throttledAlertCount: r.throttledAlertCount,
      bodyElement: r.bodyElement,
      hasGbcsPayload: r.hasGbcsPayload,
      deviceIds: subjectDevices(facts, dccUserIds),
    };
  } else {
    throw new DuisParseError('DUIS_UNKNOWN_ROOT', `root element <${s.qname()}> is neither sr:Request nor sr:Response`);
  }
  closeDocument(s);
  return message;
}

const NO_DEVICES: readonly Eui64[] = [];

function readSchemaVersion(value: string | undefined): string | null {
  return value === undefined ? null : readToken(value, 'root element @schemaVersion');
}

/** Size check on the raw bytes, UTF-8 decoding (BOM stripped), emptiness check. */
function decode(xml: string | Buffer, maxBytes: number): string {
  let text: string;
  if (typeof xml === 'string') {
    // A string's UTF-8 length is at least its UTF-16 length and at most three times it: count only if needed.
    if (xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml, 'utf8') > maxBytes)) tooLarge(xml, maxBytes);
    text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  } else if (xml instanceof Uint8Array) {
    // Buffers, and plain Uint8Arrays (what a Buffer becomes after crossing a worker-thread boundary).
    if (xml.length > maxBytes) tooLarge(xml, maxBytes);
    const bom = xml.length >= 3 && xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf;
    text = Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).toString('utf8', bom ? 3 : 0);
  } else {
    throw new DuisParseError('DUIS_NOT_XML', `expected a string or a Buffer, got ${xml === null ? 'null' : typeof xml}`);
  }
  if (!/[^ \t\r\n]/.test(text)) {
    throw new DuisParseError('DUIS_EMPTY', text.length === 0 ? 'the document is empty' : `the document is only whitespace (${text.length} characters)`);
  }
  return text;
}

function tooLarge(xml: string | Uint8Array, maxBytes: number): never {
  const bytes = typeof xml === 'string' ? Buffer.byteLength(xml, 'utf8') : xml.length;
  throw new DuisParseError('DUIS_TOO_LARGE', `${bytes} bytes exceeds the limit of ${maxBytes} bytes`);
}
