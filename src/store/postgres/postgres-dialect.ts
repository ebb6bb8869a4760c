import { PostgresDialect, type Dialect } from 'kysely';
import type { StoreAdapter } from '../store-adapter.js';
import type { StoreDialect } from '../store-dialect.js';
import { PostgresStoreAdapter } from './postgres-adapter.js';
import { SCHEMA_NAME, type PostgresStoreConfig } from './postgres-config.js';

/** PostgreSQL through pg: one pool shared by Kysely (reads) and the adapter (bulk writes via Kysely `sql`). */
export class PostgresStoreDialect implements StoreDialect {
  readonly backend = 'postgres' as const;
  readonly #config: Readonly<PostgresStoreConfig>;

  constructor(config: PostgresStoreConfig) {
    if (config.schema !== undefined && !SCHEMA_NAME.test(config.schema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(config.schema)}: use letters, digits and _`);
    }
    this.#config = Object.freeze({ ...config });
  }

  createKyselyDialect(): Dialect {
    return new PostgresDialect({ pool: this.#config.pool });
  }

  createAdapter(): StoreAdapter {
    return new PostgresStoreAdapter(this.#config.schema);
  }
}
