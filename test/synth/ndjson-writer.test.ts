import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorld, generateTraffic, writeNdjson } from '../../src/synth/index.js';

describe('writeNdjson', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synth-ndjson-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes one {"receivedAt","xml"} object a line, the same bytes as JSON.stringify of the records', async () => {
    const world = createWorld({ seed: 4, devices: 300 });
    const opts = { seed: 4, count: 5000, duplicateRate: 0.002 };
    const path = join(dir, 'traffic.ndjson');
    const result = await writeNdjson(path, world, opts);
    const text = await readFile(path, 'utf8');
    assert.equal(result.count, 5000);
    assert.equal(result.bytes, (await stat(path)).size);
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, 5000);
    const expected = [...generateTraffic(world, opts)].map((r) => JSON.stringify(r));
    for (let i = 0; i < lines.length; i++) {
      const parsed = JSON.parse(lines[i]!) as Record<string, unknown>;
      assert.deepEqual(Object.keys(parsed), ['receivedAt', 'xml']);
      assert.equal(typeof parsed.receivedAt, 'string');
      assert.ok((parsed.xml as string).startsWith('<?xml'));
      assert.equal(lines[i], expected[i], `line ${i + 1}`);
    }
  });

  test('writes an empty file for count 0 and reports a bad path', async () => {
    const world = createWorld({ seed: 1, devices: 10 });
    assert.deepEqual(await writeNdjson(join(dir, 'empty.ndjson'), world, { count: 0 }), { count: 0, bytes: 0 });
    await assert.rejects(writeNdjson(join(dir, 'missing', 'x.ndjson'), world, { count: 10 }), /ENOENT/);
  });
});
