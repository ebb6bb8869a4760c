import { basename } from 'node:path';
import { sql } from 'kysely';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { createStoreDialect } from '../../src/store/open-store.js';
import type { StoreBackend } from '../../src/store/message-store.js';
import { GENESIS_HASH } from '../../src/audit/access-audit.js';

/**
 * The one list of backends every store spec loops over. In-memory SQLite always runs; PostgreSQL when
 * `STORE_BACKENDS` lists it (default `sqlite,postgres`). scripts/run-tests.mjs creates a fresh database
 * per run and passes it in `SRVV_TEST_PG_URL`. Without that URL the PostgreSQL specs fail when `CI` is set
 * and are skipped, saying why, otherwise.
 */
export interface TestBackend {
  name: StoreBackend;
  /** Why the backend's specs are skipped, if they are. */
  skip?: string;
  /** Opens a migrated store. Each test file gets its own PostgreSQL schema (files run in parallel). */
  open(): Promise<KyselyMessageStore>;
  /** Deletes every row (messages and reference data) so the next test starts empty. */
  clear(store: KyselyMessageStore): Promise<void>;
  /** Empties what `open` created and closes the store (PostgreSQL schemas are dropped with the database at the end of the run). */
  destroy(store: KyselyMessageStore): Promise<void>;
}

// SQLite finds duplicates through the thread index (no message_hashes table); see sqlite-ingest.ts.
const SQLITE_TABLES = [
  'webhook_deliveries', 'subscriptions', 'message_devices', 'messages', 'xml_chunks', 'message_feed',
  'sessions', 'api_tokens', 'accounts', 'certificates', 'registrations', 'device_links', 'devices', 'party_user_ids', 'parties',
] as const;

const sqlite: TestBackend = {
  name: 'sqlite',
  open: async () => KyselyMessageStore.open(await createStoreDialect('sqlite::memory:')),
  clear: async (store) => {
    for (const t of SQLITE_TABLES) await store.db.deleteFrom(t).execute();
    await resetFeedHead(store);
    await resetAccessAudit(store);
  },
  destroy: (store) => store.close(),
};

function postgres(): TestBackend {
  const url = process.env.SRVV_TEST_PG_URL;
  // One schema per test file: files run in parallel processes against the same database.
  const file = basename(process.argv[1] ?? 'spec').replace(/\.test\.ts$/, '').replace(/\W/g, '_').slice(0, 40);
  const schema = `store_${file}_${process.pid}`;
  const base = {
    name: 'postgres' as const,
    clear: async (store: KyselyMessageStore) => {
      // Ids continue (as in production): chunk ids are never reused, so cached decoded chunks stay valid.
      await sql`TRUNCATE webhook_deliveries, subscriptions, message_devices, message_hashes, messages, xml_chunks, threads, message_feed,
        sessions, api_tokens, accounts, certificates, registrations, device_links, devices, party_user_ids, parties`.execute(store.db);
      await resetFeedHead(store);
      await resetAccessAudit(store);
    },
    destroy: async (store: KyselyMessageStore) => {
      // Emptied, not dropped: dropping a schema while other files open stores races Kysely's migrator, whose
      // table introspection reads every schema of the database and fails on one dropped under it. The whole
      // database is dropped at the end of the run (scripts/run-tests.mjs).
      await base.clear(store);
      await store.close();
    },
  };
  if (!url) {
    if (process.env.CI) {
      return { ...base, open: () => Promise.reject(new Error('STORE_BACKENDS lists postgres but SRVV_TEST_PG_URL is not set (CI)')) };
    }
    const skip = 'SRVV_TEST_PG_URL is not set (run through scripts/run-tests.mjs with PostgreSQL reachable)';
    console.log(`# skipping the PostgreSQL store specs: ${skip}`);
    return { ...base, skip, open: () => Promise.reject(new Error(skip)) };
  }
  return { ...base, open: async () => KyselyMessageStore.open(await createStoreDialect(url, { schema, poolSize: 4 })), url, schema } as TestBackend;
}

const listed = (process.env.STORE_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim());
export const BACKENDS: readonly TestBackend[] = [sqlite, ...(listed.includes('postgres') ? [postgres()] : [])];

/** The PostgreSQL URL and this file's schema, for specs that open a second store (concurrency). */
export function postgresTarget(): { url: string; schema: string } | undefined {
  const b = BACKENDS.find((x) => x.name === 'postgres') as (TestBackend & { url?: string; schema?: string }) | undefined;
  return b?.url && b.schema ? { url: b.url, schema: b.schema } : undefined;
}

/**
 * Runs `fn` with the access audit's append-only triggers off, as someone with DDL rights could: tamper specs
 * use it, and so does clearing between tests. PostgreSQL disables them; SQLite cannot, so they are dropped
 * and recreated from their stored SQL.
 */
export async function withAuditTriggersOff<T>(store: KyselyMessageStore, fn: () => Promise<T>): Promise<T> {
  if (store.backend === 'postgres') {
    await sql`ALTER TABLE access_audit DISABLE TRIGGER USER`.execute(store.db);
    await sql`ALTER TABLE access_audit_head DISABLE TRIGGER USER`.execute(store.db);
    try {
      return await fn();
    } finally {
      await sql`ALTER TABLE access_audit ENABLE TRIGGER USER`.execute(store.db);
      await sql`ALTER TABLE access_audit_head ENABLE TRIGGER USER`.execute(store.db);
    }
  }
  const { rows: triggers } = await sql<{ name: string; sql: string }>`
    SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('access_audit', 'access_audit_head')`.execute(store.db);
  for (const t of triggers) await sql.raw(`DROP TRIGGER "${t.name}"`).execute(store.db);
  try {
    return await fn();
  } finally {
    for (const t of triggers) await sql.raw(t.sql).execute(store.db);
  }
}

/** Empties the access audit and resets its head to the genesis (only when needed: it takes DDL). */
/** With the feed emptied, its positions start again from 0, so a spec sees its first message at position 1. */
async function resetFeedHead(store: KyselyMessageStore): Promise<void> {
  await store.db.updateTable('message_feed_head').set({ seq: 0 }).execute();
}

async function resetAccessAudit(store: KyselyMessageStore): Promise<void> {
  const head = await store.db.selectFrom('access_audit_head').selectAll().execute();
  const entry = await store.db.selectFrom('access_audit').select('seq').limit(1).executeTakeFirst();
  if (!entry && head.length === 1 && Number(head[0]!.seq) === 0 && head[0]!.hash === GENESIS_HASH) return;
  await withAuditTriggersOff(store, async () => {
    await store.db.deleteFrom('access_audit').execute();
    await store.db.deleteFrom('access_audit_head').execute();
    await store.db.insertInto('access_audit_head').values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();
  });
}
