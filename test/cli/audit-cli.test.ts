import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { srvv } from './run-srvv.js';
import { openStore } from '../../src/store/open-store.js';

describe('srvv audit', () => {
  let dir: string;
  let file: string;
  let db: string;
  before(async () => {
    assert.ok(existsSync('dist/cli/main.js'), 'run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'srvv-audit-'));
    file = join(dir, 'audit.db');
    db = `sqlite:${file}`;
    const store = await openStore(db);
    try {
      const alice = { kind: 'user', id: 'alice', name: 'alice', partyId: 'SUPA', role: 'viewer' } as const;
      const desk = { kind: 'user', id: 'desk', name: 'desk', partyId: 'OPS', role: 'operator' } as const;
      await store.audit.append({ actor: alice, action: 'search', subject: { srv: '7.2' }, rows: 3 }, Date.parse('2026-11-28T12:00:00Z'));
      await store.audit.append({ actor: desk, action: 'view', subject: { messageId: '42' }, rows: 1, reason: 'INC0042' }, Date.parse('2026-11-28T12:01:00Z'));
      await store.audit.append({ actor: alice, action: 'export', subject: { kind: 'request' }, rows: 120 }, Date.parse('2026-11-28T12:02:00Z'));
    } finally {
      await store.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies an intact chain (exit 0) and lists entries', () => {
    const run = srvv(['audit', 'verify', '--db', db]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^audit chain intact: 3 entries, head [0-9a-f]{64}\n$/);
    const json = srvv(['audit', 'verify', '--json', '--db', db]);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual({ ...JSON.parse(json.stdout), head: undefined }, { ok: true, entries: 3, head: undefined });

    const list = srvv(['audit', 'list', '--db', db]);
    assert.equal(list.status, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^ +3 {2}2026-11-28T12:02:00\.000Z {2}export {2}user:alice \(viewer, SUPA\) {2}rows 120 {2}\{"kind":"request"\}$/);
    assert.match(lines[1]!, /view .*user:desk \(operator, OPS\).*\{"messageId":"42"\} {2}reason: "INC0042"$/);
    const paged = srvv(['audit', 'list', '--party', 'SUPA', '--limit', '1', '--json', '--db', db]);
    const page = JSON.parse(paged.stdout) as { items: { seq: number }[]; nextCursor: string };
    assert.deepEqual(page.items.map((e) => e.seq), [3]);
    const next = srvv(['audit', 'list', '--party', 'SUPA', '--cursor', page.nextCursor, '--json', '--db', db]);
    assert.deepEqual((JSON.parse(next.stdout) as { items: { seq: number }[] }).items.map((e) => e.seq), [1]);
    assert.match(srvv(['audit', 'list', '--action', 'login', '--db', db]).stderr, /--action/);
    assert.match(srvv(['audit', 'verify', '--help']).stdout, /Exit status: 0 .* 4 when it is broken/);
  });

  it('exits 4 naming the first broken entry after tampering', () => {
    // As someone with DDL rights would: drop the append-only trigger, then edit.
    const raw = new Database(file);
    try {
      raw.exec('DROP TRIGGER access_audit_no_update');
      raw.prepare('UPDATE access_audit SET rows = 0 WHERE seq = 2').run();
    } finally {
      raw.close();
    }
    const run = srvv(['audit', 'verify', '--db', db]);
    assert.equal(run.status, 4);
    assert.equal(run.stderr, 'audit chain BROKEN: entry 2: hash does not match its contents\n');
    const json = srvv(['audit', 'verify', '--json', '--db', db]);
    assert.equal(json.status, 4);
    assert.deepEqual(JSON.parse(json.stdout), { ok: false, entries: 1, firstBroken: { seq: 2, problem: 'entry 2: hash does not match its contents' } });
  });
});
