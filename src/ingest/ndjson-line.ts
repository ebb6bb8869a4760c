import { IngestInputError } from '../errors.js';
import type { RawMessage } from './raw-message.js';

// ISO-8601 date-time with an explicit offset; a date without a time or a zone is ambiguous for a receipt time.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an ISO-8601 date-time with a zone into epoch milliseconds.
 * @throws IngestInputError INGEST_INVALID_RECEIVED_AT when `value` is anything else.
 */
export function parseReceivedAt(value: unknown, where = 'receivedAt'): number {
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  }
  throw new IngestInputError('INGEST_INVALID_RECEIVED_AT', `${where}: ${JSON.stringify(value)} is not an ISO-8601 date-time with a zone`);
}

/**
 * Parses one line of the capture feed's NDJSON format: `{"receivedAt": "<ISO-8601>", "xml": "<sr:Request ...>"}`.
 * The message's bytes are the UTF-8 encoding of the `xml` string; with `into`, they are written into `into.slab`
 * at `into.offset` (advanced past them) instead of a new buffer.
 * @throws IngestInputError naming what is wrong with the line.
 */
export function parseNdjsonLine(line: string, into?: { slab: Buffer; offset: number }): RawMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new IngestInputError('INGEST_INVALID_LINE', `not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new IngestInputError('INGEST_INVALID_LINE', 'a line must be a JSON object');
  }
  const { receivedAt, xml } = value as Record<string, unknown>;
  if (typeof xml !== 'string') throw new IngestInputError('INGEST_INVALID_LINE', '"xml" must be a string holding the DUIS document');
  const at = parseReceivedAt(receivedAt);
  if (!into) return { xml: Buffer.from(xml, 'utf8'), text: xml, receivedAt: at };
  // Encode straight into the caller's slab (which must have room: the UTF-8 of a JSON string's value is never
  // longer than its line) so a job's messages lie back to back, one allocation for all.
  const n = into.slab.write(xml, into.offset, 'utf8');
  const bytes = into.slab.subarray(into.offset, into.offset + n);
  into.offset += n;
  return { xml: bytes, text: xml, receivedAt: at };
}

/** Splits NDJSON bytes into lines (LF or CRLF), skipping blank lines but keeping line numbers. */
export function* splitLines(data: Uint8Array, firstLine = 1): Generator<{ line: number; text: string }> {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let start = 0;
  let line = firstLine;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = buf.length;
    const stop = end > start && buf[end - 1] === 13 ? end - 1 : end;
    if (stop > start) {
      const text = buf.toString('utf8', start, stop);
      if (text.trim() !== '') yield { line, text };
    }
    start = end + 1;
    line++;
  }
}
