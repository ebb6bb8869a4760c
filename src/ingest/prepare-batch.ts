import { createHash } from 'node:crypto';
import { parseDuis, type ParseDuisOptions } from '../duis/parse-duis.js';
import type { DuisMessage } from '../duis/duis-message.js';
import { isSrvvError, type ErrorCode } from '../errors.js';
import type { PreparedBatch, PreparedMessage } from '../store/prepared-batch.js';
import { encodeChunk } from '../store/xml-chunk.js';
import type { RawMessage } from './raw-message.js';

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
 * Parses, hashes and compresses raw messages into a {@link PreparedBatch}: all the CPU work of ingestion, so
 * it can run on a worker thread while the store writes the previous batch. Pure apart from CPU.
 */
export function prepareBatch(inputs: readonly RawMessage[], options?: ParseDuisOptions): PreparedInputs {
  const messages: PreparedMessage[] = [];
  const inputIndex: number[] = [];
  const parts: Buffer[] = [];
  const rejections: Rejection[] = [];
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
    // A standalone 16-byte buffer: a view into a pooled slab would drag the whole slab through postMessage.
    const hash = Buffer.alloc(16);
    createHash('sha256').update(input.xml).digest().copy(hash, 0, 0, 16);
    messages.push({
      message,
      receivedAt: input.receivedAt,
      time: messageTime(message, input.receivedAt),
      hash,
      xmlOffset: offset,
      xmlLength: input.xml.length,
    });
    inputIndex.push(index);
    parts.push(input.xml);
    offset += input.xml.length;
  });
  return { batch: { messages, chunk: encodeChunk(parts) }, inputIndex, rejections };
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
