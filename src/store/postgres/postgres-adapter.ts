import { sql, type Kysely } from 'kysely';
import { StoreError } from '../../errors.js';
import type { Db } from '../db-schema.js';
import type { IngestOutcome, PreparedBatch } from '../prepared-batch.js';
import { StoreAdapterBase } from '../store-adapter-base.js';
import { writePostgresBatch } from './postgres-ingest.js';

// SQLSTATEs worth retrying the whole transaction for: deadlock detected, serialization failure.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;
// Connection-level failures (class 08), shutdown (57P), too many connections (53300), and pg/net errors.
const UNAVAILABLE = /^(08|57P|53300)/;

export class PostgresStoreAdapter extends StoreAdapterBase {
  readonly #schema: string | undefined;

  constructor(schema: string | undefined) {
    super();
    this.#schema = schema;
  }

  override get backend(): 'postgres' {
    return 'postgres';
  }

  override get supportsConcurrentIngest(): boolean {
    return true;
  }

  override get migrationSchema(): string | undefined {
    return this.#schema;
  }

  override async beforeMigrations(db: Kysely<Db>): Promise<void> {
    // The name was validated against SCHEMA_NAME by the dialect, so it is safe to splice in.
    if (this.#schema !== undefined) await sql.raw(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`).execute(db);
  }

  // init does nothing: statements are sent per batch (a handful per batch, so planning cost is negligible).

  override async ingest(db: Kysely<Db>, batch: PreparedBatch): Promise<IngestOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute((trx) => writePostgresBatch(trx, batch));
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
      }
    }
  }

  override translateError(error: unknown, action: string): StoreError {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof code === 'string' && (UNAVAILABLE.test(code) || /^E(CONNREFUSED|CONNRESET|TIMEDOUT|NOTFOUND|PIPE)$/.test(code))) {
      return new StoreError('STORE_UNAVAILABLE', `${action}: ${message}`, { cause: error });
    }
    if (/Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end/.test(message)) {
      return new StoreError('STORE_UNAVAILABLE', `${action}: ${message}`, { cause: error });
    }
    return super.translateError(error, action);
  }
}
