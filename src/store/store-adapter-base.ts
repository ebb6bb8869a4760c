import type { Kysely } from 'kysely';
import { StoreError, isSrvvError } from '../errors.js';
import type { Db } from './db-schema.js';
import type { RetentionReport, StoreBackend } from './message-store.js';
import type { IngestOutcome, PreparedBatch } from './prepared-batch.js';
import type { StoreAdapter } from './store-adapter.js';

/** Defaults for {@link StoreAdapter}: adding a capability means adding one getter here. */
export abstract class StoreAdapterBase implements StoreAdapter {
  abstract get backend(): StoreBackend;

  get supportsConcurrentIngest(): boolean {
    return false;
  }

  get ingestBlocksEventLoop(): boolean {
    return false;
  }

  get migrationSchema(): string | undefined {
    return undefined;
  }

  async beforeMigrations(_db: Kysely<Db>): Promise<void> {}

  async init(_db: Kysely<Db>): Promise<void> {}

  abstract ingest(db: Kysely<Db>, batch: PreparedBatch): Promise<IngestOutcome[]>;

  abstract applyRetention(db: Kysely<Db>, boundary: number, dryRun: boolean): Promise<RetentionReport>;

  /** Our own errors pass through; anything else becomes `STORE_FAILED` with the driver error as `cause`. */
  translateError(error: unknown, action: string): StoreError {
    if (error instanceof StoreError) return error;
    if (isSrvvError(error)) return new StoreError('STORE_FAILED', `${action}: ${error.message}`, { cause: error });
    const message = error instanceof Error ? error.message : String(error);
    return new StoreError('STORE_FAILED', `${action}: ${message}`, { cause: error });
  }
}
