import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../src/http/build-app.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import * as f from '../store-suite/fixtures.js';
import { doc, ingest, party, period } from '../visibility/scenario-helpers.js';

/*
 * A small MP141 world behind a real HTTP server on a loopback port, for the API specs:
 * - SUPA (Import Supplier) is responsible for the ESME through its MPAN; DNO holds the ESME's certificate;
 * - SUPB (another supplier) is responsible for the GSME only; OTHER (OU) sends commands; OPS is the DCC operator.
 * OTHER's 7.2 (disable supply) to the ESME is visible to SUPA, DNO and OTHER, never to SUPB.
 */
export const USER = {
  supa: '90-B3-D5-1F-30-01-00-00', // IS
  supb: '90-B3-D5-1F-30-01-00-01', // IS
  dno: '90-B3-D5-1F-30-02-00-00', // ED
  other: '90-B3-D5-1F-30-04-00-00', // OU
} as const;
export const MPAN = '1200000000001';
export const MPRN = '3000000001';
export const PASSWORD = 'correct horse battery staple';

export interface ApiWorld {
  app: FastifyInstance;
  base: string;
  /** Store ids by name. */
  ids: Record<'disable' | 'disableAck' | 'disableResponse' | 'supaRead' | 'supbRead' | 'supbAlert', string>;
  /** Token secrets by name. */
  tokens: Record<'supaRead' | 'supbRead' | 'dnoRead' | 'opsRead' | 'ingest' | 'reference' | 'expired' | 'revoked', string>;
  /** Request ids (canonical text) by name. */
  requestIds: Record<'disable' | 'supbRead', string>;
  close(): Promise<void>;
}

export async function seedWorld(store: KyselyMessageStore): Promise<Omit<ApiWorld, 'app' | 'base' | 'close'>> {
  await store.reference.apply(
    doc({
      parties: [
        party('SUPA', [[USER.supa, 'IS']]),
        party('SUPB', [[USER.supb, 'IS']]),
        party('DNO', [[USER.dno, 'ED']]),
        party('OTHER', [[USER.other, 'OU']]),
        party('OPS', [], true),
      ],
      devices: [
        { deviceId: f.ESME, type: 'ESME' },
        { deviceId: f.GSME, type: 'GSME' },
      ],
      links: [
        { deviceId: f.ESME, history: [{ mpxn: MPAN, ...period('2026-01-01T00:00:00Z', null) }] },
        { deviceId: f.GSME, history: [{ mpxn: MPRN, ...period('2026-01-01T00:00:00Z', null) }] },
      ],
      registrations: [
        { mpxn: MPAN, role: 'IS', history: [{ partyId: 'SUPA', ...period('2026-01-01T00:00:00Z', null) }] },
        { mpxn: MPRN, role: 'GS', history: [{ partyId: 'SUPB', ...period('2026-01-01T00:00:00Z', null) }] },
      ],
      certificates: [{ deviceId: f.ESME, history: [{ partyId: 'DNO', ...period('2026-01-01T00:00:00Z', null) }] }],
    }),
  );
  // SUPB's User ID is IS, the GSME's registration GS: SUPB sees its own traffic only, never SUPA's.
  const disable = f.reqId(USER.other, f.ESME, 1);
  const supaRead = f.reqId(USER.supa, f.ESME, 2);
  const supbRead = f.reqId(USER.supb, f.GSME, 3);
  const [d, dAck, dResp, sa, sb, alert] = await ingest(store, [
    [f.request(disable, '7.2', { bodyElement: 'DisableSupply' }), '2026-03-02T09:00:00.000Z'],
    [f.acknowledgement(disable), '2026-03-02T09:00:01.000Z'],
    [f.response(disable, { responder: f.ESME, recipient: USER.other, counter: '1' }, { at: '2026-03-02T09:00:05.000Z', srv: '7.2' }), '2026-03-02T09:00:06.000Z'],
    [f.request(supaRead, '4.1.1'), '2026-03-02T10:00:00.000Z'],
    [f.request(supbRead, '4.1.1'), '2026-03-02T11:00:00.000Z'],
    [f.deviceAlert(null, { responder: f.GSME, recipient: USER.supb, counter: '9' }, '8F66', '2026-03-02T12:00:00.000Z'), '2026-03-02T12:00:01.000Z'],
  ]);

  for (const [username, partyId, role] of [
    ['supa-admin', 'SUPA', 'admin'],
    ['supa-viewer', 'SUPA', 'viewer'],
    ['supb-admin', 'SUPB', 'admin'],
    ['ops-operator', 'OPS', 'operator'],
  ] as const) {
    await store.accounts.addUser({ partyId, username, role, password: PASSWORD });
  }
  const token = async (name: string, scope: 'read' | 'ingest' | 'reference', partyId?: string, expiresInMs?: number, now?: number) =>
    (await store.accounts.createToken({ name, scope, ...(partyId ? { partyId } : {}), ...(expiresInMs ? { expiresInMs } : {}) }, now)).token;
  const tokens = {
    supaRead: await token('supa-read', 'read', 'SUPA'),
    supbRead: await token('supb-read', 'read', 'SUPB'),
    dnoRead: await token('dno-read', 'read', 'DNO'),
    opsRead: await token('ops-read', 'read', 'OPS'),
    ingest: await token('feed-ingest', 'ingest'),
    reference: await token('feed-reference', 'reference'),
    expired: await token('supa-expired', 'read', 'SUPA', 60_000, Date.now() - 120_000),
    revoked: await token('supa-revoked', 'read', 'SUPA'),
  };
  await store.accounts.revokeToken('supa-revoked');
  return {
    ids: { disable: d!, disableAck: dAck!, disableResponse: dResp!, supaRead: sa!, supbRead: sb!, supbAlert: alert! },
    tokens,
    requestIds: { disable: `${USER.other}:${f.ESME}:1`, supbRead: `${USER.supb}:${f.GSME}:3` },
  };
}

/** Seeds the world and serves it on 127.0.0.1 (a real listening server; requests go through fetch). */
export async function startApiWorld(store: KyselyMessageStore, options: Partial<BuildAppOptions> = {}): Promise<ApiWorld> {
  const seeded = await seedWorld(store);
  const app = await buildApp({ store, ...options });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { ...seeded, app, base: address, close: () => app.close() };
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  csrf?: string;
  reason?: string;
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, when the answer is JSON. */
  body: any;
}

/** One HTTP request to the world's server. */
export async function call(base: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.reason) headers['x-access-reason'] = options.reason;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const res = await fetch(base + path, { method: options.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, text, body: type.includes('json') && text ? JSON.parse(text) : undefined };
}

/** Logs in and returns the cookie header value and the CSRF token. */
export async function login(base: string, username: string, password = PASSWORD): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await call(base, '/api/v1/session', { method: 'POST', json: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, csrf: res.body.csrfToken, setCookie };
}
