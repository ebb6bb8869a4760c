import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a WAL-mode SQLite file from a worker thread with its own connection, so the writer's thread does not
 * stop for the checkpoint's copying and fsync.
 *
 * Why: with the writer doing its own checkpoints (`wal_autocheckpoint`), a commit that crosses the threshold copies
 * every page changed since the last checkpoint into the database file and fsyncs it, about half a second each on
 * this project's benchmark machine, a third of the writer's time during a bulk import (docs/benchmarks.md). A
 * PASSIVE checkpoint never blocks the writer: it copies what is committed and fsyncs while the writer goes on
 * appending. The writer's own auto-checkpoint stays as the backstop and then finds little left to copy or flush.
 *
 * The worker is plain JavaScript evaluated in place (it needs nothing but better-sqlite3), so it runs the same
 * from the TypeScript sources (tests) and from `dist`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('cache_size = -2048');
// Never wait for locks: a busy checkpoint is simply retried at the next tick.
db.pragma('busy_timeout = 0');
let stopping = false;
let lastMtime = 0;
let timer;
const tick = () => {
  if (stopping) return;
  let mtime = 0;
  try { mtime = statSync(workerData.path + '-wal').mtimeMs; } catch {}
  if (mtime !== lastMtime) {
    lastMtime = mtime;
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopping = true;
  clearTimeout(timer);
  db.close();
  parentPort.postMessage('stopped');
});
tick();
`;

export interface WalCheckpointerOptions {
  /** How often the worker looks at the WAL and checkpoints when it changed. Default 250 ms. */
  intervalMs?: number;
}

export class WalCheckpointer {
  readonly #worker: Worker;
  #stopped: Promise<void> | undefined;

  constructor(path: string, options: WalCheckpointerOptions = {}) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module, intervalMs: options.intervalMs ?? 250 } });
    // Never the reason a process stays alive; a failing checkpointer only leaves the writer's own checkpoints.
    this.#worker.unref();
    this.#worker.on('error', () => {});
  }

  /** Closes the worker's connection and ends the thread (waits at most a second for a checkpoint in progress). */
  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        void this.#worker.terminate().finally(resolve);
      };
      const timeout = setTimeout(done, 1000);
      this.#worker.once('message', done);
      this.#worker.once('exit', done);
      this.#worker.postMessage('stop');
    });
    return this.#stopped;
  }
}
