import type { SqliteStoreDatabase } from './sqlite-config.js';

/** Connection settings for the capture workload: many large write transactions, concurrent readers. */
export function applySqlitePragmas(db: SqliteStoreDatabase, cacheSizeKiB: number, busyTimeoutMs: number): void {
  // WAL: readers (HTTP, other processes) never block the writer and vice versa, and a commit appends to the
  // log instead of rewriting pages twice through a rollback journal. Not available for :memory:.
  if (!db.memory) db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: no fsync per commit, only at checkpoints. A power cut can lose the last few
  // transactions, never corrupt the database; the capture feed can be replayed and ingest is idempotent.
  db.pragma('synchronous = NORMAL');
  // Negative = KiB. Random-key indexes (hash, thread key, device) want their upper levels and hot leaves
  // cached; bounded so the process stays well under its RSS budget (this is heap, unlike the OS page cache).
  db.pragma(`cache_size = -${Math.floor(cacheSizeKiB)}`);
  // Wait for another process's write transaction rather than failing at once with SQLITE_BUSY.
  db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
  // Checkpoint every ~256 MiB of WAL instead of every 4 MiB. Ingest dirties pages all over three random-key
  // indexes; a checkpoint copies each distinct page once and fsyncs, so rarer checkpoints coalesce many
  // commits' copies of the same page. Measured (store-bench, 0.5M->1M rows): 16k pages 16.9k msg/s, 64k
  // pages 20.8k msg/s, 256k pages 18.3k msg/s (the WAL index grows and reads slow down).
  if (!db.memory) db.pragma('wal_autocheckpoint = 65536');
  // Keep the WAL file from staying huge after a burst.
  if (!db.memory) db.pragma('journal_size_limit = 268435456');
  // Sorting temporaries (index builds, ORDER BY without index) in memory rather than temp files.
  db.pragma('temp_store = MEMORY');
}
