import * as crypto from 'node:crypto';
import { parseDuis, type ParseDuisOptions } from '../duis/parse-duis.js';
import type { DuisMessage } from '../duis/duis-message.js';
import { isSrvvError, type ErrorCode } from '../errors.js';
import type { PreparedBatch, PreparedMessage } from '../store/prepared-batch.js';
import { prepareMessage } from '../store/ingest-plan.js';
import { encodeChunk } from '../store/xml-chunk.js';
import type { RawMessage } from './raw-message.js';

// SHA-256 in one native call (`crypto.hash`, Node >= 20.12) rather than a Hash object per message; the
// fallback keeps older Node 20 releases working.
const sha256: (data: Buffer) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** Why one input of a batch was rejected. Nothing of a rejected message is stored. */
export interface Rejection {
  /** Index of the input in the array given to {@link prepareBatch}. */
  index: number;
  code: ErrorCode;
  detail: string;
}

/** {@link prepareBatch}'s answer: the batch to store and the inputs that could not be parsed. */
export interface PreparedInputs {
  batch: PreparedBatch;
  /** For each prepared message, the index of its input (so callers can map outcomes back to lines). */
  inputIndex: number[];
  rejections: Rejection[];
}

/**
 * Parses, hashes, keys and compresses raw messages into a {@link PreparedBatch}: all the CPU work of ingestion, so
 * it can run on a worker thread while the store writes the previous batch. Pure apart from CPU.
 */
export function prepareBatch(inputs: readonly RawMessage[], options?: ParseDuisOptions): PreparedInputs {
  const messages: PreparedMessage[] = [];
  const inputIndex: number[] = [];
  const parts: Buffer[] = [];
  const rejections: Rejection[] = [];
  // One standalone slab for all hashes of the batch: each message's hash is a 16-byte view of it, so a worker
  // transfers one ArrayBuffer instead of structured-cloning one per message (and never a pooled slab).
  const hashes = Buffer.allocUnsafeSlow(16 * inputs.length);
  // Whether the accepted inputs lie back to back in one buffer (runPrepareJob decodes NDJSON lines into one
  // slab): then the chunk is compressed straight from that range, without concatenating copies.
  let contiguous = true;
  let offset = 0;
  inputs.forEach((input, index) => {
    let message: DuisMessage;
    try {
      message = parseDuis(input.text ?? input.xml, options);
    } catch (err) {
      if (!isSrvvError(err)) throw err;
      rejections.push({ index, code: err.code, detail: err.detail });
      return;
    }
    const at = 16 * messages.length;
    sha256(input.xml).copy(hashes, at, 0, 16);
    messages.push(
      prepareMessage(message, {
        receivedAt: input.receivedAt,
        time: messageTime(message, input.receivedAt),
        hash: hashes.subarray(at, at + 16),
        xmlOffset: offset,
        xmlLength: input.xml.length,
      }),
    );
    inputIndex.push(index);
    const prev = parts[parts.length - 1];
    if (prev && (prev.buffer !== input.xml.buffer || prev.byteOffset + prev.length !== input.xml.byteOffset)) contiguous = false;
    parts.push(input.xml);
    offset += input.xml.length;
  });
  const first = parts[0];
  const raw = contiguous && first && parts.length > 1 ? [Buffer.from(first.buffer, first.byteOffset, offset)] : parts;
  return { batch: { messages, chunk: encodeChunk(raw) }, inputIndex, rejections };
}

/**
 * t(M) of the visibility rules: a request's receipt time; for answers the ResponseDateTime when it is a
 * readable date-time, else the receipt time (the raw value is still stored and shown).
 */
export function messageTime(message: DuisMessage, receivedAt: number): number {
  if (message.kind === 'request' || message.responseDateTime === null) return receivedAt;
  const t = Date.parse(message.responseDateTime);
  return Number.isNaN(t) ? receivedAt : t;
}
