import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ParseDuisOptions } from '../duis/parse-duis.js';
import { reviveJob, runPrepareJob, type PrepareJob, type PreparedJob } from './prepare-job.js';

export interface PreparePoolOptions {
  /**
   * Worker threads. Default: one per core minus the one the writer uses, at least 1. `0` prepares on the
   * calling thread (useful for tests and tiny inputs).
   */
  workers?: number;
  maxBytes?: number;
}

/**
 * A worker's young generation: 8 MiB instead of V8's default 48 (two 16 MiB semi-spaces plus overhead). A job's
 * garbage is short-lived strings and views; the smaller nursery collects it more often and keeps the worker's
 * heap small (~24 MiB at 16 MiB of young generation instead of ~42 at the default), towards the ingest
 * benchmark's 300 MB budget for the whole process. 8 rather than 16 pays for the third job in flight
 * (`ingestJobs`): together they measured faster at the same peak RSS (docs/benchmarks.md, "Brotli chunks, flat
 * prepared messages, a third job in flight").
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

interface Pending {
  resolve: (r: PreparedJob) => void;
  reject: (e: Error) => void;
}

/**
 * A small pool of worker threads running {@link runPrepareJob}. Callers bound the number of jobs in flight
 * themselves (see `ingestSources`), which is the backpressure on readers.
 */
export class PreparePool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #options: ParseDuisOptions;
  #next = 0;

  constructor(options: PreparePoolOptions = {}) {
    const count = options.workers ?? Math.max(1, availableParallelism() - 1);
    this.#options = { maxBytes: options.maxBytes };
    // Under tsx (tests) this module is the .ts source: the worker registers tsx itself before loading the
    // .ts entry (Node 20 does not pass --import hooks on to a worker's entry). Built, both are plain .js.
    const fromSource = import.meta.url.endsWith('.ts');
    const workerData = { maxBytes: options.maxBytes };
    for (let i = 0; i < count; i++) {
      const worker = fromSource
        ? new Worker(
            `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./prepare-worker.ts', import.meta.url).href)}); })`,
            { eval: true, workerData, resourceLimits: WORKER_LIMITS },
          )
        : new Worker(new URL('./prepare-worker.js', import.meta.url), { workerData, resourceLimits: WORKER_LIMITS });
      worker.on('message', (msg: { id: number; result?: PreparedJob; error?: string }) => {
        const pending = this.#pending.get(msg.id);
        if (!pending) return;
        this.#pending.delete(msg.id);
        if (msg.result) pending.resolve(reviveJob(msg.result));
        else pending.reject(new Error(`prepare worker failed: ${msg.error}`));
      });
      worker.on('error', (err) => this.#failAll(err));
      this.#workers.push(worker);
    }
  }

  /** Number of worker threads (0 = in-thread). */
  get size(): number {
    return this.#workers.length;
  }

  /** Prepares one job on the next worker (round robin), or in-thread when the pool has no workers. */
  prepare(job: PrepareJob): Promise<PreparedJob> {
    if (this.#workers.length === 0) {
      try {
        return Promise.resolve(runPrepareJob(job, this.#options));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const id = this.#next++;
    const worker = this.#workers[id % this.#workers.length]!;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const transfer = job.type === 'ndjson' && job.ownsBuffer ? [job.data.buffer as ArrayBuffer] : [];
      worker.postMessage({ id, job }, transfer);
    });
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}
