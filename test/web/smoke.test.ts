import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, loginThroughForm, screenshot, servesHtml, startWebWorld, type WebWorld } from './browser.js';

// The harness end to end: a real server, Debian's Chromium, a screenshot of what it rendered.
describe('browser harness (headless Chromium)', { skip: browserSkipReason() }, () => {
  let w: WebWorld;
  before(async () => {
    w = await startWebWorld();
  });
  after(async () => {
    await w?.close();
  });

  it('renders the Swagger UI at /docs with the API title', async () => {
    const { page, errors, httpErrors } = await w.newPage();
    const res = await page.goto(`${w.base}/docs`);
    assert.equal(res?.ok(), true, `GET /docs answered ${res?.status()}`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'srv-visibility API' }).waitFor();
    await page.locator('.opblock').first().waitFor(); // the operations rendered from /api/v1/openapi.json
    const path = await screenshot(page, 'smoke-docs');
    assert.ok(existsSync(path) && statSync(path).size > 10_000, `${path} looks empty`);
    assert.deepEqual([...errors, ...httpErrors], []);
  });

  it('logs a supplier in through the portal login page', async (t) => {
    if (!(await servesHtml(w.base, '/login'))) {
      t.skip('the portal does not serve /login yet');
      return;
    }
    const { page, errors, httpErrors } = await w.newPage();
    await page.goto(`${w.base}/login`);
    await screenshot(page, 'smoke-login');
    await loginThroughForm(page, w.base, 'supa-admin');
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'smoke-after-login');
    const session = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()) as { username?: string });
    assert.equal(session.username, 'supa-admin', JSON.stringify(session));
    // Before logging in, the portal asks who is logged in: 401.
    const unexpected = httpErrors.filter((e) => !/^401 GET \S+\/api\/v1\/session$/.test(e));
    assert.deepEqual([...errors, ...unexpected], []);
  });
});
