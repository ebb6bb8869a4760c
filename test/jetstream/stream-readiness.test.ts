import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/build-app.js';
import { StreamMonitor } from '../../src/ingest/jetstream/consumer-lag.js';
import { openStore } from '../../src/store/open-store.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { deleteStream, jetstreamSkipReason, logLines, NATS_URL, openNats, publishAll, startConsume, summaryOf, uniqueNames, waitFor, type Nats } from './jetstream-env.js';

const READ = readFileSync('node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML');

/** The value of one sample of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

const skip = await jetstreamSkipReason();

describe('/readyz and /metrics with a NATS stream configured', { skip }, () => {
  let nats: Nats;
  let store: MessageStore;
  const apps: FastifyInstance[] = [];
  const monitors: StreamMonitor[] = [];
  const names = uniqueNames('ready');
  const dir = mkdtempSync(join(tmpdir(), 'srvv-ready-'));
  before(async () => {
    nats = await openNats();
    store = await openStore('sqlite::memory:');
  });
  after(async () => {
    for (const app of apps) await app.close();
    for (const m of monitors) await m.close();
    if (nats) {
      await deleteStream(nats.jsm, names.stream);
      await nats.nc.close();
    }
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(servers: string): Promise<string> {
    const monitor = new StreamMonitor(servers, { stream: names.stream, durable: names.durable });
    monitors.push(monitor);
    const app = await buildApp({ store, stream: monitor });
    apps.push(app);
    return app.listen({ host: '127.0.0.1', port: 0 });
  }
  const get = async (base: string, path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('is ready with the stream present and reports the consumer lag; 503 naming the stream once it is gone', { timeout: 30_000 }, async () => {
    await nats.jsm.streams.add({ name: names.stream, subjects: [`${names.subject}.>`] });
    await nats.jsm.consumers.add(names.stream, { durable_name: names.durable, ack_policy: AckPolicy.Explicit });
    await publishAll(nats.js, `${names.subject}.x`, [{ data: READ }, { data: READ }, { data: 'x' }]);
    const base = await serve(NATS_URL);

    const ready = await get(base, '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(JSON.parse(ready.text), { status: 'ready', checks: { database: 'ok', stream: 'ok' } });
    const metrics = await get(base, '/metrics');
    assert.equal(sample(metrics.text, 'srvv_consumer_lag_messages', { stream: names.stream, durable: names.durable }), 3);

    await nats.jsm.streams.delete(names.stream);
    const gone = await get(base, '/readyz');
    assert.equal(gone.status, 503);
    const body = JSON.parse(gone.text) as { status: string; checks: Record<string, string> };
    assert.equal(body.status, 'unavailable');
    assert.equal(body.checks.database, 'ok');
    assert.match(body.checks.stream!, new RegExp(`stream "${names.stream}" does not exist`));
    assert.equal(sample((await get(base, '/metrics')).text, 'srvv_consumer_lag_messages'), undefined, 'no lag sample without the consumer');
  });

  it('answers 503 naming NATS while it cannot be reached', async () => {
    const base = await serve('nats://127.0.0.1:1');
    const down = await get(base, '/readyz');
    assert.equal(down.status, 503);
    assert.match((JSON.parse(down.text) as { checks: { stream: string } }).checks.stream, /NATS at nats:\/\/127\.0\.0\.1:1 is unreachable/);
    assert.equal((await get(base, '/metrics')).status, 200, 'metrics still served');
  });

  it('srvv consume --metrics-port serves its own counters and lag', { timeout: 30_000 }, async () => {
    const own = uniqueNames('metrics');
    try {
      const run = startConsume(['--nats', NATS_URL, '--stream', own.stream, '--subject', `${own.subject}.>`, '--durable', own.durable,
        '--db', `sqlite:${join(dir, 'consume.db')}`, '--metrics-port', '0', '--json']);
      await waitFor('the metrics address', async () => logLines(run).some((l) => l.msg === 'serving metrics'), 20_000);
      const url = logLines(run).find((l) => l.msg === 'serving metrics')!.url as string;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, 'loopback by default');
      await publishAll(nats.js, `${own.subject}.x`, [{ data: READ }, { data: READ }, { data: 'x' }]);
      let text = '';
      await waitFor('the three messages counted', async () => {
        text = await (await fetch(url)).text();
        return sample(text, 'srvv_rejected_messages_total', { reason: 'DUIS_NOT_XML' }) === 1 && sample(text, 'srvv_duplicate_messages_total') === 1;
      }, 20_000, 200);
      assert.equal(sample(text, 'srvv_ingested_messages_total', { kind: 'request' }), 1);
      assert.equal(sample(text, 'srvv_consumer_lag_messages', { stream: own.stream, durable: own.durable }), 0);
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0, run.stderr());
      assert.equal(summaryOf(run).ingested, 1);
    } finally {
      await deleteStream(nats.jsm, own.stream);
    }
  });
});
