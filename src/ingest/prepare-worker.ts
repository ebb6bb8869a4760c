// Worker-thread entry: runs prepare jobs posted by PreparePool. Parsing, hashing and compressing here keeps the
// main thread free to write to the store, which is how ingestion uses both cores.
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseDuisOptions } from '../duis/parse-duis.js';
import { runPrepareJob, transferables, type PrepareJob } from './prepare-job.js';

const options: ParseDuisOptions = {
  maxBytes: (workerData as { maxBytes?: number } | undefined)?.maxBytes,
};

parentPort!.on('message', ({ id, job }: { id: number; job: PrepareJob }) => {
  try {
    const result = runPrepareJob(job, options);
    // Transfer the compressed chunk and the hashes instead of copying them.
    parentPort!.postMessage({ id, result }, transferables(result));
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
