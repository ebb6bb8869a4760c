import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { srvv } from '../cli/run-srvv.js';
import { jetstreamSkipReason, NATS_URL, publishAll, startConsume, storedCount, summaryOf, useJetstreamSpec } from './jetstream-env.js';

const TEMPLATES = 'node_modules/@smartdcc/duis-templates/templates';
/** A scratch folder for one describe block, removed after it. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'srvv-consume-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('srvv consume settings', () => {
  const dir = scratch();
  it('refuses to start without a NATS URL and a stream, saying where they may come from', () => {
    const run = srvv(['consume', '--db', `sqlite:${join(dir, 'none.db')}`], { env: { SRVV_NATS: '', SRVV_STREAM: '', SRVV_CONFIG: '' } });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /needs a NATS URL and a stream: --nats and --stream \(or SRVV_NATS and SRVV_STREAM, or nats and stream in the config file\)/);
  });

  it('names a bad value and where it came from', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ nats: 'http://nats:4222', stream: 'DUIS' }));
    const run = srvv(['consume', '--config', file]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: nats: "http://nats:4222" is not nats://host:port`));
  });
});

const skip = await jetstreamSkipReason();

describe('srvv consume reads the config file srvv serve reads', { skip }, () => {
  const spec = useJetstreamSpec('config');
  const dir = scratch();
  it('takes NATS, stream, durable and database from the file, a flag still winning', { timeout: 60_000 }, async () => {
    const { nats, db, names } = spec;
    await nats.jsm.streams.add({ name: names.stream, subjects: [`${names.subject}.>`] });
    const xml = readFileSync(`${TEMPLATES}/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML`, 'utf8');
    await publishAll(nats.js, `${names.subject}.capture`, [{ data: xml, receivedAt: '2026-03-01T00:00:00Z' }]);
    const file = join(dir, 'srvv.json');
    // A wrong durable in the file: the flag overrides it, as for srvv serve.
    writeFileSync(file, JSON.stringify({ db: db.url, nats: NATS_URL, stream: names.stream, durable: 'from_file', logLevel: 'warn', port: 9999 }));
    const consumer = startConsume(['--config', file, '--durable', names.durable, '--max-messages', '1', '--json']);
    assert.equal(await consumer.exited, 0, consumer.stderr());
    assert.equal(summaryOf(consumer).ingested, 1);
    assert.equal(await storedCount(db), 1);
    const durables = (await nats.jsm.consumers.list(names.stream).next()).map((c) => c.name);
    assert.deepEqual(durables, [names.durable]);
  });
});
