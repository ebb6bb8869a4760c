import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import { call, login, PASSWORD, startApiWorld, type ApiWorld } from './api-world.js';

const READ_XML = readFileSync('node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML');
const REFERENCE_DOC = { parties: [{ id: 'NEWP', name: 'New party', userIds: [] }], devices: [], links: [], registrations: [], certificates: [] };

/** Every /api/v1 endpoint that needs credentials, with a harmless request for it. */
const PROTECTED: Array<{ method: string; path: string; json?: unknown }> = [
  { method: 'GET', path: '/api/v1/messages' },
  { method: 'GET', path: '/api/v1/messages/1' },
  { method: 'GET', path: '/api/v1/threads/x' },
  { method: 'GET', path: '/api/v1/devices/00-DB-12-34-56-78-90-A0' },
  { method: 'GET', path: '/api/v1/export.csv' },
  { method: 'GET', path: '/api/v1/audit' },
  { method: 'GET', path: '/api/v1/session' },
  { method: 'DELETE', path: '/api/v1/session' },
  { method: 'GET', path: '/api/v1/users' },
  { method: 'POST', path: '/api/v1/users', json: { username: 'x', password: 'y' } },
  { method: 'DELETE', path: '/api/v1/users/supa-viewer' },
  { method: 'GET', path: '/api/v1/tokens' },
  { method: 'POST', path: '/api/v1/tokens', json: { name: 'x', scope: 'read' } },
  { method: 'DELETE', path: '/api/v1/tokens/000000000000' },
  { method: 'POST', path: '/api/v1/messages' },
  { method: 'POST', path: '/api/v1/messages:batch' },
  { method: 'PUT', path: '/api/v1/reference', json: REFERENCE_DOC },
];

