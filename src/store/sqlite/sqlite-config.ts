import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * The parts of a better-sqlite3 `Database` the store uses: what Kysely's `SqliteDialect` needs plus `exec`,
 * `pragma` and `inTransaction` for the write path. Structural, so tests can pass a fake.
 */
export interface SqliteStoreDatabase extends SqliteDatabase {
  prepare(sql: string): SqliteStoreStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  readonly inTransaction: boolean;
  readonly memory: boolean;
}

/** The parts of a better-sqlite3 `Statement` the store uses. */
export interface SqliteStoreStatement extends SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Return the first column only. */
  pluck(toggle?: boolean): this;
  /** Return rows as arrays. */
  raw(toggle?: boolean): this;
}

export interface SqliteStoreConfig {
  /** An open better-sqlite3 database, or a factory for one (called once, on first use). */
  database: SqliteStoreDatabase | (() => Promise<SqliteStoreDatabase>);
  /**
   * SQLite page cache per connection, KiB (`PRAGMA cache_size = -N`). Default 32768 (32 MiB): the interior
   * pages of the random-access indexes of a few million messages fit many times over; leaves are random either
   * way and come from the OS page cache. 64 MiB measured no faster end to end and cost ~30 MiB of RSS against
   * the 300 MB budget of `srvv ingest` (docs/benchmarks.md, rerun of 2026-12-01).
   */
  cacheSizeKiB?: number;
  /** How long a writer waits for another process's write lock before failing, ms. Default 5000. */
  busyTimeoutMs?: number;

}
