import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { srvv } from './run-srvv.js';

const READ = resolve('node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML');
const ESME = '00-DB-12-34-56-78-90-A0'; // the template's target; its originator is 90-B3-D5-1F-30-01-00-00 (IS)


describe('srvv reference import, messages and explain', () => {
  let dir: string;
  let db: string;
  before(() => {
    assert.ok(existsSync('dist/cli/main.js'), 'run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'srvv-ref-'));
    db = `sqlite:${join(dir, 'ref.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a JSON document and reports what changed', () => {
    const file = join(dir, 'reference.json');
    writeFileSync(
      file,
      JSON.stringify({
        parties: [
          { id: 'SUPA', name: 'Supplier A', userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] },
          { id: 'SUPB', name: 'Supplier B', userIds: [{ userId: '90-B3-D5-1F-30-01-01-00', role: 'IS' }] },
          { id: 'DNO1', name: 'Northern Grid', userIds: [{ userId: '90-B3-D5-1F-30-02-00-00', role: 'ED' }] },
        ],
        devices: [{ deviceId: ESME, type: 'ESME' }],
        links: [{ deviceId: ESME, history: [{ mpxn: '1312345678111', from: '2024-01-01T00:00:00Z', to: null }] }],
      }),
    );
    const run = srvv(['reference', 'import', file, '--db', db]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /parties +3 created, 0 updated, 0 unchanged/);
    assert.match(run.stdout, /links +1 replaced/);
  });

  it('imports a CSV section, with warnings', () => {
    const regs = join(dir, 'regs.csv');
    writeFileSync(regs, 'mpxn,role,partyId,from,to\n1312345678111,IS,SUPB,2024-01-01T00:00:00Z,2026-03-01T00:00:00Z\n1312345678111,IS,SUPA,2026-03-01T00:00:00Z,\n');
    const run = srvv(['reference', 'import', '--section', 'registrations', regs, '--db', db, '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).registrations, { replaced: 1, erased: 0, unchanged: 0 });

    const certs = join(dir, 'certs.csv');
    writeFileSync(certs, 'deviceId,partyId,from,to\n00-db-12-34-56-78-90-a0,SUPB,2024-01-01T00:00:00Z,\n');
    const warned = srvv(['reference', 'import', '--section', 'certificates', certs, '--db', db]);
    assert.equal(warned.status, 0, warned.stderr);
    assert.match(warned.stdout, /warning: certificates\[0\]\.history\[0\]\.partyId: .*grants no visibility/);
  });

  it('rejects an invalid file with every problem on stderr, exit 3, and changes nothing', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'mpxn,role,partyId,from,to\n1312345678111,IS,SUPA,2026-01-01,\n1312345678111,GS,SUPA,2026-01-01T00:00:00Z,\n');
    const run = srvv(['reference', 'import', '--section', 'registrations', bad, '--db', db]);
    assert.equal(run.status, 3);
    assert.match(run.stderr, /nothing changed \(2 problems\)/);
    assert.match(run.stderr, /line 2 \(from\): not an ISO-8601/);
    assert.match(run.stderr, /line 3/);
    const unknownParty = srvv(['reference', 'import', '-', '--db', db], { input: JSON.stringify({ certificates: [{ deviceId: ESME, history: [{ partyId: 'GHOST', from: '2024-01-01T00:00:00Z' }] }] }) });
    assert.equal(unknownParty.status, 3);
    assert.match(unknownParty.stderr, /certificates\[0\]\.history\[0\]\.partyId: unknown party "GHOST"/);
    assert.equal(srvv(['reference', 'import', join(dir, 'regs.csv'), '--db', db]).status, 1, 'CSV without --section');
  });

  it('lists what each party sees and explains why', () => {
    // The supplier's own read, sent while SUPB was the Responsible Supplier (before the 2026-03-01 CoS).
    const ingest = srvv(['ingest', READ, '--db', db, '--received-at', '2026-02-01T10:00:00Z']);
    assert.equal(ingest.status, 0, ingest.stderr);

    const asSupB = srvv(['messages', '--party', 'SUPB', '--db', db, '--json', '--others-only']);
    assert.equal(asSupB.status, 0, asSupB.stderr);
    const page = JSON.parse(asSupB.stdout) as { items: Array<{ id: string; srv: string }> };
    assert.deepEqual(page.items.map((m) => m.srv), ['4.1.1']);
    const id = page.items[0]!.id;

    const why = srvv(['explain', id, '--party', 'SUPB', '--db', db]);
    assert.equal(why.status, 0, why.stderr);
    assert.match(why.stdout, /Responsible Supplier: IS for MPAN 1312345678111 from 2024-01-01T00:00:00Z until 2026-03-01T00:00:00Z/);

    const own = srvv(['explain', id, '--party', 'SUPA', '--db', db]);
    assert.match(own.stdout, /own request via User ID 90-B3-D5-1F-30-01-00-00 \(IS\)/);
    assert.doesNotMatch(own.stdout, /Responsible Supplier/, 'SUPA only became supplier after the message');

    const dno = srvv(['messages', '--party', 'DNO1', '--db', db]);
    assert.equal(dno.status, 0, dno.stderr);
    assert.match(dno.stdout, /no visible messages/);
    assert.match(srvv(['explain', id, '--party', 'DNO1', '--db', db]).stdout, /may not see/);

    const ghost = srvv(['messages', '--party', 'GHOST', '--db', db]);
    assert.equal(ghost.status, 1);
    assert.match(ghost.stderr, /GHOST/);
 
    // Every look from the command line is in the access audit too.
    const audit = srvv(['audit', 'list', '--party', 'SUPB', '--db', db, '--json']);
    assert.equal(audit.status, 0, audit.stderr);
    const entries = JSON.parse(audit.stdout) as { items: Array<{ action: string; actor: { kind: string }; subject: Record<string, unknown>; rows: number }> };
    assert.deepEqual(
      entries.items.map((e) => [e.actor.kind, e.action, e.rows]),
      [['cli', 'view', 1], ['cli', 'search', 1]],
    );
    assert.deepEqual(entries.items[1]!.subject, { othersOnly: true, limit: '50' });
  });
});
