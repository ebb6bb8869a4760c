import type { MessageStore } from '../store/message-store.js';
import type { PrepareJob, PreparedJob } from './prepare-job.js';
import type { PreparePool } from './prepare-pool.js';
import { IngestTally, type IngestSummary } from './ingest-summary.js';

export interface IngestRunOptions {
  /**
   * Jobs queued or being prepared, counting the one being written; bounds memory. Default: 2 per worker plus 1,
   * so a worker always has a job waiting while the store writes: with one worker and 2 in flight it idled
   * whenever it finished before the write did (docs/benchmarks.md, "Brotli chunks, flat prepared messages, a
   * third job in flight").
   */
  inFlight?: number;
  /** Called after each stored job with the running summary. */
  onProgress?: (summary: Readonly<IngestSummary>) => void;
}

/**
 * Ingests a stream of jobs: workers prepare up to `inFlight` jobs ahead while this thread writes each prepared
 * batch to the store, in order, one transaction per job. A job is counted only once its transaction committed.
 */
export async function ingestJobs(
  store: MessageStore,
  jobs: AsyncIterable<PrepareJob>,
  pool: PreparePool,
  options: IngestRunOptions = {},
): Promise<IngestSummary> {
  const inFlight = options.inFlight ?? Math.max(3, pool.size * 2 + 1);
  const tally = new IngestTally();
  const queue: Promise<PreparedJob>[] = [];
  const write = async (prepared: PreparedJob): Promise<void> => {
    const outcomes = prepared.batch.messages.length ? await store.ingest(prepared.batch) : [];
    tally.add(prepared, outcomes);
    options.onProgress?.(tally.summary);
  };
  for await (const job of jobs) {
    const p = pool.prepare(job);
    p.catch(() => {}); // handled when awaited below; avoids an unhandled rejection while queued
    queue.push(p);
    if (queue.length >= inFlight) await write(await queue.shift()!);
  }
  while (queue.length) await write(await queue.shift()!);
  return tally.finish();
}
