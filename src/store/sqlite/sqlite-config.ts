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
   * SQLite page cache per connection, KiB (`PRAGMA cache_size = -N`). Default 65536 (64 MiB): enough for the
   * hot pages of the three random-access indexes of a few million messages, well inside a 300 MB RSS budget.
   */
  cacheSizeKiB?: number;
  /** How long a writer waits for another process's write lock before failing, ms. Default 5000. */
  busyTimeoutMs?: number;

}
