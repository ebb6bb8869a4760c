import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { srvv } from './run-srvv.js';
import { openStore } from '../../src/store/open-store.js';
import type { IngestSummary } from '../../src/ingest/ingest-summary.js';

const TEMPLATES = resolve('node_modules/@smartdcc/duis-templates/templates');


function distinctTemplates(): { files: number; distinct: number } {
  const files = readdirSync(TEMPLATES).filter((f) => f.toLowerCase().endsWith('.xml'));
  const hashes = new Set(files.map((f) => createHash('sha256').update(readFileSync(join(TEMPLATES, f))).digest('hex')));
  return { files: files.length, distinct: hashes.size };
}

const targets: { name: string; url: (dir: string) => string; skip?: string }[] = [
  { name: 'sqlite', url: (dir) => `sqlite:${join(dir, 'cli.db')}` },
];
const pgUrl = process.env.SRVV_TEST_PG_URL;
if ((process.env.STORE_BACKENDS ?? 'sqlite,postgres').includes('postgres')) {
  if (pgUrl) targets.push({ name: 'postgres', url: () => pgUrl });
  else if (process.env.CI) throw new Error('STORE_BACKENDS lists postgres but SRVV_TEST_PG_URL is not set (CI)');
}

describe('srvv ingest', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync('dist/cli/main.js'), 'run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'srvv-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of targets) {
    it(`accepts every RTDS template once, then reports them all as duplicates (${target.name})`, async () => {
      const { files, distinct } = distinctTemplates();
      const db = target.url(dir);
      const first = srvv(['ingest', TEMPLATES, '--db', db, '--json', '--received-at', '2026-03-01T00:00:00Z']);
      assert.equal(first.status, 0, first.stderr);
      const summary = JSON.parse(first.stdout) as IngestSummary;
      assert.equal(summary.read, files);
      assert.equal(summary.rejected, 0, JSON.stringify(summary.rejections));
      assert.equal(summary.ingested, distinct);
      assert.equal(summary.duplicates, files - distinct);
      assert.equal(summary.ingestedByKind.request, distinct);

      const second = srvv(['ingest', TEMPLATES, '--json'], { env: { SRVV_DB: db } });
      assert.equal(second.status, 0, second.stderr);
      const again = JSON.parse(second.stdout) as IngestSummary;
      assert.equal(again.ingested, 0);
      assert.equal(again.duplicates, files);

      const store = await openStore(db);
      try {
        assert.equal((await store.stats()).messages, distinct);
      } finally {
        await store.close();
      }
    });
  }

  it('reports rejected NDJSON lines by file and line, stores the rest, and exits 3', () => {
    const xml = readFileSync(join(TEMPLATES, 'ECS43_7.2_SUCCESS_REQUEST_DUIS.XML'), 'utf8');
    const file = join(dir, 'feed.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ receivedAt: '2026-03-01T09:14:00Z', xml }),
        JSON.stringify({ receivedAt: '2026-03-01T09:15:00Z', xml: '<sr:Request xmlns:sr="urn:wrong"/>' }),
        'not json',
        JSON.stringify({ receivedAt: '2026-03-01T09:14:00Z', xml }),
      ].join('\n'),
    );
    const db = `sqlite:${join(dir, 'ndjson.db')}`;
    const run = srvv(['ingest', file, '--db', db]);
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stdout, /ingested\s+1 \(request 1\)/);
    assert.match(run.stdout, /duplicates\s+1/);
    assert.match(run.stdout, /rejected\s+2/);
    assert.match(run.stdout, new RegExp(`feed\\.ndjson:2: DUIS_WRONG_NAMESPACE`));
    assert.match(run.stdout, new RegExp(`feed\\.ndjson:3: INGEST_INVALID_LINE`));
  });

  it('fails clearly on a missing path or a bad --db', () => {
    const missing = srvv(['ingest', join(dir, 'nope'), '--db', `sqlite:${join(dir, 'x.db')}`]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no such file or folder/);
    const bad = srvv(['ingest', TEMPLATES, '--db', 'mysql://localhost/x']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unsupported store URL .*sqlite:<path>/);
  });
});
