import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { auditEntryHash, canonicalJson, GENESIS_HASH, type AuditActor, type AuditEntryInput } from '../../src/audit/access-audit.js';
import { StoreError } from '../../src/errors.js';
import { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { createStoreDialect, openStore } from '../../src/store/open-store.js';
import { BACKENDS, postgresTarget, withAuditTriggersOff } from './backends.js';

const ALICE: AuditActor = { kind: 'user', id: 'alice', name: 'alice', partyId: 'SUPA', role: 'viewer' };
const SOC: AuditActor = { kind: 'token', id: '0123456789ab', name: 'SOC integration', partyId: 'SUPB', role: 'read' };
const DESK: AuditActor = { kind: 'user', id: 'desk', name: 'desk', partyId: 'OPS', role: 'operator' };
const T0 = Date.parse('2026-11-28T12:00:00Z');

const rejectsWith = (code: string, pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof StoreError, String(err));
  assert.equal(err.code, code);
  assert.match(err.message, pattern);
  return true;
};

/** What an external auditor does with the stored columns: concatenate and hash (docs/architecture.md). */
function auditorHash(row: Record<string, unknown>): string {
  const n = (v: unknown) => Number(v);
  const j = (v: unknown) => JSON.stringify(v);
  const line = `[${n(row.seq)},${n(row.at)},${j(row.actor_kind)},${j(row.actor_id)},${j(row.actor_name)},${j(row.party_id)},${j(row.role)},${j(row.action)},${row.subject as string},${n(row.rows)},${j(row.reason)}]`;
  // The line is the compact JSON array of the fields, the subject with sorted keys.
  assert.equal(
    line,
    JSON.stringify([n(row.seq), n(row.at), row.actor_kind, row.actor_id, row.actor_name, row.party_id, row.role, row.action, JSON.parse(row.subject as string), n(row.rows), row.reason]),
  );
  return createHash('sha256').update(`${row.prev_hash as string}\n${line}`).digest('hex');
}

