import type { ParseDuisOptions } from '../duis/parse-duis.js';
import { isSrvvError, type ErrorCode } from '../errors.js';
import type { PreparedBatch } from '../store/prepared-batch.js';
import { parseNdjsonLine, splitLines } from './ndjson-line.js';
import { prepareBatch } from './prepare-batch.js';
import type { RawMessage, RawMessageOrigin } from './raw-message.js';

/**
 * A unit of ingestion work, small enough to post to a worker thread: either a run of NDJSON lines (raw
 * bytes, so the reading thread does not decode JSON) or a set of single-document files.
 */
export type PrepareJob =
  | {
      type: 'ndjson';
      source: string;
      firstLine: number;
      data: Uint8Array;
      /**
       * `data.buffer` belongs to this job alone (bytes outside `data` included), so a pool may transfer it to
       * the worker, detaching it here, instead of copying it.
       */
      ownsBuffer?: boolean;
    }
  | { type: 'documents'; sources: string[]; docs: Uint8Array[]; receivedAt: number[] };

export interface JobRejection {
  origin: RawMessageOrigin;
  code: ErrorCode;
  detail: string;
}

/** A job's result: the batch to store, where each message came from, and what was rejected. */
export interface PreparedJob {
  batch: PreparedBatch;
  origins: RawMessageOrigin[];
  rejections: JobRejection[];
  /** Messages and lines the job held, rejected ones included. */
  inputs: number;
}

/** Runs a job: NDJSON envelope checks, then {@link prepareBatch}. */
export function runPrepareJob(job: PrepareJob, options?: ParseDuisOptions): PreparedJob {
  const raw: RawMessage[] = [];
  const rawOrigins: RawMessageOrigin[] = [];
  const rejections: JobRejection[] = [];
  let inputs = 0;
  if (job.type === 'ndjson') {
    // Every line's document is encoded into this one slab, back to back: no buffer per message, and the chunk
    // is compressed from it without a concatenated copy (see prepareBatch). Unpooled, so it never pins others.
    const into = { slab: Buffer.allocUnsafeSlow(job.data.byteLength), offset: 0 };
    for (const { line, text } of splitLines(job.data, job.firstLine)) {
      inputs++;
      const origin = { source: job.source, line };
      try {
        raw.push(parseNdjsonLine(text, into));
        rawOrigins.push(origin);
      } catch (err) {
        if (!isSrvvError(err)) throw err;
        rejections.push({ origin, code: err.code, detail: err.detail });
      }
    }
  } else {
    job.docs.forEach((doc, i) => {
      inputs++;
      raw.push({ xml: asBuffer(doc), receivedAt: job.receivedAt[i]! });
      rawOrigins.push({ source: job.sources[i]! });
    });
  }
  const prepared = prepareBatch(raw, options);
  for (const r of prepared.rejections) rejections.push({ origin: rawOrigins[r.index]!, code: r.code, detail: r.detail });
  return { batch: prepared.batch, origins: prepared.inputIndex.map((i) => rawOrigins[i]!), rejections, inputs };
}

/** Views bytes that crossed a thread boundary (structured clone yields plain Uint8Arrays) as a Buffer, without copying. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The ArrayBuffers of a job result that can be transferred to another thread instead of copied. */
export function transferables(result: PreparedJob): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const whole = (b: Uint8Array | undefined): void => {
    if (b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !out.includes(b.buffer as ArrayBuffer)) out.push(b.buffer as ArrayBuffer);
  };
  whole(result.batch.chunk.data);
  // The hashes are views of one slab of their own (prepareBatch): transfer it when every hash uses it.
  const hashes = result.batch.messages[0]?.hash.buffer as ArrayBuffer | undefined;
  if (hashes && hashes !== result.batch.chunk.data.buffer && result.batch.messages.every((m) => m.hash.buffer === hashes)) out.push(hashes);
  return out;
}

/** Restores Buffers in a job result that came back from a worker thread. */
export function reviveJob(result: PreparedJob): PreparedJob {
  result.batch.chunk.data = asBuffer(result.batch.chunk.data);
  for (const m of result.batch.messages) m.hash = asBuffer(m.hash);
  return result;
}
