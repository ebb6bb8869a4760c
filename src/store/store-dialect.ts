import type { Dialect } from 'kysely';
import type { StoreBackend } from './message-store.js';
import type { StoreAdapter } from './store-adapter.js';

/**
 * A backend, as a factory only (like Kysely's `Dialect`): it builds the Kysely dialect the reads run on and
 * our {@link StoreAdapter}. Both share one underlying connection or pool, created lazily on first use.
 * Implementations: `SqliteStoreDialect`, `PostgresStoreDialect`.
 */
export interface StoreDialect {
  readonly backend: StoreBackend;
  createKyselyDialect(): Dialect;
  createAdapter(): StoreAdapter;
}
