import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { listSrvs } from '../../src/catalogue/index.js';
import { PAGE_PATHS } from '../../src/http/routes/web/web-routes.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import { call, login, startApiWorld, type ApiWorld } from './api-world.js';

// The portal's modules are compiled by `npm run build` (tsc -p web/tsconfig.json); `npm test` builds first.
const BUILT = existsSync('dist/web/app.js');
const backend = BACKENDS.find((b) => b.name === 'sqlite') ?? BACKENDS[0]!;

describe('the portal served by srvv serve', { skip: backend.skip }, () => {
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

  it('answers every page path with the HTML shell, under the CSP, without inline scripts and without credentials', async () => {
    const examples = PAGE_PATHS.map((p) => p.replace(':deviceId', '00-DB-12-34-56-78-90-A0').replace(':id', '12'));
    for (const path of [...examples, '/search?deviceId=00-DB-12-34-56-78-90-A0&othersOnly=true']) {
      const res = await call(w.base, path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(res.text, /<script type="module" src="\/assets\/app\.js"><\/script>/);
      for (const tag of res.text.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc=/, `inline script in ${path}: ${tag}`);
      assert.doesNotMatch(res.text, /\son[a-z]+=/i, 'no inline event handlers');
    }
  });

  it('leaves other paths to the JSON 404', async () => {
    for (const path of ['/nope', '/devices', '/messages/1/extra', '/admin', '/assets/x', '/assets/../package.json', '/api/v1/nope']) {
      const res = await call(w.base, path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /json/, path);
    }
  });

  it('serves the stylesheet and, once built, the modules', { skip: !BUILT && 'dist/web not built: run npm run build' }, async () => {
    const css = await call(w.base, '/assets/app.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    for (const path of ['/assets/app.js', '/assets/pages/search-page.js', '/assets/xml-pretty.js']) {
      const js = await call(w.base, path);
      assert.equal(js.status, 200, path);
      assert.match(js.headers.get('content-type') ?? '', /^(text|application)\/javascript/, path);
    }
    // Every relative import of the entry graph resolves (no bundler: the browser loads each module itself).
    const seen = new Set<string>();
    const visit = async (path: string): Promise<void> => {
      if (seen.has(path)) return;
      seen.add(path);
      const res = await call(w.base, path);
      assert.equal(res.status, 200, `${path} (imported)`);
      for (const m of res.text.matchAll(/^import\s[^'"]*['"](\.[^'"]+)['"]/gm)) await visit(new URL(m[1]!, `http://x${path}`).pathname);
    };
    await visit('/assets/app.js');
    assert.ok(seen.size > 10, `${seen.size} modules`);
  });

  it('GET /api/v1/catalogue/srvs needs credentials and answers the catalogue', async () => {
    assert.equal((await call(w.base, '/api/v1/catalogue/srvs')).status, 401);
    assert.equal((await call(w.base, '/api/v1/catalogue/srvs', { token: w.tokens.ingest })).status, 403);
    const session = await login(w.base, 'supa-viewer');
    for (const res of [await call(w.base, '/api/v1/catalogue/srvs', { token: w.tokens.supaRead }), await call(w.base, '/api/v1/catalogue/srvs', { cookie: session.cookie })]) {
      assert.equal(res.status, 200);
      assert.equal(res.body.items.length, listSrvs().length);
      const disable = res.body.items.find((e: { variant: string }) => e.variant === '7.2');
      assert.deepEqual(Object.keys(disable).sort(), ['category', 'critical', 'name', 'securityRelevant', 'variant']);
      assert.equal(disable.critical, true);
    }
  });

  it("takes an operator session's reason from the srvv_access_reason cookie, never a token's; the header wins", async () => {
    const ops = await login(w.base, 'ops-operator');
    const none = await call(w.base, '/api/v1/messages', { cookie: ops.cookie });
    assert.equal(none.status, 400);
    assert.equal(none.body.error, 'API_ACCESS_REASON_REQUIRED');

    const withCookie = `${ops.cookie}; srvv_access_reason=${encodeURIComponent('INC-42 meter query')}`;
    const page = await call(w.base, '/api/v1/messages', { cookie: withCookie });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.items.length, 6, 'an operator sees everything');
    const csv = await call(w.base, '/api/v1/export.csv', { cookie: withCookie });
    assert.equal(csv.status, 200, 'the CSV export link carries the reason without headers');
    const both = await call(w.base, '/api/v1/messages?limit=1', { cookie: withCookie, reason: 'the header wins' });
    assert.equal(both.status, 200, both.text);
    const audit = await call(w.base, '/api/v1/audit?limit=3', { cookie: withCookie });
    assert.equal(audit.status, 200, audit.text);
    assert.deepEqual(
      audit.body.items.map((e: { action: string; reason: string }) => [e.action, e.reason]),
      [['search', 'the header wins'], ['export', 'INC-42 meter query'], ['search', 'INC-42 meter query']],
    );

    const shortCookie = await call(w.base, '/api/v1/messages', { cookie: `${ops.cookie}; srvv_access_reason=x` });
    assert.equal(shortCookie.status, 400, 'the cookie is held to the same rule');

    const token = await call(w.base, '/api/v1/messages', { token: w.tokens.opsRead, headers: { cookie: 'srvv_access_reason=INC-42' } });
    assert.equal(token.status, 400, 'tokens must send the header');
    assert.equal(token.body.error, 'API_ACCESS_REASON_REQUIRED');
  });
});
