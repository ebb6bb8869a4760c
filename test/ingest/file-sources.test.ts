import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSourceFiles, sourceJobs } from '../../src/ingest/file-sources.js';
import { ingestJobs } from '../../src/ingest/ingest-runner.js';
import { PreparePool } from '../../src/ingest/prepare-pool.js';
import type { PrepareJob } from '../../src/ingest/prepare-job.js';
import { openStore } from '../../src/store/open-store.js';

const TEMPLATE = 'node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML';

describe('source files and jobs', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'srvv-sources-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists .xml and .ndjson files recursively, reports named unsupported files, fails on missing paths', async () => {
    mkdirSync(join(dir, 'feed', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'feed', 'b.XML'), '<a/>');
    writeFileSync(join(dir, 'feed', 'sub', 'a.ndjson'), '');
    writeFileSync(join(dir, 'feed', 'notes.txt'), 'x');
    writeFileSync(join(dir, 'named.csv'), 'x');
    const listing = await listSourceFiles([join(dir, 'feed'), join(dir, 'named.csv')]);
    assert.deepEqual(listing.files.map((f) => [f.path.slice(dir.length), f.format]), [['/feed/b.XML', 'xml'], ['/feed/sub/a.ndjson', 'ndjson']]);
    assert.deepEqual(listing.unsupported, [join(dir, 'named.csv')]);
    await assert.rejects(listSourceFiles([join(dir, 'missing')]), /no such file or folder/);
  });

  it('cuts NDJSON into jobs of whole lines with the right line numbers, even when a read ends on a line end', async () => {
    // Lines padded so that the file is exactly 1 MiB: the first read chunk then ends exactly on a newline, and
    // the job holding it is transferred whole to the worker.
    const xml = readFileSync(TEMPLATE, 'utf8');
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 1024 * 1024 - 8192; i++) {
      const line = JSON.stringify({ receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), xml: xml.replace(':1000<', `:${1000 + i}<`) });
      lines.push(line);
      size += Buffer.byteLength(line) + 1;
    }
    const last = JSON.parse(lines.pop()!) as { receivedAt: string; xml: string };
    size -= Buffer.byteLength(JSON.stringify(last)) + 1;
    const pad = 1024 * 1024 - size - Buffer.byteLength(JSON.stringify(last)) - 1;
    lines.push(JSON.stringify(last).replace('{', '{' + ' '.repeat(pad)));
    const file = join(dir, 'exact.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    assert.equal(readFileSync(file).length, 1024 * 1024);

    const store = await openStore('sqlite::memory:');
    const pool = new PreparePool({ workers: 1 });
    try {
      const { files } = await listSourceFiles([file]);
      const summary = await ingestJobs(store, sourceJobs(files, { receivedAt: 0, jobBytes: 64 * 1024 }), pool);
      assert.equal(summary.rejected, 0, JSON.stringify(summary.rejections));
      assert.equal(summary.ingested, lines.length);
      // Line numbers survive the cuts: a bad line reported later names its own line.
    } finally {
      await pool.close();
      await store.close();
    }
  });

  it('numbers lines across job boundaries', async () => {
    const good = JSON.stringify({ receivedAt: '2026-01-01T00:00:00Z', xml: readFileSync(TEMPLATE, 'utf8') });
    const body = [good, good, 'oops', good, good, '{"xml": 1}'].join('\n');
    const file = join(dir, 'lines.ndjson');
    writeFileSync(file, body);
    const jobs: PrepareJob[] = [];
    for await (const job of sourceJobs([{ path: file, format: 'ndjson', size: body.length }], { receivedAt: 0, jobBytes: 1 })) jobs.push(job);
    assert.ok(jobs.length >= 2, 'small jobBytes cuts several jobs');
    const store = await openStore('sqlite::memory:');
    const pool = new PreparePool({ workers: 0 });
    try {
      async function* replay() {
        yield* jobs;
      }
      const summary = await ingestJobs(store, replay(), pool);
      assert.deepEqual(summary.rejections.map((r) => [r.origin.line, r.code]), [[3, 'INGEST_INVALID_LINE'], [6, 'INGEST_INVALID_LINE']]);
      assert.equal(summary.ingested, 1);
      assert.equal(summary.duplicates, 3);
    } finally {
      await store.close();
    }
  });
});
