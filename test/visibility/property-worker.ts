import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import type { StoreBackend } from '../../src/store/message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import { runCase } from './run-case.js';
import { caseArb } from './visibility-case.js';
import { newTally, type Tally } from './visibility-check.js';

/** What property-suite.ts asks a worker to run. */
export interface PropertyJob {
  backend: StoreBackend;
  numRuns: number;
  seed: number;
  /** Replays one counterexample (fast-check's `path`). */
  path?: string;
  exhaustive: boolean;
}

/** The worker's one message back: the tally, the time taken, and fast-check's report when the property failed. */
export interface PropertyResult {
  tally: Tally;
  ms: number;
  /** CPU time of this process (user + system) over the runs: less sensitive than `ms` to a busy machine. */
  cpuMs: number;
  error?: string;
}

// Runs the property in this worker thread, off the test runner's thread: node:test tracks every promise of its
// thread with an async hook, which makes this promise-heavy loop (a few hundred queries per run) 1.6x slower.
const job = workerData as PropertyJob;
const backend = BACKENDS.find((b) => b.name === job.backend);
if (!backend) throw new Error(`backend ${job.backend} is not in STORE_BACKENDS`);
const store = await backend.open();
const tally = newTally();
const started = performance.now();
const cpu = process.cpuUsage();
let error: string | undefined;
try {
  await fc.assert(
    fc.asyncProperty(caseArb, (c) => runCase(store, c, tally, job.exhaustive)),
    { numRuns: job.numRuns, seed: job.seed, ...(job.path ? { path: job.path } : {}) },
  );
} catch (err) {
  // fast-check's report (seed, path, shrunk counterexample), then the assertion that failed on it (its cause).
  const cause = err instanceof Error && err.cause instanceof Error ? `\n\nFailed on it: ${err.cause.message}` : '';
  error = `${err instanceof Error ? err.message : String(err)}${cause}`;
} finally {
  await backend.destroy(store);
}
const { user, system } = process.cpuUsage(cpu);
const result: PropertyResult = { tally, ms: performance.now() - started, cpuMs: (user + system) / 1000, ...(error === undefined ? {} : { error }) };
parentPort!.postMessage(result);
