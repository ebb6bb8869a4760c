import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError } from '../../src/errors.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';
import { parseDuration } from '../../src/auth/api-token.js';
import { validateReferenceDocument } from '../../src/reference/validate-document.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from './backends.js';

const PARTIES = validateReferenceDocument({
  parties: [
    { id: 'SUPA', name: 'Supplier A', userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] },
    { id: 'OPS', name: 'DCC service desk', operator: true },
  ],
});

const rejectsWith = (code: string, pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AuthError, String(err));
  assert.equal(err.code, code);
  assert.match(err.message, pattern);
  return true;
};

describe('passwords and durations', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse battery staple', a), true);
    assert.equal(await verifyPassword('correct horse battery stapler', a), false);
    assert.equal(await verifyPassword('anything', 'not-a-hash'), false);
  });
  it('parses token lifetimes', () => {
    assert.equal(parseDuration('90d'), 90 * 86_400_000);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('30m'), 30 * 60_000);
    for (const bad of ['', '0d', '1w', '-1d', '10', 'd']) assert.equal(parseDuration(bad), undefined, bad);
  });
});

for (const backend of BACKENDS) {
  describe(`accounts and tokens (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    beforeEach(async () => {
      assert.ok(PARTIES.ok);
      await store.reference.apply(PARTIES.document);
    });
    afterEach(() => backend.clear(store));
    after(async () => {
      if (store) await backend.destroy(store);
    });

    it('adds users, refusing duplicates, unknown parties, short passwords and operators outside operator parties', async () => {
      const alice = await store.accounts.addUser({ partyId: 'SUPA', username: 'alice', role: 'admin', password: 'a long enough secret' });
      assert.deepEqual(alice, { username: 'alice', partyId: 'SUPA', role: 'admin', hasPassword: true });
      await assert.rejects(store.accounts.addUser({ partyId: 'SUPA', username: 'alice' }), rejectsWith('AUTH_CONFLICT', /alice/));
      await assert.rejects(store.accounts.addUser({ partyId: 'NOPE', username: 'bob' }), rejectsWith('AUTH_INVALID_INPUT', /no party "NOPE"/));
      await assert.rejects(store.accounts.addUser({ partyId: 'SUPA', username: 'bob', password: 'short' }), rejectsWith('AUTH_INVALID_INPUT', /at least 12/));
      await assert.rejects(store.accounts.addUser({ partyId: 'SUPA', username: 'bob', role: 'operator' }), rejectsWith('AUTH_INVALID_INPUT', /operator party/));
      assert.equal((await store.accounts.addUser({ partyId: 'OPS', username: 'desk', role: 'operator' })).role, 'operator');
      const stored = await store.db.selectFrom('accounts').select('password_hash').where('username', '=', 'alice').executeTakeFirstOrThrow();
      assert.ok(stored.password_hash && !stored.password_hash.includes('a long enough secret'));
      assert.equal(await verifyPassword('a long enough secret', stored.password_hash!), true);
    });

    it('creates tokens shown once, stores only their hash, and authenticates them until revoked or expired', async () => {
      const now = Date.parse('2026-11-28T12:00:00Z');
      const read = await store.accounts.createToken({ name: 'SOC', scope: 'read', partyId: 'SUPA', expiresInMs: 3_600_000 }, now);
      assert.match(read.token, /^srvv_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      assert.equal(read.expiresAt?.toISOString(), '2026-11-28T13:00:00.000Z');
      const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', read.id).executeTakeFirstOrThrow();
      assert.ok(!Buffer.from(row.secret_hash).toString('latin1').includes(read.token.slice(-43)));

      assert.deepEqual(await store.accounts.authenticateToken(read.token, now + 1000), { tokenId: read.id, name: 'SOC', scope: 'read', partyId: 'SUPA' });
      assert.equal(await store.accounts.authenticateToken(read.token, now + 3_600_000), undefined, 'expired');
      assert.equal(await store.accounts.authenticateToken(read.token.slice(0, -1) + (read.token.endsWith('A') ? 'B' : 'A'), now), undefined, 'wrong secret');
      assert.equal(await store.accounts.authenticateToken('Bearer nonsense', now), undefined);

      const feed = await store.accounts.createToken({ name: 'capture feed', scope: 'ingest' }, now);
      assert.equal((await store.accounts.authenticateToken(feed.token, now))?.scope, 'ingest');
      const revoked = await store.accounts.revokeToken('capture feed', now + 5);
      assert.equal(revoked.revokedAt?.getTime(), now + 5);
      assert.equal((await store.accounts.revokeToken(feed.id, now + 99)).revokedAt?.getTime(), now + 5, 'revoking twice keeps the first time');
      assert.equal(await store.accounts.authenticateToken(feed.token, now + 10), undefined);
      assert.deepEqual((await store.accounts.listTokens()).map((t) => t.name).sort(), ['SOC', 'capture feed']);
      assert.deepEqual((await store.accounts.listTokens('SUPA')).map((t) => t.name), ['SOC']);
    });

    it('ends sessions after 30 minutes idle or 12 hours, and a login clears every unusable session', async () => {
      await store.accounts.addUser({ partyId: 'SUPA', username: 'alice', password: 'a long enough secret' });
      await store.accounts.addUser({ partyId: 'SUPA', username: 'bob', password: 'another long secret' });
      const t0 = Date.parse('2026-11-28T08:00:00Z');
      const min = 60_000;
      const login = async (user: string, password: string, at: number) => {
        const r = await store.sessions.login(user, password, at);
        assert.ok(r.ok);
        return r.session;
      };
      const rows = async () => Number((await store.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

      const idle = await login('alice', 'a long enough secret', t0); // never presented again
      const busy = await login('bob', 'another long secret', t0);
      for (let m = 20; m <= 60; m += 20) assert.ok(await store.sessions.authenticate(busy, t0 + m * min), `busy at ${m} min`);
      // A login removes alice's idle session (its 12 hours are not over) as well as expired ones.
      const second = await login('bob', 'another long secret', t0 + 61 * min);
      assert.equal(await rows(), 2);
      assert.equal(await store.sessions.authenticate(idle, t0 + 61 * min), undefined);
      assert.equal((await store.sessions.authenticate(second, t0 + 61 * min))?.username, 'bob');

      // However busy, a session ends 12 hours after its login.
      for (let m = 80; m < 12 * 60; m += 20) assert.ok(await store.sessions.authenticate(busy, t0 + m * min), `busy at ${m} min`);
      assert.equal(await store.sessions.authenticate(busy, t0 + 12 * 60 * min), undefined);
      assert.equal(await store.sessions.authenticate(second, t0 + 12 * 60 * min), undefined, 'idle since minute 61');
    });

    it('removes a user with their sessions; another party\'s user or an unknown one is not found', async () => {
      await store.accounts.addUser({ partyId: 'SUPA', username: 'carol', password: 'a long enough secret' });
      await store.accounts.addUser({ partyId: 'OPS', username: 'desk', role: 'operator' });
      const r = await store.sessions.login('carol', 'a long enough secret');
      assert.ok(r.ok);
      assert.ok(await store.sessions.authenticate(r.session));
      await assert.rejects(store.accounts.removeUser('carol', 'OPS'), rejectsWith('AUTH_NOT_FOUND', /carol/));
      await assert.rejects(store.accounts.removeUser('nobody'), rejectsWith('AUTH_NOT_FOUND', /nobody/));
      assert.deepEqual(await store.accounts.removeUser('carol', 'SUPA'), { username: 'carol', partyId: 'SUPA', role: 'viewer', hasPassword: true });
      assert.equal(await store.sessions.authenticate(r.session), undefined);
      assert.equal((await store.db.selectFrom('sessions').selectAll().where('username', '=', 'carol').execute()).length, 0);
      assert.deepEqual((await store.accounts.listUsers()).map((u) => u.username), ['desk']);
      assert.equal((await store.accounts.removeUser('desk')).role, 'operator');
    });

    it('refuses read tokens without a party, unknown scopes, duplicate names and unknown tokens to revoke', async () => {
      await assert.rejects(store.accounts.createToken({ name: 'x', scope: 'read' }), rejectsWith('AUTH_INVALID_INPUT', /--party/));
      await assert.rejects(store.accounts.createToken({ name: 'x', scope: 'admin' as never }), rejectsWith('AUTH_INVALID_INPUT', /read, ingest, reference/));
      await store.accounts.createToken({ name: 'feed', scope: 'reference' });
      await assert.rejects(store.accounts.createToken({ name: 'feed', scope: 'reference' }), rejectsWith('AUTH_CONFLICT', /feed/));
      await assert.rejects(store.accounts.revokeToken('ghost'), rejectsWith('AUTH_NOT_FOUND', /ghost/));
    });
  });
}
