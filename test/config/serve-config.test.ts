import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveServeConfig, SERVE_DEFAULTS } from '../../src/config/serve-config.js';

describe('srvv serve configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srvv-config-'));
  const file = (content: unknown) => {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('takes each setting from the flag, else the environment, else the config file, else the default', () => {
    const config = file({ db: 'postgres://srvv@db/srvv', port: 9000, host: '10.0.0.5', rateLimit: 600, trustProxy: true });
    assert.deepEqual(resolveServeConfig({}, {}), SERVE_DEFAULTS);
    assert.deepEqual(resolveServeConfig({ config }, {}), { ...SERVE_DEFAULTS, db: 'postgres://srvv@db/srvv', port: 9000, host: '10.0.0.5', rateLimit: 600, trustProxy: true });
    const env = { SRVV_CONFIG: config, SRVV_PORT: '9100', SRVV_TRUST_PROXY: '0', SRVV_LOG_LEVEL: 'warn' };
    assert.deepEqual(resolveServeConfig({}, env), { ...SERVE_DEFAULTS, db: 'postgres://srvv@db/srvv', port: 9100, host: '10.0.0.5', rateLimit: 600, trustProxy: false, logLevel: 'warn' });
    assert.deepEqual(resolveServeConfig({ port: '9200', db: 'sqlite:/tmp/x.db' }, env).port, 9200);
    assert.equal(resolveServeConfig({ db: 'sqlite:/tmp/x.db' }, env).db, 'sqlite:/tmp/x.db');
  });

  it('takes the NATS stream settings the same way, and needs a URL and a stream together', () => {
    assert.equal(resolveServeConfig({}, {}).nats, undefined, 'no stream checks unless configured');
    const config = file({ nats: 'nats://nats-1:4222', stream: 'DUIS' });
    assert.deepEqual(resolveServeConfig({ config }, {}), { ...SERVE_DEFAULTS, nats: 'nats://nats-1:4222', stream: 'DUIS', durable: 'srvv' });
    const env = { SRVV_CONFIG: config, SRVV_STREAM: 'CAPTURE', SRVV_DURABLE: 'ingest' };
    assert.deepEqual(
      [resolveServeConfig({}, env).nats, resolveServeConfig({}, env).stream, resolveServeConfig({}, env).durable],
      ['nats://nats-1:4222', 'CAPTURE', 'ingest'],
    );
    const flags = resolveServeConfig({ nats: 'nats://a:4222, nats://b:4222', stream: 'S', durable: 'd' }, env);
    assert.deepEqual([flags.nats, flags.stream, flags.durable], ['nats://a:4222, nats://b:4222', 'S', 'd']);
    assert.throws(() => resolveServeConfig({ nats: 'nats://a:4222' }, {}), /--nats: a NATS URL needs a stream name/);
    assert.throws(() => resolveServeConfig({}, { SRVV_STREAM: 'DUIS' }), /SRVV_STREAM: a stream name needs a NATS URL/);
    assert.throws(() => resolveServeConfig({ nats: 'http://a', stream: 'S' }, {}), /--nats: "http:\/\/a" is not nats:\/\/host:port/);
    assert.throws(() => resolveServeConfig({ nats: 'nats://a', stream: 'duis.>' }, {}), /--stream: "duis.>" is not a stream name/);
    assert.throws(() => resolveServeConfig({}, { SRVV_DURABLE: 'a b' }), /SRVV_DURABLE: "a b" is not a consumer name/);
  });

  it('names the source of a bad value', () => {
    assert.throws(() => resolveServeConfig({}, { SRVV_PORT: '80a' }), /SRVV_PORT: "80a" is not a port number/);
    assert.throws(() => resolveServeConfig({ port: '70000' }, {}), /--port: "70000" is not a port number/);
    assert.throws(() => resolveServeConfig({ rateLimit: '-1' }, {}), /--rate-limit: "-1" is not a number of requests/);
    assert.throws(() => resolveServeConfig({}, { SRVV_TRUST_PROXY: 'yes' }), /SRVV_TRUST_PROXY: "yes" is not true\/false/);
    assert.throws(() => resolveServeConfig({ db: 'mysql://x' }, {}), /--db: "mysql:\/\/x" is not sqlite:<path> or postgres/);
    const typo = file({ prot: 8080 });
    assert.throws(() => resolveServeConfig({ config: typo }, {}), new RegExp(`${typo}: unknown key "prot"`));
    assert.throws(() => resolveServeConfig({ config: file('{not json') }, {}), /cannot read the config file/);
    assert.throws(() => resolveServeConfig({ config: file([1]) }, {}), /holds one JSON object/);
    assert.throws(() => resolveServeConfig({ config: file({ port: '8080x' }) }, {}), /: port: "8080x" is not a port number/);
    assert.throws(() => resolveServeConfig({ config: join(dir, 'missing.json') }, {}), /missing\.json: cannot read/);
  });
});
