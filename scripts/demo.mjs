#!/usr/bin/env node
// `npm run demo`: a synthetic world in ./data/demo.db — ten parties (four suppliers, two electricity and two gas
// network operators, two other users) and a DCC operator party, 12,000 devices with links, registrations and
// network-operator certificates, Changes of Supplier and certificate changes inside the last 30 days, and
// 30 days of traffic that follows them (plus security-relevant requests by other users) — then demo accounts,
// tokens and the server on http://127.0.0.1:8080 (PORT / HOST to change). Running it again reuses the
// database; a demo.db from an older version of this script (no DEMO_VERSION marker) is generated afresh.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../dist/cli/main.js';
import { openStore } from '../dist/store/index.js';
import { createWorld, referenceDocumentSlices, writeNdjson } from '../dist/synth/index.js';

const dataDir = resolve('data');
const dbPath = join(dataDir, 'demo.db');
const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? '8080';
// A demo on a loopback address with synthetic data: a published password is fine here and nowhere else.
const DEMO_PASSWORD = 'srvv demo password';
// Bump when the generated world changes: an older demo.db is then generated afresh.
const DEMO_VERSION = '2';
const DAYS = 30;
const DEVICES = 12_000;
const MESSAGES = 450_000;
const SEED = 42;
// [username, party, role, what to say about it]
const ACCOUNTS = [
  ['aurora-admin', 'AURORA', 'admin', 'Aurora Energy (supplier, electricity and gas), admin: users, tokens, audit'],
  ['aurora', 'AURORA', 'viewer', 'Aurora Energy, viewer'],
  ['brightwater', 'BRIGHTWATER', 'viewer', 'Brightwater Power (supplier), viewer'],
  ['dunmore', 'DUNMORE', 'viewer', 'Dunmore Gas (gas supplier), viewer'],
  ['northgrid', 'NORTHGRID', 'viewer', 'Northern Grid Networks (electricity network operator), viewer'],
  ['insight', 'INSIGHT', 'viewer', 'Insight Energy Analytics (other user), viewer'],
  ['ops', 'DCCOPS', 'operator', 'DCC Service Desk (operator: sees everything, gives a reason)'],
];
mkdirSync(dataDir, { recursive: true });

