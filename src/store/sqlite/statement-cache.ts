import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared (the read queries of the store are a few dozen shapes). */
const CACHE_SIZE = 256;

/**
 * The database as Kysely's SqliteDialect sees it, with prepared statements reused per SQL text. Kysely prepares
 * every query it runs, and better-sqlite3 compiles on every `prepare`: for the short reads of the visibility
 * engine (a few index probes each) compiling was a large share of the cost (benchmarks.md). Safe because
 * Kysely's SQLite driver runs one query at a time on its single connection and never streams through a
 * statement while running another. Least recently used texts are dropped past {@link CACHE_SIZE}.
 */
export function withStatementCache(db: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      return db.close();
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-inserted below: most recently used last
      } else {
        statement = db.prepare(sql);
        if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
