import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createDatabase,
  deleteStream,
  jetstreamSkipReason,
  NATS_URL,
  openNats,
  publishAll,
  startConsume,
  storedCount,
  storedKeys,
  summaryOf,
  uniqueNames,
  waitFor,
  type Nats,
} from './jetstream-env.js';
import { emptyExpectation, mixedFeed } from './mixed-feed.js';

const skip = await jetstreamSkipReason();

describe('srvv consume processes sharing a durable, and stopping', { skip }, () => {
  let nats: Nats;
  const cleanup: Array<() => Promise<unknown>> = [];
  before(async () => {
    nats = await openNats();
  });
  after(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    await nats?.nc.close();
  });

  async function setUp(tag: string, count: number) {
    const names = uniqueNames(tag);
    const db = await createDatabase(tag);
    cleanup.push(() => db.drop(), () => deleteStream(nats.jsm, names.stream));
    await nats.jsm.streams.add({ name: names.stream, subjects: [`${names.subject}.>`] });
    const expect = emptyExpectation();
    await publishAll(nats.js, `${names.subject}.capture`, mixedFeed(count, expect, { seed: count, invalidEvery: 5000 }));
    const args = ['--nats', NATS_URL, '--stream', names.stream, '--durable', names.durable, '--db', db.url, '--json'];
    return { names, db, expect, args };
  }

  it('two processes on one durable both make progress, and together store each message once', { timeout: 120_000 }, async () => {
    const { names, db, expect, args } = await setUp('shared', 20_000);
    const both = [startConsume([...args, '--batch', '200', '--idle-exit', '4']), startConsume([...args, '--batch', '200', '--idle-exit', '4'])];
    for (const p of both) assert.equal(await p.exited, 0, p.stderr().slice(-2000));
    const [a, b] = both.map(summaryOf);
    assert.ok(a!.ingested > 0 && b!.ingested > 0, `both stored some: ${a!.ingested} and ${b!.ingested}`);
    assert.equal(a!.ingested + b!.ingested, expect.keys.size, 'each distinct message stored by exactly one of them');
    const stored = await storedKeys(db);
    assert.equal(stored.messages, expect.keys.size);
    assert.deepEqual(new Set(stored.keys), expect.keys);
    const info = await nats.jsm.consumers.info(names.stream, names.durable);
    assert.equal(info.num_pending + info.num_ack_pending, 0);
  });

  it('exits 0 on SIGTERM after storing and acking the batches in flight; a restart stores the rest once', { timeout: 120_000 }, async () => {
    const { names, db, expect, args } = await setUp('sigterm', 30_000);
    const first = startConsume(args);
    await waitFor('some messages stored', async () => (await storedCount(db)) >= 3000, 60_000, 50);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr().slice(-2000));
    const stopped = summaryOf(first);
    const atStop = await storedCount(db);
    assert.ok(atStop < expect.keys.size, `stopped mid-stream (${atStop} of ${expect.keys.size})`);
    assert.equal(stopped.ingested, atStop, 'what it reports is what is committed');
    const info = await nats.jsm.consumers.info(names.stream, names.durable);
    assert.equal(info.num_ack_pending, 0, 'every message it took was acked (or terminated) before it exited');
    assert.equal(info.num_pending, expect.published - stopped.read, 'and nothing more was taken');

    const second = startConsume([...args, '--idle-exit', '3']);
    assert.equal(await second.exited, 0, second.stderr().slice(-2000));
    const rest = summaryOf(second);
    assert.equal(stopped.ingested + rest.ingested, expect.keys.size);
    assert.equal(rest.read + stopped.read, expect.published, 'no message was taken twice');
    const stored = await storedKeys(db);
    assert.equal(stored.messages, expect.keys.size);
    assert.deepEqual(new Set(stored.keys), expect.keys);
  });
});
