import { sql, type Kysely } from 'kysely';
import { StoreError } from '../../errors.js';
import type { Db } from '../db-schema.js';
import type { RetentionReport } from '../message-store.js';
import type { IngestOutcome, PreparedBatch } from '../prepared-batch.js';
import { StoreAdapterBase } from '../store-adapter-base.js';
import { writePostgresBatch } from './postgres-ingest.js';
import { dropPartitionsBefore, PartitionCache } from './postgres-partitions.js';

// SQLSTATEs worth retrying the whole transaction for: deadlock detected, serialization failure.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;
// Connection-level failures (class 08), shutdown (57P), too many connections (53300), and pg/net errors.
const UNAVAILABLE = /^(08|57P|53300)/;

export class PostgresStoreAdapter extends StoreAdapterBase {
  readonly #schema: string | undefined;
  readonly #partitions = new PartitionCache();

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

  // Statements are sent per batch (a handful per batch, so planning cost is negligible); init only makes
  // sure this month's and the next months' partitions exist.
  override async init(db: Kysely<Db>): Promise<void> {
    await this.#partitions.load(db);
  }

  override async ingest(db: Kysely<Db>, batch: PreparedBatch): Promise<IngestOutcome[]> {
    // Before the transaction: creating a partition must not hold the parent's lock for a whole batch.
    await this.#partitions.ensure(db, batch.messages.map((m) => m.time));
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute((trx) => writePostgresBatch(trx, batch));
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
      }
    }
  }

  override async applyRetention(db: Kysely<Db>, boundary: number, dryRun: boolean): Promise<RetentionReport> {
    const drops = await dropPartitionsBefore(db, boundary, dryRun);
    this.#partitions.forget(drops.map((d) => d.month));
    if (!dryRun) {
      // The idempotency keys, thread lock rows and feed positions of the dropped months, in bounded batches
      // (BRIN on time).
      for (const table of ['message_hashes', 'threads', 'message_feed'] as const) {
        for (;;) {
          const r = await sql`
            DELETE FROM ${sql.table(table)} WHERE ctid = ANY (ARRAY(
              SELECT ctid FROM ${sql.table(table)} WHERE time < ${boundary} LIMIT 50000))`.execute(db);
          if (Number(r.numAffectedRows ?? 0) === 0) break;
        }
      }
    }
    const estimates = drops.flatMap((d) => d.partitions.filter((p) => p.table === 'messages').map((p) => p.estimatedRows));
    return {
      backend: 'postgres',
      dryRun,
      boundary,
      months: drops.map((d) => d.label),
      partitions: drops.flatMap((d) => d.partitions.map((p) => p.name)),
      messages: estimates.some((n) => n < 0) ? null : estimates.reduce((a, b) => a + b, 0),
    };
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
