import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  jetstreamSkipReason,
  logLines,
  NATS_URL,
  publishAll,
  startConsume,
  storedCount,
  storedKeys,
  summaryOf,
  useJetstreamSpec,
  waitFor,
} from './jetstream-env.js';
import { emptyExpectation, mixedFeed } from './mixed-feed.js';

const skip = await jetstreamSkipReason();

describe('srvv consume survives a crash', { skip }, () => {
  const spec = useJetstreamSpec('crash');

  it('stores every valid message of 100,000 exactly once across a SIGKILL and a restart', { timeout: 180_000 }, async () => {
    const { nats, db, names } = spec;
    const started = Date.now();
    await nats.jsm.streams.add({ name: names.stream, subjects: [`${names.subject}.>`] });
    const expect = emptyExpectation();
    const seqs = await publishAll(nats.js, `${names.subject}.capture`, mixedFeed(100_000, expect));
    assert.equal(seqs.length, expect.published);
    const invalid = [...expect.invalid.values()].reduce((a, b) => a + b, 0);
    assert.ok(invalid >= 8, `${invalid} invalid messages published`);
    assert.ok(expect.published - invalid - expect.keys.size > 150, 'the feed carries duplicates');
    const published = Date.now();

    // A short ack wait so the killed process's un-acked batches come back quickly; idle exit longer than it.
    const args = ['--nats', NATS_URL, '--stream', names.stream, '--durable', names.durable, '--db', db.url, '--ack-wait', '5', '--idle-exit', '8', '--json'];
    const first = startConsume(args);
    console.log(`# published ${expect.published} in ${published - started} ms`);
    await waitFor('some messages stored', async () => (await storedCount(db)) >= 15_000, 90_000, 100);
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    const atKill = await storedCount(db);
    console.log(`# killed at ${atKill} stored after ${Date.now() - published} ms`);
    assert.ok(atKill < expect.keys.size, `killed after ${atKill} of ${expect.keys.size}: mid-stream`);

    const second = startConsume(args);
    assert.equal(await second.exited, 0, second.stderr().slice(-3000));
    const summary = summaryOf(second);

    const stored = await storedKeys(db);
    assert.equal(stored.messages, expect.keys.size, 'one row per distinct valid message');
    assert.equal(stored.keys.length, expect.keys.size);
    assert.deepEqual(new Set(stored.keys), expect.keys, 'exactly the published documents');
    assert.ok(summary.ingested > 0 && summary.ingested < expect.keys.size, `the restart stored the rest (${summary.ingested})`);

    // Invalid messages: rejected with their reason (by either run), terminated, never stored or redelivered forever.
    const rejected = new Map<number, string>();
    for (const line of [...logLines(first), ...logLines(second)]) {
      if (line.msg === 'message rejected and terminated') rejected.set(line.seq as number, line.code as string);
    }
    const byCode = new Map<string, number>();
    for (const code of rejected.values()) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    assert.deepEqual(byCode, expect.invalid);
    const info = await nats.jsm.consumers.info(names.stream, names.durable);
    assert.equal(info.num_pending, 0);
    assert.equal(info.num_ack_pending, 0, 'nothing delivered and left un-acked');
    console.log(`# published ${expect.published} in ${published - started} ms; killed at ${atKill} stored; done after ${Date.now() - started} ms`);
  });
});
