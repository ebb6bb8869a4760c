import type { Kysely } from 'kysely';
import type { StoreError } from '../errors.js';
import type { Db } from './db-schema.js';
import type { RetentionReport, StoreBackend } from './message-store.js';
import type { IngestOutcome, PreparedBatch } from './prepared-batch.js';

/**
 * What differs between backends beyond SQL syntax Kysely already handles: capability flags and the bulk
 * write path. Everything else (reads, stats, migrations driver) is written once against `Kysely<Db>`.
 * Extend `StoreAdapterBase` so a new capability is one getter with a default.
 */
export interface StoreAdapter {
  readonly backend: StoreBackend;

  /**
   * Whether several processes may ingest into one database at the same time and make progress in parallel.
   * PostgreSQL: true (dedupe by unique constraint, per-thread row locks). SQLite: false, the database
   * serialises writers (`BEGIN IMMEDIATE`, waiting up to the busy timeout). Default false.
   */
  readonly supportsConcurrentIngest: boolean;

  /**
   * Whether `ingest` blocks the event loop while it writes (better-sqlite3 is synchronous). Callers that
   * serve HTTP while ingesting should keep batches moderate. Default false.
   */
  readonly ingestBlocksEventLoop: boolean;

  /**
   * Schema holding Kysely's migration tables; `undefined` lets the connection decide. PostgreSQL sets it to the
   * configured schema: Kysely looks for its tables in every schema otherwise, and would skip creating them in
   * ours when another schema of the database already has them. Default undefined.
   */
  readonly migrationSchema: string | undefined;

  /** Runs once before migrations (e.g. creates the PostgreSQL schema). Default: nothing. */
  beforeMigrations(db: Kysely<Db>): Promise<void>;

  /** Runs once after migrations, before any ingest (e.g. prepares statements). Default: nothing. */
  init(db: Kysely<Db>): Promise<void>;

  /** Writes a batch in one transaction; see `MessageStore.ingest` for the contract. */
  ingest(db: Kysely<Db>, batch: PreparedBatch): Promise<IngestOutcome[]>;

  /**
   * Removes every message with t(M) before `boundary` (the first instant of a month) and what only they
   * needed: their device index rows, XML chunks and idempotency keys. Dry run: reports without removing.
   */
  applyRetention(db: Kysely<Db>, boundary: number, dryRun: boolean): Promise<RetentionReport>;

  /** Turns whatever the driver threw into a `StoreError` (`action` says what was being done). */
  translateError(error: unknown, action: string): StoreError;
}
