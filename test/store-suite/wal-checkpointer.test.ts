import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { createStoreDialect } from '../../src/store/open-store.js';
import { SqliteStoreDialect } from '../../src/store/sqlite/sqlite-dialect.js';
import * as f from './fixtures.js';

/** Opens a file store with or without the background checkpointer. */
async function openFileStore(path: string, backgroundCheckpoints: boolean): Promise<KyselyMessageStore> {
  const { default: Database } = await import('better-sqlite3');
  const dialect = new SqliteStoreDialect({ database: async () => new Database(path) as never, backgroundCheckpoints });
  return KyselyMessageStore.open(dialect);
}

async function ingestSome(store: KyselyMessageStore): Promise<void> {
  for (let b = 0; b < 40; b++) {
    const inputs = Array.from({ length: 50 }, (_, i) => {
      const rid = f.reqId(f.SUPPLIER, f.ESME, b * 1000 + i);
      return { message: f.request(rid, '4.1.1'), receivedAt: f.T0 + b * 1000 + i };
    });
    await store.ingest(f.batchOf(inputs));
  }
}

describe('background WAL checkpoints (sqlite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srvv-wal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('moves committed pages into the database file without the writer checkpointing, and stops with the store', async () => {
    const sizes: Record<string, number> = {};
    for (const background of [false, true]) {
      const path = join(dir, `${background}.db`);
      const store = await openFileStore(path, background);
      const empty = statSync(path).size;
      await ingestSome(store);
      // The writer checkpoints only every 65,536 pages (sqlite-pragmas.ts); the worker looks every 250 ms.
      await new Promise((r) => setTimeout(r, 1000));
      sizes[String(background)] = statSync(path).size - empty;
      assert.equal((await store.listMessages({ limit: 1 })).items.length, 1);
      await store.close();
    }
    assert.equal(sizes.false, 0, 'without the checkpointer every page is still in the WAL');
    assert.ok(sizes.true! > 100_000, `with it the database file grew by ${sizes.true} bytes`);
  });

  it('stores that only read, or live in memory, open and close cleanly', async () => {
    const path = join(dir, 'read.db');
    const writer = await KyselyMessageStore.open(await createStoreDialect(`sqlite:${path}`));
    await writer.close();
    const reader = await KyselyMessageStore.open(await createStoreDialect(`sqlite:${path}`));
    assert.equal((await reader.listMessages({ limit: 1 })).items.length, 0);
    await reader.close();
    const memory = await KyselyMessageStore.open(await createStoreDialect('sqlite::memory:'));
    await ingestSome(memory);
    await memory.close();
  });
});
