import { SqliteDialect, type Dialect } from 'kysely';
import type { StoreAdapter } from '../store-adapter.js';
import type { StoreDialect } from '../store-dialect.js';
import { SqliteStoreAdapter } from './sqlite-adapter.js';
import type { SqliteStoreConfig, SqliteStoreDatabase } from './sqlite-config.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { withStatementCache } from './statement-cache.js';

/** SQLite through better-sqlite3: one connection shared by Kysely (reads) and the adapter (bulk writes). */
export class SqliteStoreDialect implements StoreDialect {
  readonly backend = 'sqlite' as const;
  readonly #config: Readonly<SqliteStoreConfig>;
  #database: Promise<SqliteStoreDatabase> | undefined;

  constructor(config: SqliteStoreConfig) {
    this.#config = Object.freeze({ ...config });
  }

  createKyselyDialect(): Dialect {
    return new SqliteDialect({ database: async () => withStatementCache(await this.#getDatabase()) });
  }

  createAdapter(): StoreAdapter {
    return new SqliteStoreAdapter(() => this.#getDatabase());
  }

  #getDatabase(): Promise<SqliteStoreDatabase> {
    this.#database ??= (async () => {
      const { database, cacheSizeKiB = 32768, busyTimeoutMs = 5000 } = this.#config;
      const db = typeof database === 'function' ? await database() : database;
      applySqlitePragmas(db, cacheSizeKiB, busyTimeoutMs);
      return db;
    })();
    return this.#database;
  }
}
