import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { formatRequestId, formatResponseId } from '../../src/duis/duis-message.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { migrateStore } from '../../src/store/migrations/store-migrations.js';
import { threadKeyOf } from '../../src/threads/thread-key.js';
import { BACKENDS, postgresTarget } from './backends.js';
import * as f from './fixtures.js';

/*
 * Migration 0009 recomputes every stored thread key with the current threadKeyOf. A store whose keys were
 * written by another layout (here: every key shifted, as the hash layout before 0009 left them) must, after
 * the migration, find its threads, link late answers to stored requests and recognise re-delivered alerts.
 */
const RID = f.reqId(f.SUPPLIER, f.ESME, 5000);
const OTHER = f.reqId(f.SUPPLIER, f.GSME, 5001);
const ALERT_ID = { responder: f.ESME, recipient: f.SUPPLIER, counter: '77' };
const ALERT = f.deviceAlert(null, ALERT_ID, '8F66', f.at(9000));

for (const backend of BACKENDS) {
  describe(`migration 0009: thread keys (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    after(() => backend.destroy(store));

    it('recomputes every key, so threads, links and dedupe work on data stored before it', async () => {
      await store.ingest(
        f.batchOf([
          { message: f.request(RID, '4.1.1', { bodyDevices: [f.CHF] }), receivedAt: f.T0 },
          { message: f.acknowledgement(RID), receivedAt: f.T0 + 100 },
          { message: f.request(OTHER, '4.1.1'), receivedAt: f.T0 + 200 },
          { message: ALERT, receivedAt: f.T0 + 9000 },
        ]),
      );
      // Keys of another layout, and (PostgreSQL) thread lock rows to match; then the migration is pending again.
      await sql`UPDATE messages SET thread_key = thread_key + 12345`.execute(store.db);
      if (backend.name === 'postgres') await sql`UPDATE threads SET thread_key = thread_key + 12345`.execute(store.db);
      await sql`DELETE FROM kysely_migration WHERE name = '0009-thread-key-locality'`.execute(store.db);
      await migrateStore(store.db, backend.name, backend.name === 'postgres' ? postgresTarget()?.schema : undefined);

      const rows = await store.db.selectFrom('messages').select(['request_id', 'response_id', 'thread_key']).execute();
      assert.equal(rows.length, 4);
      for (const r of rows) {
        const expected = r.request_id !== null
          ? threadKeyOf(r.request_id)
          : backend.name === 'postgres' ? null : threadKeyOf(r.response_id!);
        assert.equal(r.thread_key === null ? null : Number(r.thread_key), expected, `${r.request_id ?? r.response_id}`);
      }
      if (backend.name === 'postgres') {
        const { rows: locks } = await sql<{ thread_key: string }>`SELECT thread_key FROM threads ORDER BY thread_key`.execute(store.db);
        const expected = [RID, OTHER].map((id) => threadKeyOf(formatRequestId(id))).sort((a, b) => a - b);
        assert.deepEqual(locks.map((l) => Number(l.thread_key)), expected);
      }

      assert.equal((await store.getThread(formatRequestId(RID)))?.status, 'acknowledged');
      // A response arriving now links to the request stored before the migration (its S(M) gains CHF) ...
      const [late] = await store.ingest(f.batchOf([{
        message: f.response(RID, { responder: f.ESME, recipient: f.SUPPLIER, counter: '1' }, { at: f.at(4000), responderIsDevice: false }),
        receivedAt: f.T0 + 4000,
      }]));
      assert.deepEqual((await store.getMessage(late!.id))?.deviceIds.sort(), [f.ESME, f.CHF].sort());
      assert.equal((await store.getThread(formatRequestId(RID)))?.status, 'responded-success');
      // ... and the alert delivered again is recognised as the stored one.
      const [again] = await store.ingest(f.batchOf([{ message: ALERT, receivedAt: f.T0 + 9999 }]));
      assert.equal(again?.duplicate, true);
      const alerts = await store.db.selectFrom('messages').select('id').where('response_id', '=', formatResponseId(ALERT_ID)).execute();
      assert.equal(alerts.length, 1);
      // The thread index is back.
      const index = backend.name === 'postgres'
        ? await sql`SELECT 1 FROM pg_indexes WHERE indexname = 'messages_thread' AND schemaname = current_schema()`.execute(store.db)
        : await sql`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'messages_thread'`.execute(store.db);
      assert.equal(index.rows.length, 1);
    });
  });
}
