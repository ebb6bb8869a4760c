import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { srvv } from './run-srvv.js';
import { openStore } from '../../src/store/open-store.js';



describe('srvv users and tokens', () => {
  let dir: string;
  let db: string;
  before(() => {
    assert.ok(existsSync('dist/cli/main.js'), 'run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'srvv-auth-'));
    db = `sqlite:${join(dir, 'auth.db')}`;
    const parties = join(dir, 'parties.json');
    writeFileSync(parties, JSON.stringify({ parties: [{ id: 'SUPA', name: 'Supplier A', userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] }] }));
    assert.equal(srvv(['reference', 'import', parties, '--db', db]).status, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a user with a password from stdin', () => {
    const run = srvv(['users', 'add', '--party', 'SUPA', '--username', 'alice', '--role', 'admin', '--password-stdin', '--db', db], { input: 'a long enough secret\n' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /added admin alice to party SUPA/);
    const again = srvv(['users', 'add', '--party', 'SUPA', '--username', 'alice', '--db', db]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists/);
  });

  it('removes a user, and says so when there is none', () => {
    assert.equal(srvv(['users', 'add', '--party', 'SUPA', '--username', 'leaver', '--db', db]).status, 0);
    const run = srvv(['users', 'remove', 'leaver', '--db', db]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /removed viewer leaver from party SUPA/);
    const again = srvv(['users', 'remove', 'leaver', '--db', db]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /no user "leaver"/);
  });

  it('creates a token printed alone on the last line, which authenticates until revoked', async () => {
    const run = srvv(['tokens', 'create', '--name', 'SOC integration', '--scope', 'read', '--party', 'SUPA', '--expires', '90d', '--db', db]);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    const token = lines.at(-1)!;
    assert.match(token, /^srvv_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(run.stderr, /not shown again/);

    const store = await openStore(db);
    try {
      assert.equal((await store.accounts.authenticateToken(token))?.partyId, 'SUPA');
      const list = srvv(['tokens', 'list', '--db', db]);
      assert.match(list.stdout, /read .*SUPA .*expires .*SOC integration/);
      assert.ok(!list.stdout.includes(token.slice(18)), 'listing never shows the secret');
      assert.equal(srvv(['tokens', 'revoke', 'SOC integration', '--db', db]).status, 0);
      assert.equal(await store.accounts.authenticateToken(token), undefined);
    } finally {
      await store.close();
    }
    const bad = srvv(['tokens', 'create', '--name', 'x', '--scope', 'read', '--db', db]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--party/);
    assert.match(srvv(['tokens', 'create', '--name', 'y', '--scope', 'ingest', '--expires', '3w', '--db', db]).stderr, /--expires/);
  });
});