for (const backend of BACKENDS) {
  describe(`API authentication and authorisation (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let w: ApiWorld;
    before(async () => {
      store = await backend.open();
      await backend.clear(store);
      w = await startApiWorld(store, { loginRateLimit: 1000 });
    });
    after(async () => {
      await w?.close();
      if (store) await backend.destroy(store);
    });

    it('refuses every /api/v1 endpoint without credentials, except the OpenAPI document; /healthz and /docs are open', async () => {
      for (const e of PROTECTED) {
        const res = await call(w.base, e.path, { method: e.method, ...(e.json ? { json: e.json } : {}) });
        assert.equal(res.status, 401, `${e.method} ${e.path}`);
        assert.equal(res.body.error, 'AUTH_REQUIRED');
      }
      assert.equal((await call(w.base, '/api/v1/openapi.json')).status, 200);
      assert.equal((await call(w.base, '/healthz')).status, 200);
      const docs = await call(w.base, '/docs/');
      assert.equal(docs.status, 200);
      assert.match(docs.text, /swagger/i);
      assert.equal((await store.stats()).messages, 6, 'nothing was ingested');
    });

    it('refuses malformed, unknown, expired and revoked tokens alike', async () => {
      for (const token of [w.tokens.expired, w.tokens.revoked, 'srvv_000000000000_' + 'A'.repeat(43), 'not-a-token']) {
        const res = await call(w.base, '/api/v1/messages', { token });
        assert.equal(res.status, 401, token);
        assert.equal(res.body.error, 'AUTH_REQUIRED');
        assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
      }
      const basic = await call(w.base, '/api/v1/messages', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      assert.equal(basic.status, 401);
      assert.match(basic.body.detail, /Bearer/);
    });

    it('holds every token to its scope', async () => {
      const forbidden = async (token: string, e: { method: string; path: string; json?: unknown }, headers: Record<string, string> = {}) => {
        const res = await call(w.base, e.path, { token, method: e.method, headers, ...(e.json ? { json: e.json } : {}) });
        assert.equal(res.status, 403, `${e.method} ${e.path}: ${res.text}`);
        assert.equal(res.body.error, 'AUTH_FORBIDDEN');
        return res;
      };
      // Feeds may not read; readers may not feed; no token may manage users, tokens or the audit.
      for (const token of [w.tokens.ingest, w.tokens.reference]) {
        for (const path of ['/api/v1/messages', '/api/v1/messages/1', '/api/v1/threads/x', '/api/v1/export.csv']) await forbidden(token, { method: 'GET', path });
      }
      const refused = await forbidden(w.tokens.supaRead, { method: 'POST', path: '/api/v1/messages' }, { 'content-type': 'application/xml' });
      assert.match(refused.body.detail, /needs a token with scope ingest; this request has a read token/);
      await forbidden(w.tokens.reference, { method: 'POST', path: '/api/v1/messages' });
      await forbidden(w.tokens.ingest, { method: 'PUT', path: '/api/v1/reference', json: REFERENCE_DOC });
      await forbidden(w.tokens.supaRead, { method: 'PUT', path: '/api/v1/reference', json: REFERENCE_DOC });
      for (const token of Object.values(w.tokens).slice(0, 6)) {
        await forbidden(token, { method: 'GET', path: '/api/v1/audit' });
        await forbidden(token, { method: 'GET', path: '/api/v1/tokens' });
        await forbidden(token, { method: 'GET', path: '/api/v1/session' });
      }
      // The right scopes work.
      const ingested = await call(w.base, '/api/v1/messages', { token: w.tokens.ingest, method: 'POST', headers: { 'content-type': 'application/xml' } });
      assert.equal(ingested.status, 400, 'an empty body is refused by the ingest handler, past authorisation');
      const fed = await fetch(`${w.base}/api/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${w.tokens.ingest}`, 'content-type': 'application/xml' }, body: READ_XML });
      assert.equal(fed.status, 201);
      const reference = await call(w.base, '/api/v1/reference', { token: w.tokens.reference, method: 'PUT', json: REFERENCE_DOC });
      assert.equal(reference.status, 200, reference.text);
      assert.equal((await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead })).status, 200);
    });

    it('logs in with a form or JSON: HttpOnly SameSite cookie without Secure on plain http, CSRF token required to write', async () => {
      const form = await call(w.base, '/api/v1/session', { method: 'POST', form: { username: 'supa-admin', password: PASSWORD } });
      assert.equal(form.status, 200, form.text);
      const setCookie = form.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /^srvv_session=[A-Za-z0-9_-]{43};/);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Lax/i);
      assert.doesNotMatch(setCookie, /Secure/i);
      assert.equal(form.body.partyId, 'SUPA');
      assert.equal(form.body.role, 'admin');

      const { cookie, csrf } = await login(w.base, 'supa-admin');
      const me = await call(w.base, '/api/v1/session', { cookie });
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'supa-admin');
      assert.equal(me.body.csrfToken, csrf);
      assert.equal((await call(w.base, '/api/v1/messages', { cookie })).status, 200, 'a session reads without a CSRF token');

      const noCsrf = await call(w.base, '/api/v1/tokens', { cookie, method: 'POST', json: { name: 'from-portal', scope: 'read' } });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.body.error, 'AUTH_CSRF');
      const wrongCsrf = await call(w.base, '/api/v1/tokens', { cookie, csrf: 'x'.repeat(csrf.length), method: 'POST', json: { name: 'from-portal', scope: 'read' } });
      assert.equal(wrongCsrf.status, 403);
      assert.equal((await store.accounts.listTokens('SUPA')).some((t) => t.name === 'from-portal'), false, 'nothing created');
      const created = await call(w.base, '/api/v1/tokens', { cookie, csrf, method: 'POST', json: { name: 'from-portal', scope: 'read', expires: '30d' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.partyId, 'SUPA');
      assert.equal((await call(w.base, '/api/v1/messages', { token: created.body.token })).status, 200);

      // A session may not feed messages or reference data.
      const feed = await call(w.base, '/api/v1/reference', { cookie, csrf, method: 'PUT', json: REFERENCE_DOC });
      assert.equal(feed.status, 403);

      const out = await call(w.base, '/api/v1/session', { cookie, csrf, method: 'DELETE' });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie') ?? '', /srvv_session=;/);
      const after = await call(w.base, '/api/v1/messages', { cookie });
      assert.equal(after.status, 401, 'the session ended on the server, not only in the browser');
    });

    it('marks the cookie Secure behind a trusted TLS proxy', async () => {
      const { buildApp } = await import('../../src/http/build-app.js');
      const app = await buildApp({ store, trustProxy: true });
      try {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/session',
          headers: { 'x-forwarded-proto': 'https', 'content-type': 'application/json' },
          payload: { username: 'supa-viewer', password: PASSWORD },
        });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['set-cookie']), /; Secure/);
      } finally {
        await app.close();
      }
    });

    it('refuses a login posted from another site', async () => {
      const res = await call(w.base, '/api/v1/session', { method: 'POST', json: { username: 'supa-viewer', password: PASSWORD }, headers: { origin: 'https://evil.example' } });
      assert.equal(res.status, 403);
      assert.equal(res.body.error, 'AUTH_CSRF');
      const same = await call(w.base, '/api/v1/session', { method: 'POST', json: { username: 'supa-viewer', password: PASSWORD }, headers: { origin: w.base } });
      assert.equal(same.status, 200);
    });

    it('backs off after repeated failed logins, even for the right password, and says nothing about which part was wrong', async () => {
      const attempt = (password: string, username = 'supb-admin') => call(w.base, '/api/v1/session', { method: 'POST', json: { username, password } });
      const unknown = await attempt('whatever', 'nobody-here');
      assert.equal(unknown.status, 401);
      for (let i = 0; i < 5; i++) {
        const res = await attempt('wrong password ' + i);
        assert.equal(res.status, 401, `failure ${i + 1}`);
        assert.equal(res.body.error, 'AUTH_LOGIN_FAILED');
        assert.equal(res.body.detail, unknown.body.detail);
      }
      const locked = await attempt('wrong again');
      assert.equal(locked.status, 429);
      assert.equal(locked.body.error, 'AUTH_LOCKED');
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
      const right = await attempt(PASSWORD);
      assert.equal(right.status, 429, 'no password is checked while locked');
      await new Promise((r) => setTimeout(r, Number(right.headers.get('retry-after')) * 1000 + 50));
      assert.equal((await attempt(PASSWORD)).status, 200, 'the right password works once the wait is over');
      assert.equal((await attempt('wrong once more')).status, 401, 'a success resets the count');
    });

    it('makes operators state a reason, and only operators', async () => {
      const none = await call(w.base, '/api/v1/messages', { token: w.tokens.opsRead });
      assert.equal(none.status, 400);
      assert.equal(none.body.error, 'API_ACCESS_REASON_REQUIRED');
      const blank = await call(w.base, '/api/v1/messages', { token: w.tokens.opsRead, reason: '  ' });
      assert.equal(blank.status, 400);
      const ok = await call(w.base, '/api/v1/messages', { token: w.tokens.opsRead, reason: 'INC-4711 customer complaint' });
      assert.equal(ok.status, 200);
      const { cookie } = await login(w.base, 'ops-operator');
      assert.equal((await call(w.base, `/api/v1/messages/${w.ids.supbRead}`, { cookie })).status, 400);
      const seen = await call(w.base, `/api/v1/messages/${w.ids.supbRead}`, { cookie, reason: 'INC-4711' });
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body.reasons.map((r: { rule: string }) => r.rule), ['operator']);
      const entries = await store.audit.list({ actor: 'ops-operator' });
      assert.equal(entries.items[0]?.reason, 'INC-4711');
      assert.equal(entries.items[0]?.action, 'view');
      // A supplier needs no reason.
      assert.equal((await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead })).status, 200);
    });

    it('sets security headers', async () => {
      const res = await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead });
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.ok(res.headers.get('strict-transport-security'));
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    });
  });
}

describe('API rate limits (sqlite)', () => {
  const backend = BACKENDS.find((b) => b.name === 'sqlite')!;
  let store: KyselyMessageStore;
  let w: ApiWorld;
  before(async () => {
    store = await backend.open();
    w = await startApiWorld(store, { rateLimit: 5 });
  });
  after(async () => {
    await w?.close();
    if (store) await backend.destroy(store);
  });

  it('limits each token and each user separately', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead })).status, 200);
    const limited = await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'API_RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await call(w.base, '/api/v1/messages', { token: w.tokens.supbRead })).status, 200, 'another token has its own budget');
    const { cookie } = await login(w.base, 'supa-viewer');
    assert.equal((await call(w.base, '/api/v1/messages', { cookie })).status, 200, 'a user has its own budget');
    assert.equal((await call(w.base, '/healthz')).status, 200, 'health checks are not limited');
  });
});
