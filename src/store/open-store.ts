import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KyselyMessageStore } from './kysely-message-store.js';
import type { MessageStore } from './message-store.js';
import { PostgresStoreDialect } from './postgres/postgres-dialect.js';
import type { PostgresStorePool } from './postgres/postgres-config.js';
import { prepareReadsOn } from './postgres/prepared-reads.js';
import type { SqliteStoreDatabase } from './sqlite/sqlite-config.js';
import { SqliteStoreDialect } from './sqlite/sqlite-dialect.js';
import type { StoreDialect } from './store-dialect.js';

export interface OpenStoreOptions {
  /** Run pending migrations. Default true. */
  migrate?: boolean;
  /** SQLite page cache in KiB. Default 65536 (see sqlite-pragmas.ts). */
  sqliteCacheSizeKiB?: number;
  /** PostgreSQL: schema used as `search_path` (created if missing). Default: the server's (`public`). */
  schema?: string;
  /** PostgreSQL: pool size. Default 4. */
  poolSize?: number;
}

/**
 * Opens (creating and migrating as needed) the store at `url`:
 * - `sqlite:<path>` (relative to the working directory; the parent directory is created), `sqlite::memory:`;
 * - `postgres://...` or `postgresql://...` (any libpq-style URL pg accepts).
 * A malformed URL throws a plain `Error`; a database that cannot be reached throws `StoreError`.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<MessageStore> {
  const dialect = await createStoreDialect(url, options);
  return KyselyMessageStore.open(dialect, { migrate: options.migrate ?? true });
}

/** Builds the dialect for a store URL; the drivers are loaded only for the backend in use. */
export async function createStoreDialect(url: string, options: OpenStoreOptions = {}): Promise<StoreDialect> {
  if (typeof url !== 'string' || url.length === 0) throw new Error('store URL is empty: use sqlite:<path> or postgres://...');
  if (url.startsWith('sqlite:')) {
    const target = url.slice('sqlite:'.length);
    if (target === '') throw new Error(`store URL ${JSON.stringify(url)} names no file: use sqlite:<path> or sqlite::memory:`);
    const memory = target === ':memory:';
    const path = memory ? ':memory:' : resolve(target);
    return new SqliteStoreDialect({
      database: async () => {
        if (!memory) mkdirSync(dirname(path), { recursive: true });
        const { default: Database } = await import('better-sqlite3');
        return new Database(path) as unknown as SqliteStoreDatabase;
      },
      ...(options.sqliteCacheSizeKiB !== undefined ? { cacheSizeKiB: options.sqliteCacheSizeKiB } : {}),
    });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new Error(`store URL is not a valid PostgreSQL URL: ${redact(url)}`);
    }
    const { schema, poolSize = 4 } = options;
    const dialect = new PostgresStoreDialect({
      pool: async () => {
        const { default: pg } = await import('pg');
        const pool = new pg.Pool({
          connectionString: url,
          max: poolSize,
          ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
        });
        // A connection that dies (server restart, network cut) emits 'error' on its client, and on the pool
        // while idle. Unhandled, that event would crash the process; the query in flight on it rejects anyway
        // (and becomes STORE_UNAVAILABLE), and the pool replaces the dead connection on the next checkout.
        pool.on('error', () => {});
        pool.on('connect', (client) => {
          client.on('error', () => {});
          prepareReadsOn(client);
        });
        return pool as unknown as PostgresStorePool;
      },
      ...(schema !== undefined ? { schema } : {}),
    });
    return dialect;
  }
  throw new Error(`unsupported store URL ${JSON.stringify(redact(url))}: use sqlite:<path>, sqlite::memory: or postgres://...`);
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