if (existsSync(dbPath) && readMeta('version') !== DEMO_VERSION) {
  console.log(`${dbPath} was made by an older demo (or was interrupted): generating it afresh.`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
}

if (existsSync(dbPath)) {
  console.log(`Reusing ${dbPath} (delete it to start afresh).`);
} else {
  await generate();
}

async function generate() {
  const began = Date.now();
  const traffic = join(dataDir, 'demo-traffic.ndjson');
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const start = new Date(end.getTime() - DAYS * 24 * 3600 * 1000);
  const world = createWorld({ seed: SEED, devices: DEVICES, start });
  const refOpts = { start, end, seed: SEED, changeOfSupplierRate: 0.03, certificateChangeRate: 0.02 };
  const slices = [...referenceDocumentSlices(world, refOpts, 2000)];
  const reference = {
    parties: slices.flatMap((d) => d.parties),
    devices: slices.flatMap((d) => d.devices),
    links: slices.flatMap((d) => d.links),
    registrations: slices.flatMap((d) => d.registrations),
    certificates: slices.flatMap((d) => d.certificates),
  };
  const messagesPerSecond = MESSAGES / (DAYS * 24 * 3600);
  const { count } = await writeNdjson(traffic, world, {
    seed: SEED, count: MESSAGES, start, messagesPerSecond, duplicateRate: 0.001, reference, otherUserSecurityRate: 0.01,
  });
  console.log(`Generated ${count} synthetic DUIS messages over the last ${DAYS} days for ${world.devices.length} devices; ingesting them into ${dbPath}:`);
  await main(['node', 'srvv', 'ingest', traffic, '--db', `sqlite:${dbPath}`]);
  rmSync(traffic, { force: true });
  const store = await openStore(`sqlite:${dbPath}`);
  try {
    const totals = { parties: 0, devices: 0, registrations: 0, certificates: 0 };
    for (const slice of slices) {
      const result = await store.reference.apply(slice);
      totals.parties += result.parties.created;
      totals.devices += result.devices.created;
      totals.registrations += result.registrations.replaced;
      totals.certificates += result.certificates.replaced;
    }
    const cos = reference.registrations.filter((r) => (r.role === 'IS' || r.role === 'GS') && r.history.length > 1).length;
    const certs = reference.certificates.filter((c) => c.history.length > 1 || c.history[0].to !== null).length;
    console.log(`Reference data: ${totals.parties} parties, ${totals.devices} devices, ${totals.registrations} registration histories (${cos} Changes of Supplier), ${totals.certificates} certificate histories (${certs} changed).`);
    const device = await interestingDevice(store);
    writeMeta({ device: device ?? '', generatedAt: new Date().toISOString(), version: DEMO_VERSION });
  } finally {
    await store.close();
  }
  console.log(`Demo data ready in ${((Date.now() - began) / 1000).toFixed(0)} s.`);
}

/**
 * A device of Aurora's that received a security-relevant request from another user: preferably a 7.2 (disable
 * supply) to a meter Aurora gained in a Change of Supplier, else any 7.2, else any such request.
 */
async function interestingDevice(store) {
  const aurora = await store.forParty('AURORA');
  let fallback;
  for (const srv of ['7.2', '6.15.1', undefined]) {
    const page = await aurora.listMessages({ othersOnly: true, kind: 'request', ...(srv ? { srv } : {}), limit: 100 });
    for (const m of page.items) {
      const device = m.deviceIds[0];
      const summary = device && (await aurora.deviceSummary(device));
      if (!summary) continue;
      const gained = summary.responsible.some((r) => r.partyId === 'AURORA' && r.basis === 'responsible-supplier' && new Date(r.from) > new Date(Date.now() - (DAYS + 1) * 86_400_000));
      if (gained) return device;
      fallback ??= device;
    }
    if (fallback) return fallback;
  }
  return undefined;
}

function readMeta(key) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'demo_meta'").get();
    return table ? db.prepare('SELECT value FROM demo_meta WHERE key = ?').get(key)?.value : undefined;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

function writeMeta(entries) {
  const db = new Database(dbPath);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const put = db.prepare('INSERT INTO demo_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    for (const [key, value] of Object.entries(entries)) put.run(key, value);
  } finally {
    db.close();
  }
}

const { read, ingest } = await demoCredentials();
const base = `http://${host}:${port}`;
const device = readMeta('device');
const width = Math.max(...ACCOUNTS.map(([u]) => u.length));
console.log(`
srv-visibility demo on ${base}  (API docs: ${base}/docs)
  Sign in at ${base}/login — every demo user's password is "${DEMO_PASSWORD}":
${ACCOUNTS.map(([u, , , what]) => `    ${u.padEnd(width)}  ${what}`).join('\n')}
  Try, signed in as aurora:
    ${base}/search?othersOnly=true&srv=7.2      other users' disable-supply attempts on Aurora's meters
    ${base}/search?othersOnly=true&originatorRole=ED    network operators' requests to Aurora's devices${device ? `
    ${base}/devices/${device}    a meter another user sent a security-relevant request to` : ''}
  Tokens for today (shown once; make more with npx srvv tokens create):
    READ=${read}      # sees what Aurora may see
    INGEST=${ingest}  # feeds messages
  curl ${base}/healthz
  curl -H "Authorization: Bearer $READ" '${base}/api/v1/messages?othersOnly=true&srv=7.2&limit=5'
  curl -H "Authorization: Bearer $READ" '${base}/api/v1/export.csv?othersOnly=true' > aurora-others.csv
  curl -X POST ${base}/api/v1/messages -H "Authorization: Bearer $INGEST" -H 'Content-Type: application/xml' --data-binary @node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML
  npx srvv ingest node_modules/@smartdcc/duis-templates/templates --db sqlite:${dbPath}
  npx srvv messages --party AURORA --others-only --srv 7.2 --db sqlite:${dbPath}     # what other users sent to Aurora's devices
  npx srvv explain <message id> --party AURORA --db sqlite:${dbPath}                 # and why Aurora may see it
Stop with Ctrl-C.
`);
await main(['node', 'srvv', 'serve', '--db', `sqlite:${dbPath}`, '--host', host, '--port', port]);

/**
 * Demo accounts (created once) and a fresh read and ingest token for this run, valid for a day: a token's secret
 * is shown only when it is created.
 */
async function demoCredentials() {
  const store = await openStore(`sqlite:${dbPath}`);
  try {
    const existing = new Set((await store.accounts.listUsers()).map((u) => u.username));
    for (const [username, partyId, role] of ACCOUNTS) {
      if (!existing.has(username)) await store.accounts.addUser({ username, partyId, role, password: DEMO_PASSWORD });
    }
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    const day = 24 * 3600 * 1000;
    const read = await store.accounts.createToken({ name: `demo-read-${stamp}`, scope: 'read', partyId: 'AURORA', expiresInMs: day });
    const ingest = await store.accounts.createToken({ name: `demo-ingest-${stamp}`, scope: 'ingest', expiresInMs: day });
    return { read: read.token, ingest: ingest.token };
  } finally {
    await store.close();
  }
}
