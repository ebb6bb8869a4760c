import type { PostgresPool } from 'kysely';

/** The parts of a `pg.Pool` the store uses: exactly what Kysely's `PostgresDialect` needs (connect, end). */
export type PostgresStorePool = PostgresPool;

export interface PostgresStoreConfig {
  /** A pg pool, or a factory for one (called once, on first use). */
  pool: PostgresStorePool | (() => Promise<PostgresStorePool>);
  /**
   * Schema to create, if missing, before migrating. The pool's connections must already use it as their
   * `search_path` (pg option `options: '-c search_path=...'`); unset: the server's default (`public`).
   */
  schema?: string;
}

/** Schema names we accept: plain identifiers, so they can be used unquoted in `search_path`. */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
