import { isSrvvError, type ErrorCode } from '../../errors.js';
import { parseNdjsonLine, parseReceivedAt } from '../ndjson-line.js';

/** Header carrying a DUIS document's receipt time (ISO-8601 with a zone) when the payload is the bare document. */
export const RECEIVED_AT_HEADER = 'Received-At';

/** One JetStream message's payload as the ingestion pipeline wants it: the exact document bytes and a receipt time. */
export type DecodedPayload =
  | { ok: true; doc: Uint8Array; receivedAt: number }
  | { ok: false; code: ErrorCode; detail: string };

const OPEN_BRACE = 0x7b;

/**
 * Reads one stream message. Two payload forms are accepted:
 * - one NDJSON object `{"receivedAt", "xml"}` (first non-whitespace byte `{`): its own receipt time, any header ignored;
 * - the DUIS document itself, stored byte for byte, received at the `Received-At` header, or when there is none at
 *   `streamTimeMs`, the time JetStream stored the message.
 *
 * Why the stream's time and not "now": a message is stored once by its exact bytes (the idempotency key does not
 * include the time), so whichever delivery commits first fixes the stored receipt time, and with it t(M) and the
 * visibility rules' answers, for good. A redelivery (after a crash, a nak, an expired ack wait, or to another
 * consumer sharing the durable) and a replay of the stream into a new database must therefore see the same time;
 * the clock of the consuming process would make the result depend on which delivery happened to win, and on how
 * far behind the consumer was. The stream's timestamp is the same on every delivery.
 */
export function decodePayload(data: Uint8Array, receivedAtHeader: string | undefined, streamTimeMs: number): DecodedPayload {
  try {
    if (firstNonWhitespace(data) === OPEN_BRACE) {
      const raw = parseNdjsonLine(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
      return { ok: true, doc: raw.xml, receivedAt: raw.receivedAt };
    }
    const receivedAt = receivedAtHeader === undefined ? streamTimeMs : parseReceivedAt(receivedAtHeader, `${RECEIVED_AT_HEADER} header`);
    return { ok: true, doc: data, receivedAt };
  } catch (err) {
    if (!isSrvvError(err)) throw err;
    return { ok: false, code: err.code, detail: err.detail };
  }
}

function firstNonWhitespace(data: Uint8Array): number | undefined {
  for (const b of data) {
    // space, tab, LF, CR (XML's and JSON's whitespace)
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return undefined;
}