describe('access audit canonical form', () => {
  it('sorts keys recursively (integer-like keys too), keeps array order and follows JSON.stringify', () => {
    const value = { b: 1, a: { d: [{ z: 1, y: 'é"\n' }, 2], c: new Date(0) }, '10': true, '9': null, u: undefined };
    assert.equal(canonicalJson(value), '{"10":true,"9":null,"a":{"c":"1970-01-01T00:00:00.000Z","d":[{"y":"é\\"\\n","z":1},2]},"b":1}');
  });
  it('hashes prevHash, a newline and the entry line', () => {
    const fields = { seq: 1, at: 5, actorKind: 'user', actorId: 'a', actorName: 'a', partyId: null, role: 'viewer', action: 'view', subject: '{"messageId":"7"}', rows: 1, reason: null };
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n[1,5,"user","a","a",null,"viewer","view",{"messageId":"7"},1,null]`).digest('hex');
    assert.equal(auditEntryHash(GENESIS_HASH, fields), expected);
  });
});

for (const backend of BACKENDS) {
  describe(`access audit (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(async () => {
      if (store) await backend.destroy(store);
    });

    /** Four entries, one a minute from T0: search, view, export (with a reason), search. */
    async function seed(): Promise<void> {
      const inputs: AuditEntryInput[] = [
        { actor: ALICE, action: 'search', subject: { kind: 'request', from: new Date(T0 - 86_400_000), limit: 50 }, rows: 12 },
        { actor: SOC, action: 'view', subject: { messageId: '42' }, rows: 1 },
        { actor: DESK, action: 'export', subject: { deviceId: '00-DB-12-34-56-78-90-A0' }, rows: 1234, reason: 'INC0042 customer complaint' },
        { actor: ALICE, action: 'search', subject: { srv: '7.2' }, rows: 0 },
      ];
      for (const [i, input] of inputs.entries()) await store.audit.append(input, T0 + i * 60_000);
    }

    it('appends entries chained from the genesis hash and returns them as stored', async () => {
      const first = await store.audit.append({ actor: ALICE, action: 'search', subject: { b: 2, a: new Date(T0), skip: undefined }, rows: 3 }, T0);
      assert.deepEqual({ ...first, hash: undefined }, {
        seq: 1,
        at: new Date(T0),
        actor: ALICE,
        action: 'search',
        subject: { a: '2026-11-28T12:00:00.000Z', b: 2 },
        rows: 3,
        reason: null,
        prevHash: GENESIS_HASH,
        hash: undefined,
      });
      assert.match(first.hash, /^[0-9a-f]{64}$/);
      const second = await store.audit.append({ actor: DESK, action: 'view', subject: { messageId: '9' }, rows: 1, reason: 'INC1' });
      assert.equal(second.seq, 2);
      assert.equal(second.prevHash, first.hash);
      assert.equal(second.reason, 'INC1');
      assert.ok(Math.abs(second.at.getTime() - Date.now()) < 10_000);

      const rows = await store.db.selectFrom('access_audit').selectAll().orderBy('seq').execute();
      assert.equal(rows[0]!.subject, '{"a":"2026-11-28T12:00:00.000Z","b":2}');
      for (const row of rows) assert.equal(auditorHash(row), row.hash, `an auditor recomputes entry ${row.seq}`);
      const head = await store.db.selectFrom('access_audit_head').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([Number(head.seq), head.hash], [2, second.hash]);
    });

    it('refuses invalid entries and writes nothing', async () => {
      const ok: AuditEntryInput = { actor: ALICE, action: 'view', subject: { messageId: '1' }, rows: 1 };
      const bad: [AuditEntryInput, RegExp][] = [
        [{ ...ok, action: 'login' as 'view' }, /action/],
        [{ ...ok, rows: -1 }, /rows/],
        [{ ...ok, rows: 1.5 }, /rows/],
        [{ ...ok, subject: [] as unknown as Record<string, unknown> }, /subject/],
        [{ ...ok, subject: { n: 10n } }, /subject/],
        [{ ...ok, reason: 'x'.repeat(1001) }, /reason/],
        [{ ...ok, actor: { ...ALICE, kind: 'robot' as 'user' } }, /actor\.kind/],
        [{ ...ok, actor: { ...ALICE, id: '' } }, /actor\.id/],
      ];
      for (const [input, pattern] of bad) await assert.rejects(store.audit.append(input), rejectsWith('STORE_INVALID_QUERY', pattern));
      await assert.rejects(store.audit.append(ok, Number.NaN), rejectsWith('STORE_INVALID_QUERY', /now/));
      assert.deepEqual(await store.audit.verify(), { ok: true, entries: 0, head: GENESIS_HASH });
    });

    it('lists newest first with filters combined and pages by cursor', async () => {
      await seed();
      const all = await store.audit.list({});
      assert.deepEqual(all.items.map((e) => e.seq), [4, 3, 2, 1]);
      assert.equal(all.nextCursor, null);
      assert.deepEqual(all.items[1], {
        seq: 3,
        at: new Date(T0 + 120_000),
        actor: DESK,
        action: 'export',
        subject: { deviceId: '00-DB-12-34-56-78-90-A0' },
        rows: 1234,
        reason: 'INC0042 customer complaint',
        prevHash: all.items[2]!.hash,
        hash: all.items[1]!.hash,
      });

      const seqs = async (q: Parameters<typeof store.audit.list>[0]) => (await store.audit.list(q)).items.map((e) => e.seq);
      assert.deepEqual(await seqs({ partyId: 'SUPA' }), [4, 1]);
      assert.deepEqual(await seqs({ partyId: 'SUPB' }), [2]);
      assert.deepEqual(await seqs({ partyId: 'NOPE' }), []);
      assert.deepEqual(await seqs({ actor: '0123456789ab' }), [2]);
      assert.deepEqual(await seqs({ actor: 'alice', action: 'search' }), [4, 1]);
      assert.deepEqual(await seqs({ action: 'export' }), [3]);
      assert.deepEqual(await seqs({ from: new Date(T0 + 60_000), to: new Date(T0 + 180_000) }), [3, 2]);
      assert.deepEqual(await seqs({ partyId: 'SUPA', from: new Date(T0 + 1) }), [4]);

      const paged: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.audit.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(paged, [4, 3, 2, 1]);
      const one = await store.audit.list({ limit: 1, partyId: 'SUPA' });
      assert.deepEqual((await store.audit.list({ limit: 1, partyId: 'SUPA', cursor: one.nextCursor! })).items.map((e) => e.seq), [1]);
      assert.equal((await store.audit.list({ limit: 0 })).items.length, 4, 'limit 0 means the default');
      assert.equal((await store.audit.list({ limit: 5000 })).items.length, 4);

      for (const cursor of ['nope', Buffer.from('1700000000000:5').toString('base64url'), Buffer.from('0').toString('base64url'), '']) {
        await assert.rejects(store.audit.list({ cursor }), rejectsWith('STORE_INVALID_QUERY', /malformed cursor/), cursor);
      }
      await assert.rejects(store.audit.list({ action: 'login' as 'view' }), rejectsWith('STORE_INVALID_QUERY', /action/));
      await assert.rejects(store.audit.list({ from: new Date(Number.NaN) }), rejectsWith('STORE_INVALID_QUERY', /from/));
    });

    it('verifies an intact chain and reports its head', async () => {
      assert.deepEqual(await store.audit.verify(), { ok: true, entries: 0, head: GENESIS_HASH });
      await seed();
      const newest = (await store.audit.list({ limit: 1 })).items[0]!;
      assert.deepEqual(await store.audit.verify(), { ok: true, entries: 4, head: newest.hash });
    });

    it('refuses UPDATE, DELETE and moving the head backwards in the database itself', async () => {
      await seed();
      await assert.rejects(store.db.updateTable('access_audit').set({ rows: 0 }).where('seq', '=', 2).execute(), /append-only/);
      await assert.rejects(store.db.deleteFrom('access_audit').where('seq', '=', 4).execute(), /append-only/);
      await assert.rejects(store.db.deleteFrom('access_audit_head').execute(), /access_audit_head/);
      await assert.rejects(store.db.updateTable('access_audit_head').set({ seq: 3 }).execute(), /only moves forward/);
      if (backend.name === 'postgres') await assert.rejects(sql`TRUNCATE access_audit`.execute(store.db), /append-only/);
      await assert.rejects(
        store.db.insertInto('access_audit_head').values({ id: 2, seq: 9, hash: GENESIS_HASH }).execute(),
        (err: unknown) => err instanceof Error,
        'a second head row',
      );
      assert.equal((await store.audit.verify()).ok, true);
    });

    describe('tampering (triggers off, as with DDL rights)', () => {
      const tamper = (fn: () => Promise<unknown>) => withAuditTriggersOff(store, fn);

      it('detects an edited row count or subject, naming the entry', async () => {
        await seed();
        await tamper(() => store.db.updateTable('access_audit').set({ rows: 0 }).where('seq', '=', 3).execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 2, firstBroken: { seq: 3, problem: 'entry 3: hash does not match its contents' } });
        await tamper(() => store.db.updateTable('access_audit').set({ subject: '{"messageId":"43"}' }).where('seq', '=', 2).execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 1, firstBroken: { seq: 2, problem: 'entry 2: hash does not match its contents' } });
      });

      it('detects an edited entry whose hash was recomputed, at the next entry', async () => {
        await seed();
        const row = await store.db.selectFrom('access_audit').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
        const hash = auditorHash({ ...row, subject: '{"messageId":"43"}' });
        await tamper(() => store.db.updateTable('access_audit').set({ subject: '{"messageId":"43"}', hash }).where('seq', '=', 2).execute());
        assert.deepEqual((await store.audit.verify()) as unknown, { ok: false, entries: 2, firstBroken: { seq: 3, problem: 'entry 3: prev_hash does not match entry 2' } });
      });

      it('detects a deleted entry in the middle or at the start', async () => {
        await seed();
        await tamper(() => store.db.deleteFrom('access_audit').where('seq', '=', 2).execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 1, firstBroken: { seq: 2, problem: 'entry 2 is missing (seq jumps from 1 to 3)' } });
        await tamper(() => store.db.deleteFrom('access_audit').where('seq', '=', 1).execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 0, firstBroken: { seq: 1, problem: 'entry 1 is missing (seq jumps from 0 to 3)' } });
      });

      it('detects deleted newest entries through the head, and a head moved or rewritten', async () => {
        await seed();
        await tamper(() => store.db.deleteFrom('access_audit').where('seq', '>=', 3).execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 2, firstBroken: { seq: 3, problem: 'head says 4 entries but the log ends at 2' } });
        const entry2 = await store.db.selectFrom('access_audit').select('hash').where('seq', '=', 2).executeTakeFirstOrThrow();
        await tamper(() => store.db.updateTable('access_audit_head').set({ seq: 2, hash: 'f'.repeat(64) }).execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 2, firstBroken: { seq: 2, problem: 'the head hash does not match entry 2' } });
        await tamper(() => store.db.updateTable('access_audit_head').set({ seq: 1, hash: entry2.hash }).execute());
        assert.deepEqual(await store.audit.verify(), {
          ok: false,
          entries: 2,
          firstBroken: { seq: 1, problem: 'the head hash does not match entry 1' },
        });
      });

      it('cannot tell a consistent rollback of log and head apart, except against a recorded head', async () => {
        await seed();
        const recorded = await store.audit.verify();
        assert.ok(recorded.ok);
        const entry3 = await store.db.selectFrom('access_audit').select('hash').where('seq', '=', 3).executeTakeFirstOrThrow();
        await tamper(async () => {
          await store.db.deleteFrom('access_audit').where('seq', '=', 4).execute();
          await store.db.updateTable('access_audit_head').set({ seq: 3, hash: entry3.hash }).execute();
        });
        const now = await store.audit.verify();
        assert.deepEqual(now, { ok: true, entries: 3, head: entry3.hash });
        // The recorded head (entry 4's hash) is no longer in the log: the rewrite shows against the anchor.
        assert.equal(await store.db.selectFrom('access_audit').select('seq').where('hash', '=', recorded.head).executeTakeFirst(), undefined);
      });

      it('fails closed without a head row', async () => {
        await seed();
        await tamper(() => store.db.deleteFrom('access_audit_head').execute());
        assert.deepEqual(await store.audit.verify(), { ok: false, entries: 0, firstBroken: { seq: 0, problem: 'the head row (access_audit_head) is missing' } });
        await assert.rejects(store.audit.append({ actor: ALICE, action: 'view', subject: {}, rows: 0 }), rejectsWith('STORE_FAILED', /head row is missing/));
      });
    });

    it('keeps a gap-free chain under concurrent appends', async () => {
      const target = backend.name === 'postgres' ? postgresTarget() : undefined;
      // PostgreSQL: a second store (its own pool) on the same schema, as a second `srvv serve` process would be.
      const other = target ? await KyselyMessageStore.open(await createStoreDialect(target.url, { schema: target.schema, poolSize: 4 })) : undefined;
      try {
        const stores = other ? [store, other] : [store];
        const appended = await Promise.all(
          Array.from({ length: 50 }, (_, i) => stores[i % stores.length]!.audit.append({ actor: i % 2 ? ALICE : SOC, action: 'view', subject: { messageId: String(i) }, rows: i })),
        );
        assert.deepEqual(appended.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
        const result = await store.audit.verify();
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(result.entries, 50);
        const listed = await store.audit.list({ limit: 1000 });
        assert.deepEqual(listed.items.map((e) => e.rows).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
      } finally {
        await other?.close();
      }
    });

    it('verifies a log longer than one page while appends run', async () => {
      // 2100 entries written directly (appending them one by one takes seconds on PostgreSQL).
      let prevHash = GENESIS_HASH;
      const rows = Array.from({ length: 2100 }, (_, i) => {
        const f = { seq: i + 1, at: T0 + i, actorKind: 'user', actorId: 'alice', actorName: 'alice', partyId: 'SUPA', role: 'viewer', action: 'search', subject: `{"page":${i}}`, rows: 0, reason: null };
        const hash = auditEntryHash(prevHash, f);
        const row = { seq: f.seq, at: f.at, actor_kind: f.actorKind, actor_id: f.actorId, actor_name: f.actorName, party_id: f.partyId, role: f.role, action: f.action, subject: f.subject, rows: 0, reason: null, prev_hash: prevHash, hash };
        prevHash = hash;
        return row;
      });
      for (let i = 0; i < rows.length; i += 500) await store.db.insertInto('access_audit').values(rows.slice(i, i + 500)).execute();
      await store.db.updateTable('access_audit_head').set({ seq: 2100, hash: prevHash }).execute();
      assert.deepEqual(await store.audit.verify(), { ok: true, entries: 2100, head: prevHash });

      const [result] = await Promise.all([
        store.audit.verify(),
        ...Array.from({ length: 20 }, () => store.audit.append({ actor: SOC, action: 'view', subject: { messageId: '1' }, rows: 1 })),
      ]);
      assert.ok(result.ok, JSON.stringify(result));
      assert.ok(result.entries >= 2100);
      assert.deepEqual(await store.audit.verify(), { ok: true, entries: 2120, head: (await store.audit.list({ limit: 1 })).items[0]!.hash });
      await withAuditTriggersOff(store, () => store.db.updateTable('access_audit').set({ rows: 1 }).where('seq', '=', 1500).execute());
      assert.deepEqual(await store.audit.verify(), { ok: false, entries: 1499, firstBroken: { seq: 1500, problem: 'entry 1500: hash does not match its contents' } });
    });
  });
}

