// Worker-thread entry: runs prepare jobs posted by PreparePool. Parsing, hashing and compressing here keeps the
// main thread free to write to the store, which is how ingestion uses both cores.
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseDuisOptions } from '../duis/parse-duis.js';
import { runPrepareJob, type PrepareJob } from './prepare-job.js';

const options: ParseDuisOptions = {
  maxBytes: (workerData as { maxBytes?: number } | undefined)?.maxBytes,
};

parentPort!.on('message', ({ id, job }: { id: number; job: PrepareJob }) => {
  try {
    const result = runPrepareJob(job, options);
    // Transfer the compressed chunk instead of copying it.
    const data = result.batch.chunk.data;
    const transfer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? [data.buffer as ArrayBuffer] : [];
    parentPort!.postMessage({ id, result }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
