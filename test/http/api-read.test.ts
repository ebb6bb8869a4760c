import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from '../store-suite/backends.js';
import * as f from '../store-suite/fixtures.js';
import { call, login, MPAN, startApiWorld, USER, type ApiWorld } from './api-world.js';

const ITEM_FIELDS = [
  'id', 'kind', 'requestId', 'responseId', 'srv', 'srvName', 'commandVariant', 'originatorId', 'originatorRole', 'targetId', 'deviceIds',
  'responseCode', 'alertCode', 'time', 'receivedAt', 'critical', 'securityRelevant', 'own',
];

for (const backend of BACKENDS) {
  describe(`API reads under the visibility rules (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    let w: ApiWorld;
    const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((m) => m.id).sort();
    before(async () => {
      store = await backend.open();
      await backend.clear(store);
      w = await startApiWorld(store);
    });
    after(async () => {
      await w?.close();
      if (store) await backend.destroy(store);
    });

    it('lists exactly what each party may see, with every item field', async () => {
      const supa = await call(w.base, '/api/v1/messages', { token: w.tokens.supaRead });
      assert.equal(supa.status, 200);
      assert.deepEqual(ids(supa), [w.ids.disable, w.ids.disableAck, w.ids.disableResponse, w.ids.supaRead].sort());
      assert.equal(supa.body.nextCursor, null);
      const disable = supa.body.items.find((m: { id: string }) => m.id === w.ids.disable);
      assert.deepEqual(Object.keys(disable).sort(), [...ITEM_FIELDS].sort());
      assert.deepEqual(
        { ...disable, id: undefined },
        {
          id: undefined,
          kind: 'request',
          requestId: w.requestIds.disable,
          responseId: null,
          srv: '7.2',
          srvName: disable.srvName,
          commandVariant: 1,
          originatorId: USER.other,
          originatorRole: 'OU',
          targetId: f.ESME,
          deviceIds: [f.ESME],
          responseCode: null,
          alertCode: null,
          time: '2026-03-02T09:00:00.000Z',
          receivedAt: '2026-03-02T09:00:00.000Z',
          critical: true,
          securityRelevant: true,
          own: false,
        },
      );
      assert.match(disable.srvName, /Disable Supply/i);
      const own = supa.body.items.find((m: { id: string }) => m.id === w.ids.supaRead);
      assert.equal(own.own, true);
      assert.equal(own.securityRelevant, false);

      const supb = await call(w.base, '/api/v1/messages', { token: w.tokens.supbRead });
      assert.deepEqual(ids(supb), [w.ids.supbRead, w.ids.supbAlert].sort());
      const alert = supb.body.items.find((m: { id: string }) => m.id === w.ids.supbAlert);
      assert.equal(alert.kind, 'device-alert');
      assert.equal(alert.alertCode, '8F66');
      assert.equal(alert.originatorRole, null, 'an alert answering no request has no originator');
      const dno = await call(w.base, '/api/v1/messages', { token: w.tokens.dnoRead });
      assert.deepEqual(ids(dno), [w.ids.disable, w.ids.disableAck, w.ids.disableResponse, w.ids.supaRead].sort());
    });

    it('filters and pages, and "othersOnly" drops the caller\'s own traffic', async () => {
      const others = await call(w.base, '/api/v1/messages?othersOnly=true', { token: w.tokens.supaRead });
      assert.deepEqual(ids(others), [w.ids.disable, w.ids.disableAck, w.ids.disableResponse].sort());
      const critical = await call(w.base, `/api/v1/messages?srv=7.2&kind=request&deviceId=${f.ESME.toLowerCase().replace(/-/g, '')}`, { token: w.tokens.supaRead });
      assert.deepEqual(ids(critical), [w.ids.disable]);
      const byMpan = await call(w.base, `/api/v1/messages?mpxn=${MPAN}&originatorRole=OU`, { token: w.tokens.supaRead });
      assert.deepEqual(ids(byMpan), [w.ids.disable, w.ids.disableAck, w.ids.disableResponse].sort(), 'answers carry the RequestID of OU\'s request');
      const window = await call(w.base, '/api/v1/messages?from=2026-03-02T09:00:01Z&to=2026-03-02T10:00:00Z', { token: w.tokens.supaRead });
      assert.deepEqual(ids(window), [w.ids.disableAck, w.ids.disableResponse].sort());
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof call>> = await call(w.base, `/api/v1/messages?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: w.tokens.supaRead });
        assert.equal(page.status, 200);
        assert.ok(page.body.items.length <= 1);
        seen.push(...page.body.items.map((m: { id: string }) => m.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual([...seen].sort(), [w.ids.disable, w.ids.disableAck, w.ids.disableResponse, w.ids.supaRead].sort());
      assert.equal(new Set(seen).size, seen.length, 'no repeats across pages');
    });

    it('refuses bad parameters with a precise 400', async () => {
      const cases: Array<[string, RegExp]> = [
        ['limit=1001', /limit must be <= 1000/],
        ['limit=0', /limit must be >= 1/],
        ['deviceId=zz', /deviceId must match pattern/],
        ['kind=alert', /kind must be equal to one of the allowed values/],
        ['from=2026-03-02T09:00:00', /from must match format "date-time"/],
        ['from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z', /from \(2026-03-03T00:00:00Z\) must be before to/],
        ['othersOnly=maybe', /othersOnly must be boolean/],
        ['colour=red', /must NOT have additional properties/],
        ['cursor=bm90LWEtY3Vyc29y', /malformed cursor/],
        [`originatorRole=XX`, /originatorRole must be equal to one of the allowed values/],
      ];
      for (const [query, detail] of cases) {
        const res = await call(w.base, `/api/v1/messages?${query}`, { token: w.tokens.supaRead });
        assert.equal(res.status, 400, query);
        assert.match(res.body.detail, detail, `${query}: ${res.body.detail}`);
        assert.match(res.body.error, /^(API_INVALID_PARAMETER|STORE_INVALID_QUERY)$/);
      }
      const badId = await call(w.base, '/api/v1/messages/abc', { token: w.tokens.supaRead });
      assert.equal(badId.status, 400);
    });

    it('shows a visible message in full: header, catalogue, XML, thread and reasons', async () => {
      const res = await call(w.base, `/api/v1/messages/${w.ids.disableResponse}`, { token: w.tokens.supaRead });
      assert.equal(res.status, 200, res.text);
      const m = res.body;
      assert.equal(m.kind, 'response');
      assert.equal(m.catalogue.srv.variant, '7.2');
      assert.equal(m.catalogue.srv.critical, true);
      assert.equal(m.catalogue.srv.category, 'supply');
      assert.ok(m.catalogue.srv.eligibleRoles.length > 0);
      assert.equal(m.catalogue.responseCode.code, 'I0');
      assert.equal(m.header.responderId, f.ESME);
      assert.equal(m.xml, (await store.getOriginalXml(w.ids.disableResponse))!.toString('utf8'));
      assert.deepEqual(m.thread.members.map((x: { id: string }) => x.id), [w.ids.disable, w.ids.disableAck, w.ids.disableResponse]);
      assert.equal(m.thread.status, 'responded-success');
      // Every reason, as an explanation: its own period, and the thread of a request it also sees.
      assert.deepEqual(m.reasons.map((r: { rule: string }) => r.rule).sort(), ['responsible-supplier', 'thread']);
      assert.match(m.reasons[0].text, new RegExp(MPAN));
    });

    it('answers 404 for invisible exactly as for non-existent: by id, thread, device, filters, counts and export', async () => {
      const invisible = await call(w.base, `/api/v1/messages/${w.ids.disable}`, { token: w.tokens.supbRead });
      const missing = await call(w.base, '/api/v1/messages/999999', { token: w.tokens.supbRead });
      assert.equal(invisible.status, 404);
      assert.equal(missing.status, 404);
      assert.deepEqual(Object.keys(invisible.body).sort(), Object.keys(missing.body).sort());
      assert.equal(invisible.body.error, missing.body.error);
      assert.equal(invisible.body.detail.replace(w.ids.disable, 'N'), missing.body.detail.replace('999999', 'N'));
      // Guessing ids around SUPA's messages finds only SUPB's own.
      for (const id of Object.values(w.ids)) {
        const res = await call(w.base, `/api/v1/messages/${id}`, { token: w.tokens.supbRead });
        assert.equal(res.status, id === w.ids.supbRead || id === w.ids.supbAlert ? 200 : 404, id);
      }
      const thread = await call(w.base, `/api/v1/threads/${encodeURIComponent(w.requestIds.disable)}`, { token: w.tokens.supbRead });
      const noThread = await call(w.base, `/api/v1/threads/${encodeURIComponent(`${USER.other}:${f.ESME}:424242`)}`, { token: w.tokens.supbRead });
      assert.equal(thread.status, 404);
      assert.equal(noThread.status, 404);
      assert.equal(thread.body.error, noThread.body.error);
      const device = await call(w.base, `/api/v1/devices/${f.ESME}`, { token: w.tokens.supbRead });
      const noDevice = await call(w.base, '/api/v1/devices/00-00-00-00-00-00-00-01', { token: w.tokens.supbRead });
      assert.equal(device.status, 404);
      assert.equal(noDevice.status, 404);
      for (const q of [`deviceId=${f.ESME}`, `mpxn=${MPAN}`, `requestId=${encodeURIComponent(w.requestIds.disable)}`, 'srv=7.2', `originatorId=${USER.other}`]) {
        const res = await call(w.base, `/api/v1/messages?${q}`, { token: w.tokens.supbRead });
        assert.deepEqual(res.body.items, [], q);
        const csv = await call(w.base, `/api/v1/export.csv?${q}`, { token: w.tokens.supbRead });
        assert.equal(csv.text.trim().split('\r\n').length, 1, `export ${q}: header only`);
      }
    });

    it('shows threads as the caller sees them', async () => {
      const path = `/api/v1/threads/${encodeURIComponent(w.requestIds.disable)}`;
      const supa = await call(w.base, path, { token: w.tokens.supaRead });
      assert.equal(supa.status, 200);
      assert.equal(supa.body.status, 'responded-success');
      assert.equal(supa.body.request.id, w.ids.disable);
      assert.equal(supa.body.timings.requestToAcknowledgementMs, 1000);
      assert.deepEqual(supa.body.members.map((m: { kind: string }) => m.kind), ['request', 'acknowledgement', 'response']);
    });

    it('summarises a device as far as the caller may see it', async () => {
      const supa = await call(w.base, `/api/v1/devices/${f.ESME}`, { token: w.tokens.supaRead });
      assert.equal(supa.status, 200, supa.text);
      assert.equal(supa.body.type, 'ESME');
      assert.deepEqual(supa.body.links.map((l: { mpxn: string }) => l.mpxn), [MPAN]);
      assert.equal(supa.body.counts.total, 4);
      assert.equal(supa.body.counts.byKind.request, 2);
      assert.equal(supa.body.counts.byOriginatorRole.OU, 3);
      assert.equal(supa.body.counts.byOriginatorRole.IS, 1);
      assert.ok(supa.body.responsible.every((r: { partyId: string }) => r.partyId !== 'SUPB'));
    });

    it('exports a search as RFC 4180 CSV with the item fields, and records the rows sent', async () => {
      const res = await fetch(`${w.base}/api/v1/export.csv?othersOnly=false`, { headers: { authorization: `Bearer ${w.tokens.supaRead}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      const text = await res.text();
      assert.ok(text.endsWith('\r\n'));
      const rows = parseCsv(text, { columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(Object.keys(rows[0]!), ITEM_FIELDS);
      const listed = await call(w.base, '/api/v1/messages?limit=1000', { token: w.tokens.supaRead });
      assert.deepEqual(rows.map((r) => r.id), listed.body.items.map((m: { id: string }) => m.id));
      const disable = rows.find((r) => r.id === w.ids.disable)!;
      assert.equal(disable.deviceIds, f.ESME);
      assert.equal(disable.critical, 'true');
      assert.equal(disable.responseCode, '');
      const srvName = listed.body.items.find((m: { id: string }) => m.id === w.ids.disable).srvName as string;
      if (/[",]/.test(srvName)) assert.ok(text.includes(`"${srvName.replace(/"/g, '""')}"`), 'quoted as RFC 4180 asks');
      const limited = await call(w.base, '/api/v1/export.csv?limit=2', { token: w.tokens.supaRead });
      assert.equal(limited.text.trim().split('\r\n').length, 3);
      const entries = await store.audit.list({ actor: (await store.accounts.listTokens('SUPA')).find((t) => t.name === 'supa-read')!.id, action: 'export' });
      assert.deepEqual(entries.items.slice(0, 2).map((e) => e.rows), [2, 4]);
      assert.deepEqual(entries.items[0]!.subject, { limit: 2 });
    });

    it('audits every search, view and export; an admin reads its party\'s audit, an operator everyone\'s, a viewer none', async () => {
      const before = (await store.audit.list({ limit: 1000 })).items.length;
      await call(w.base, '/api/v1/messages?srv=7.2', { token: w.tokens.dnoRead });
      await call(w.base, `/api/v1/messages/${w.ids.disable}`, { token: w.tokens.dnoRead });
      await call(w.base, `/api/v1/messages/${w.ids.supbRead}`, { token: w.tokens.dnoRead });
      const all = (await store.audit.list({ limit: 1000 })).items;
      assert.equal(all.length, before + 3);
      const [notFound, view, search] = all;
      assert.deepEqual([search!.action, search!.subject, search!.rows, search!.actor.partyId], ['search', { srv: '7.2', limit: 50 }, 2, 'DNO']);
      assert.deepEqual([view!.action, view!.subject, view!.rows], ['view', { messageId: w.ids.disable }, 1]);
      assert.deepEqual([notFound!.action, notFound!.rows], ['view', 0]);

      const admin = await login(w.base, 'supa-admin');
      const mine = await call(w.base, '/api/v1/audit?limit=1000', { cookie: admin.cookie });
      assert.equal(mine.status, 200);
      assert.ok(mine.body.items.length > 0);
      assert.ok(mine.body.items.every((e: { actor: { partyId: string } }) => e.actor.partyId === 'SUPA'));
      const sneaky = await call(w.base, '/api/v1/audit?partyId=DNO', { cookie: admin.cookie });
      assert.equal(sneaky.status, 400);
      const viewer = await login(w.base, 'supa-viewer');
      assert.equal((await call(w.base, '/api/v1/audit', { cookie: viewer.cookie })).status, 403);
      const ops = await login(w.base, 'ops-operator');
      const everyone = await call(w.base, '/api/v1/audit?limit=1000&partyId=DNO', { cookie: ops.cookie, reason: 'quarterly access review' });
      assert.equal(everyone.status, 200);
      assert.ok(everyone.body.items.length >= 3);
      assert.ok(everyone.body.items.every((e: { actor: { partyId: string } }) => e.actor.partyId === 'DNO'));
      const verification = await store.audit.verify();
      assert.equal(verification.ok, true);
    });

    it('lets a party admin manage its own users and tokens, and nobody else\'s', async () => {
      const admin = await login(w.base, 'supa-admin');
      const users = await call(w.base, '/api/v1/users', { cookie: admin.cookie });
      assert.deepEqual(users.body.items.map((u: { username: string }) => u.username), ['supa-admin', 'supa-viewer']);
      const added = await call(w.base, '/api/v1/users', { cookie: admin.cookie, csrf: admin.csrf, method: 'POST', json: { username: 'supa-analyst', password: 'a long enough password' } });
      assert.equal(added.status, 201, added.text);
      assert.deepEqual(added.body, { username: 'supa-analyst', partyId: 'SUPA', role: 'viewer', hasPassword: true });
      const operator = await call(w.base, '/api/v1/users', { cookie: admin.cookie, csrf: admin.csrf, method: 'POST', json: { username: 'supa-op', role: 'operator', password: 'a long enough password' } });
      assert.equal(operator.status, 400);
      const tokens = await call(w.base, '/api/v1/tokens', { cookie: admin.cookie });
      assert.ok(tokens.body.items.every((t: { partyId: string }) => t.partyId === 'SUPA'));
      assert.ok(!JSON.stringify(tokens.body).includes('srvv_'), 'no secrets');
      const supbToken = (await store.accounts.listTokens('SUPB'))[0]!;
      const foreign = await call(w.base, `/api/v1/tokens/${supbToken.id}`, { cookie: admin.cookie, csrf: admin.csrf, method: 'DELETE' });
      assert.equal(foreign.status, 404);
      assert.equal((await call(w.base, '/api/v1/messages', { token: w.tokens.supbRead })).status, 200, 'still valid');
      const viewer = await login(w.base, 'supa-viewer');
      assert.equal((await call(w.base, '/api/v1/users', { cookie: viewer.cookie })).status, 403);
      assert.equal((await call(w.base, '/api/v1/users/supa-analyst', { cookie: viewer.cookie, csrf: viewer.csrf, method: 'DELETE' })).status, 403);

      // Removing a user: only of the admin's own party, never the admin's own account; the user's sessions end.
      const analyst = await login(w.base, 'supa-analyst', 'a long enough password');
      assert.equal((await call(w.base, '/api/v1/messages', { cookie: analyst.cookie })).status, 200);
      const other = await call(w.base, '/api/v1/users/supb-admin', { cookie: admin.cookie, csrf: admin.csrf, method: 'DELETE' });
      assert.equal(other.status, 404);
      const self = await call(w.base, '/api/v1/users/supa-admin', { cookie: admin.cookie, csrf: admin.csrf, method: 'DELETE' });
      assert.equal(self.status, 409);
      assert.match(self.body.detail, /own account/);
      const noCsrf = await call(w.base, '/api/v1/users/supa-analyst', { cookie: admin.cookie, method: 'DELETE' });
      assert.equal(noCsrf.status, 403);
      const removed = await call(w.base, '/api/v1/users/supa-analyst', { cookie: admin.cookie, csrf: admin.csrf, method: 'DELETE' });
      assert.equal(removed.status, 200, removed.text);
      assert.deepEqual(removed.body, { username: 'supa-analyst', partyId: 'SUPA', role: 'viewer', hasPassword: true });
      assert.equal((await call(w.base, '/api/v1/messages', { cookie: analyst.cookie })).status, 401, 'the session ended with the account');
      assert.equal((await call(w.base, '/api/v1/users/supa-analyst', { cookie: admin.cookie, csrf: admin.csrf, method: 'DELETE' })).status, 404);
      const left = await call(w.base, '/api/v1/users', { cookie: admin.cookie });
      assert.deepEqual(left.body.items.map((u: { username: string }) => u.username), ['supa-admin', 'supa-viewer']);
      assert.ok(await store.accounts.listUsers('SUPB').then((u) => u.some((x) => x.username === 'supb-admin')), 'the other party untouched');
    });
  });
}
