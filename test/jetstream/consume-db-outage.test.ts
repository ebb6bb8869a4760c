import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
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

/**
 * A loopback TCP proxy in front of PostgreSQL that can be cut (every connection reset, new ones refused) and
 * restored on the same port: the database "goes away" for the consumer while the test still reaches it directly.
 */
class CuttableProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('srvv consume rides out a database outage', { skip }, () => {
  const spec = useJetstreamSpec('outage');
  let proxy: CuttableProxy;
  before(async () => {
    const direct = new URL(spec.db.url);
    proxy = new CuttableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.open();
  });
  after(() => proxy?.cut());

  it('acks nothing while PostgreSQL is unreachable, then stores every message once when it is back', { timeout: 120_000 }, async () => {
    const { nats, db, names } = spec;
    await nats.jsm.streams.add({ name: names.stream, subjects: [`${names.subject}.>`] });
    const expect = emptyExpectation();
    await publishAll(nats.js, `${names.subject}.capture`, mixedFeed(20_000, expect));

    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    // Small batches, so the outage lands mid-stream; the ack wait is far longer than the outage.
    const consumer = startConsume([
      '--nats', NATS_URL, '--stream', names.stream, '--durable', names.durable, '--db', viaProxy.toString(),
      '--batch', '200', '--ack-wait', '60', '--idle-exit', '5', '--json',
    ]);
    await waitFor('some messages stored', async () => (await storedCount(db)) >= 2_000, 60_000, 50);
    await proxy.cut();
    const atCut = await storedCount(db);
    assert.ok(atCut < expect.keys.size, 'cut mid-stream');
    // Down for a few seconds: the consumer retries with backoff and acks nothing it could not commit.
    await waitFor('the consumer to notice', async () => logLines(consumer).some((l) => l.msg === 'store unavailable; retrying the batch'), 30_000, 100).catch((err) => {
      throw new Error(`${err.message}; consumer log:\n${consumer.stderr().slice(-3000)}`);
    });
    const info = await nats.jsm.consumers.info(names.stream, names.durable);
    assert.ok(info.num_ack_pending > 0, 'the batches in flight stay un-acked while the store is down');
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await storedCount(db), atCut, 'nothing written while the database was unreachable');
    await proxy.open();

    assert.equal(await consumer.exited, 0, consumer.stderr().slice(-3000));
    const summary = summaryOf(consumer);
    const stored = await storedKeys(db);
    assert.equal(stored.messages, expect.keys.size, 'one row per distinct valid message');
    assert.deepEqual(new Set(stored.keys), expect.keys);
    assert.equal(summary.ingested, expect.keys.size, 'one process stored everything, across the outage');
    const after = await nats.jsm.consumers.info(names.stream, names.durable);
    assert.equal(after.num_pending + after.num_ack_pending, 0);
  });
});
