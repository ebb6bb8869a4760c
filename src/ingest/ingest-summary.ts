import type { MessageKind } from '../duis/duis-message.js';
import type { ErrorCode } from '../errors.js';
import { peakRssBytes } from '../metrics/peak-rss.js';
import type { IngestOutcome } from '../store/prepared-batch.js';
import type { JobRejection, PreparedJob } from './prepare-job.js';

/** What an ingestion run did, as `srvv ingest` prints it (and `--json` emits it). */
export interface IngestSummary {
  /** Messages and NDJSON lines read. */
  read: number;
  /** Newly stored messages. */
  ingested: number;
  /** Messages whose exact bytes were already stored. */
  duplicates: number;
  rejected: number;
  /** Rejections counted by error code. */
  rejectedByReason: Partial<Record<ErrorCode, number>>;
  /** The first rejections in full (source, line, code, detail); the rest are only counted. */
  rejections: JobRejection[];
  /** Newly stored messages by kind. */
  ingestedByKind: Partial<Record<MessageKind, number>>;
  elapsedMs: number;
  /** Messages read per second over the run. */
  messagesPerSecond: number;
  /** Peak resident memory of the process so far, MiB (all threads). */
  peakRssMiB: number;
}

const MAX_LISTED_REJECTIONS = 100;

/** Counts one rejection in a summary (by code, and in full among the first few). */
export function recordRejection(s: IngestSummary, r: JobRejection): void {
  s.rejected++;
  s.rejectedByReason[r.code] = (s.rejectedByReason[r.code] ?? 0) + 1;
  if (s.rejections.length < MAX_LISTED_REJECTIONS) s.rejections.push(r);
}

/** Accumulates outcomes into an {@link IngestSummary}. */
export class IngestTally {
  readonly #started = performance.now();
  readonly summary: IngestSummary = {
    read: 0,
    ingested: 0,
    duplicates: 0,
    rejected: 0,
    rejectedByReason: {},
    rejections: [],
    ingestedByKind: {},
    elapsedMs: 0,
    messagesPerSecond: 0,
    peakRssMiB: 0,
  };

  add(job: PreparedJob, outcomes: readonly IngestOutcome[]): void {
    const s = this.summary;
    s.read += job.inputs;
    for (const o of outcomes) {
      if (o.duplicate) s.duplicates++;
      else {
        s.ingested++;
        s.ingestedByKind[o.kind] = (s.ingestedByKind[o.kind] ?? 0) + 1;
      }
    }
    for (const r of job.rejections) this.reject(r);
  }

  reject(r: JobRejection): void {
    recordRejection(this.summary, r);
  }

  finish(): IngestSummary {
    const s = this.summary;
    s.elapsedMs = Math.round(performance.now() - this.#started);
    s.messagesPerSecond = s.elapsedMs > 0 ? Math.round((s.read * 1000) / s.elapsedMs) : s.read;
    s.peakRssMiB = Math.round(peakRssBytes() / 2 ** 20);
    return s;
  }
}
