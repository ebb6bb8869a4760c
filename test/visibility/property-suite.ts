import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { StoreBackend } from '../../src/store/message-store.js';
import type { TestBackend } from '../store-suite/backends.js';
import type { PropertyJob, PropertyResult } from './property-worker.js';

/**
 * Runs per backend when `SRVV_PROPERTY_RUNS` is not set (what CI runs), sized to keep the PostgreSQL file near five
 * minutes. Measured on 2 busy vCPUs with both files in parallel: SQLite in memory about 15 ms a run, PostgreSQL
 * about 70-100 ms since the store is partitioned by month and every run also reads the live feed (2026-12-02).
 * Each run is one random world judged for every (party, message): 10,000 SQLite runs compare about 210,000
 * judgements, 3,000 PostgreSQL runs about 60,000. More PostgreSQL runs pass too (`SRVV_PROPERTY_RUNS=10000`).
 * Most of the time is the store's own work, not the test's.
 */
const DEFAULT_RUNS: Record<StoreBackend, number> = { sqlite: 10_000, postgres: 3_000 };
/** MP141, the modification that asked for this visibility. */
const DEFAULT_SEED = 141;

function envInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}

/** Runs the property in a worker thread (see property-worker.ts for why) and resolves with its one message. */
function runInWorker(job: PropertyJob): Promise<PropertyResult> {
  // Node 20 does not pass --import hooks on to a worker's entry: the worker registers tsx itself.
  const entry = new URL('./property-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, {
    eval: true,
    workerData: job,
  });
  return new Promise((resolve, reject) => {
    let result: PropertyResult | undefined;
    worker.on('message', (msg: PropertyResult) => (result = msg));
    worker.on('error', reject);
    worker.on('exit', (code) => (result ? resolve(result) : reject(new Error(`property worker exited with code ${code} and no result`))));
  });
}

/**
 * The visibility property on each of `backends`: random worlds, played against the store and the plain rules
 * (plain-rules.ts), must agree on every (party, message). Environment: `SRVV_PROPERTY_RUNS` (runs per backend),
 * `SRVV_PROPERTY_SEED` (fixed by default, so CI is reproducible), `SRVV_PROPERTY_PATH` (replay one counterexample:
 * the `path` fast-check reports, with its seed), `SRVV_PROPERTY_EXHAUSTIVE=1` (every check on every run, see
 * `CompareOptions.exhaustive`).
 */
export function describeVisibilityProperty(backends: readonly TestBackend[]): void {
  for (const backend of backends) {
    describe(`visibility property (${backend.name})`, { skip: backend.skip }, () => {
      const numRuns = envInt('SRVV_PROPERTY_RUNS') ?? DEFAULT_RUNS[backend.name];
      const seed = envInt('SRVV_PROPERTY_SEED') ?? DEFAULT_SEED;
      const path = process.env.SRVV_PROPERTY_PATH;
      const exhaustive = process.env.SRVV_PROPERTY_EXHAUSTIVE === '1';

      it(`agrees with the plain rules on ${numRuns} random worlds (seed ${seed})`, async () => {
        const job: PropertyJob = { backend: backend.name, numRuns, seed, exhaustive, ...(path ? { path } : {}) };
        const { tally, ms, cpuMs, error } = await runInWorker(job);
        const perRun = (x: number) => (x / Math.max(1, tally.runs)).toFixed(2);
        const rules = Object.entries(tally.byRule).map(([rule, n]) => `${rule} ${n}`).join(', ');
        console.log(
          `visibility property (${backend.name}): seed ${seed}, ${tally.runs} runs, ${tally.judgements} (party, message) judgements ` +
            `compared${exhaustive ? ' exhaustively' : ''} (${rules}), ${tally.summaries} device summaries (${tally.summariesUndefined} undefined), ${tally.feeds} feed reads, in ${(ms / 1000).toFixed(1)} s, ` +
            `${perRun(ms)} ms/run (${perRun(cpuMs)} ms CPU/run in this process)`,
        );
        assert.ok(error === undefined, error);
      });
    });
  }
}
