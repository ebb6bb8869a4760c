import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { StoreBackend } from '../message-store.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-reference-data.js';
import * as m0003 from './0003-accounts.js';
import * as m0004 from './0004-sessions.js';
import * as m0005 from './0005-access-audit.js';
import * as m0006 from './0006-time-partitions.js';
import * as m0007 from './0007-message-feed.js';
import * as m0008 from './0008-subscriptions.js';
import * as m0009 from './0009-thread-key-locality.js';

/** A migration step with dialect-specific DDL: it is told which backend it runs on. */
interface StoreMigration {
  up(db: Kysely<unknown>, backend: StoreBackend): Promise<void>;
  down?(db: Kysely<unknown>, backend: StoreBackend): Promise<void>;
}

/** Every step, in order. Names are persisted in `kysely_migration`: never rename, only append. */
const STEPS: Record<string, StoreMigration> = {
  '0001-initial': m0001,
  '0002-reference-data': m0002,
  '0003-accounts': m0003,
  '0004-sessions': m0004,
  '0005-access-audit': m0005,
  '0006-time-partitions': m0006,
  '0007-message-feed': m0007,
  '0008-subscriptions': m0008,
  '0009-thread-key-locality': m0009,
};

/** Statically imported steps (no directory scan: works the same from src/ through tsx and from dist/). */
export class StoreMigrationProvider implements MigrationProvider {
  readonly #backend: StoreBackend;

  constructor(backend: StoreBackend) {
    this.#backend = backend;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const backend = this.#backend;
    return Object.fromEntries(
      Object.entries(STEPS).map(([name, step]) => {
        const down = step.down;
        return [name, { up: (db) => step.up(db, backend), ...(down ? { down: (db) => down(db, backend) } : {}) }];
      }),
    );
  }
}

/**
 * PostgreSQL errors that a concurrent `DROP` elsewhere in the database can cause while Kysely's migrator lists
 * every table to find its own (undefined_table, invalid_schema_name): `srvv retention apply` dropping a month's
 * partitions while another process starts. Worth another try; a real missing table fails again.
 */
const CATALOG_RACE = new Set(['42P01', '3F000']);
const MIGRATION_ATTEMPTS = 5;

/** Runs every pending migration; throws the first failure. */
export async function migrateStore(db: Kysely<any>, backend: StoreBackend, migrationSchema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StoreMigrationProvider(backend),
    ...(migrationSchema !== undefined ? { migrationTableSchema: migrationSchema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (!error) return;
    const code = (error as { code?: unknown } | null)?.code;
    const race = backend === 'postgres' && typeof code === 'string' && CATALOG_RACE.has(code);
    if (!race || attempt >= MIGRATION_ATTEMPTS) throw error;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}
