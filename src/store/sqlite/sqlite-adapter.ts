import type { Kysely } from 'kysely';
import { StoreError } from '../../errors.js';
import type { Db } from '../db-schema.js';
import type { RetentionReport } from '../message-store.js';
import { monthLabel, monthsOf } from '../time-partitions.js';
import type { IngestOutcome, PreparedBatch } from '../prepared-batch.js';
import { StoreAdapterBase } from '../store-adapter-base.js';
import type { SqliteStoreDatabase } from './sqlite-config.js';
import { SqliteIngestWriter } from './sqlite-ingest.js';

// Result codes meaning "try again later / elsewhere" rather than a broken store.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|READONLY|PROTOCOL)/;

export class SqliteStoreAdapter extends StoreAdapterBase {
  readonly #getDatabase: () => Promise<SqliteStoreDatabase>;
  #writer: SqliteIngestWriter | undefined;

  constructor(getDatabase: () => Promise<SqliteStoreDatabase>) {
    super();
    this.#getDatabase = getDatabase;
  }

  override get backend(): 'sqlite' {
    return 'sqlite';
  }

  // supportsConcurrentIngest stays false: SQLite has one writer at a time; other processes wait on the lock.

  override get ingestBlocksEventLoop(): boolean {
    return true;
  }

  // beforeMigrations does nothing: the file (or memory database) is the whole namespace; no schema to create.

  override async init(_db: Kysely<Db>): Promise<void> {
    // Statements can only be prepared once the tables exist, i.e. after migrations.
    this.#writer = new SqliteIngestWriter(await this.#getDatabase());
  }

  override async ingest(db: Kysely<Db>, batch: PreparedBatch): Promise<IngestOutcome[]> {
    const writer = this.#writer;
    if (!writer) throw new StoreError('STORE_UNAVAILABLE', 'store is not initialised');
    // Hold Kysely's single connection (its mutex) while writing, so the batch never lands inside a
    // transaction Kysely has open on the same connection. The write itself is synchronous.
    return db.connection().execute(async () => writer.write(batch));
  }

  override async applyRetention(db: Kysely<Db>, boundary: number, dryRun: boolean): Promise<RetentionReport> {
    // Deleting rows is the only way on SQLite; at trial sizes one transaction is fine. The rows' hashes go
    // with them (duplicates are found through the messages themselves).
    const months = await db.transaction().execute(async (trx) => {
      const times = await trx.selectFrom('messages').select('time').distinct().where('time', '<', boundary).execute();
      const count = await trx.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('time', '<', boundary).executeTakeFirstOrThrow();
      if (!dryRun) {
        await trx.deleteFrom('message_devices').where('time', '<', boundary).execute();
        await trx.deleteFrom('messages').where('time', '<', boundary).execute();
        await trx.deleteFrom('xml_chunks').where('time', '<', boundary).execute();
        await trx.deleteFrom('message_feed').where('time', '<', boundary).execute();
      }
      return { labels: monthsOf(times.map((t) => Number(t.time))).map(monthLabel), messages: Number(count.n) };
    });
    return { backend: 'sqlite', dryRun, boundary, months: months.labels, partitions: [], messages: months.messages };
  }

  override translateError(error: unknown, action: string): StoreError {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && UNAVAILABLE.test(code)) {
      return new StoreError('STORE_UNAVAILABLE', `${action}: ${(error as Error).message}`, { cause: error });
    }
    if (error instanceof TypeError && /database connection is not open/.test(error.message)) {
      return new StoreError('STORE_UNAVAILABLE', `${action}: database is closed`, { cause: error });
    }
    return super.translateError(error, action);
  }
}