describe('access audit across processes (sqlite file)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'srvv-audit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a gap-free chain when two processes append at once', async () => {
    const url = `sqlite:${join(dir, 'audit.db')}`;
    await (await openStore(url)).close(); // migrate once, before the writers start
    const module = pathToFileURL(resolve('src/store/open-store.ts')).href;
    // Both start at the same moment (tsx start-up times differ), so their appends interleave.
    const script = `
      const { openStore } = await import(${JSON.stringify(module)});
      const store = await openStore(process.argv[1]);
      await new Promise((r) => setTimeout(r, Number(process.argv[2]) - Date.now()));
      for (let i = 0; i < 200; i++) {
        await store.audit.append({ actor: { kind: 'token', id: 'p' + process.pid, name: 'writer', partyId: null, role: 'read' }, action: 'view', subject: { i }, rows: i });
      }
      await store.close();`;
    const start = String(Date.now() + 3000);
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, url, start]);
    await Promise.all([run(), run()]);
    const store = await openStore(url);
    try {
      const result = await store.audit.verify();
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.entries, 400);
      const writers = (await store.audit.list({ limit: 1000 })).items.map((e) => e.actor.id);
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
      assert.ok(switches >= 1, 'both processes wrote');
    } finally {
      await store.close();
    }
  });
});
