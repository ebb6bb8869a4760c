import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { MAX_PREPARED, prepareReadsOn } from '../../src/store/postgres/prepared-reads.js';
import { BACKENDS } from './backends.js';
import * as f from './fixtures.js';

/** A stand-in for a pg client that records what `query` was given. */
function recordingClient() {
  const calls: unknown[][] = [];
  const client = { query: (...args: unknown[]) => (calls.push(args), Promise.resolve({ rows: [] })) };
  prepareReadsOn(client);
  return { client, calls };
}

describe('prepared reads (PostgreSQL)', () => {
  it('names SELECT and read-only WITH statements by their text, and sends everything else as it came', async () => {
    const { client, calls } = recordingClient();
    await client.query('select * from messages where id = $1', [1]);
    await client.query('select * from messages where id = $1', [2]);
    await client.query('WITH x AS (SELECT 1) SELECT * FROM x WHERE $1', [true]);
    await client.query('WITH head AS (UPDATE message_feed_head SET seq = seq + $1 RETURNING seq) INSERT INTO message_feed SELECT 1', [1]);
    await client.query('insert into threads values ($1)', [1]);
    await client.query('begin', []);
    await client.query('select 1');
    const [first, second, withRead, withWrite, insert, begin, noValues] = calls;
    const a = first![0] as { name: string; text: string; values: unknown[] };
    const b = second![0] as { name: string; values: unknown[] };
    assert.match(a.name, /^srvv_[0-9a-f]{24}$/);
    assert.equal(a.name, b.name, 'the same text, the same statement');
    assert.deepEqual(b.values, [2]);
    assert.equal(typeof (withRead![0] as { name?: string }).name, 'string');
    for (const plain of [withWrite, insert, begin, noValues]) assert.equal(typeof plain![0], 'string', String(plain![0]));
  });

  it(`prepares at most ${MAX_PREPARED} distinct texts per connection, then runs the rest unnamed`, async () => {
    const { client, calls } = recordingClient();
    for (let i = 0; i < MAX_PREPARED + 10; i++) await client.query(`select ${i} where $1`, [true]);
    assert.equal(calls.filter((c) => typeof c[0] === 'object').length, MAX_PREPARED);
    assert.equal(calls.filter((c) => typeof c[0] === 'string').length, 10);
    // A text prepared earlier keeps its name after the cap.
    await client.query('select 0 where $1', [true]);
    assert.equal(typeof calls.at(-1)![0], 'object');
  });

  for (const backend of BACKENDS.filter((b) => b.name === 'postgres')) {
    it('gives the same answers through a real connection, before and after a month partition is dropped', { skip: backend.skip }, async () => {
      const store = await backend.open();
      try {
        const rid = f.reqId(f.SUPPLIER, f.ESME, 77);
        await store.ingest(f.batchOf([{ message: f.request(rid, '4.1.1'), receivedAt: Date.parse('2024-01-10T00:00:00Z') }]));
        await store.ingest(f.batchOf([{ message: f.acknowledgement(rid), receivedAt: Date.parse('2026-01-10T00:00:00Z') }]));
        const list = async () => (await store.listMessages({ deviceId: f.ESME, limit: 10 })).items.map((m) => m.kind);
        for (let i = 0; i < 8; i++) assert.deepEqual(await list(), ['acknowledgement', 'request']); // past PostgreSQL's 5 custom plans
        await sql.raw('DROP TABLE messages_p202401, message_devices_p202401, xml_chunks_p202401').execute(store.db);
        assert.deepEqual(await list(), ['acknowledgement']);
      } finally {
        await backend.destroy(store);
      }
    });
  }
});
