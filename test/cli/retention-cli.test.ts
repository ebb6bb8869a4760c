import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import { addMonths, monthLabel, monthOf, monthRange } from '../../src/store/time-partitions.js';
import { srvv } from './run-srvv.js';

const FIXTURES = resolve('test/fixtures/duis');

/** The middle of the month `delta` months from now. */
function midMonth(delta: number): { iso: string; label: string } {
  const month = addMonths(monthOf(Date.now()), delta);
  return { iso: new Date(monthRange(month).from + 14 * 86_400_000).toISOString(), label: monthLabel(month) };
}

describe('srvv retention apply', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync('dist/cli/main.js'), 'run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'srvv-retention-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports, then removes exactly the months older than --keep, and is idempotent', async () => {
    const db = `sqlite:${join(dir, 'r.db')}`;
    const old = midMonth(-20);
    const recent = midMonth(-1);
    for (const [file, at] of [['request-4.1.1-default-namespace.xml', old.iso], ['request-1.1.1-future-dated-tariff.xml', recent.iso]] as const) {
      const run = srvv(['ingest', join(FIXTURES, file), '--db', db, '--received-at', at, '--json']);
      assert.equal(run.status, 0, run.stderr);
    }

    const dry = srvv(['retention', 'apply', '--keep', '13mo', '--db', db, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would remove 1 month before .*: ${old.label}\\n1 message\\n`));

    const applied = srvv(['retention', 'apply', '--keep', '13mo', '--db', db, '--json']);
    assert.equal(applied.status, 0, applied.stderr);
    const report = JSON.parse(applied.stdout);
    assert.deepEqual(report.months, [old.label]);
    assert.equal(report.messages, 1);
    assert.equal(report.dryRun, false);

    const store = await openStore(db);
    try {
      const left = await store.listMessages({ limit: 10 });
      assert.deepEqual(left.items.map((m) => m.receivedAt.toISOString()), [recent.iso]);
    } finally {
      await store.close();
    }
    const again = srvv(['retention', 'apply', '--keep', '13mo', '--db', db]);
    assert.match(again.stdout, /^nothing to remove/);
  });

  it('refuses a period it does not understand, naming what it accepts', () => {
    const run = srvv(['retention', 'apply', '--keep', '13 months', '--db', `sqlite:${join(dir, 'x.db')}`]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /retention period "13 months" is not understood: use a whole number followed by mo, d, w or y/);
  });
});
