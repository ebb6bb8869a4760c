#!/usr/bin/env node
// `npm run demo`: a synthetic world's reference data (parties, devices, links, registrations with Changes of
// Supplier, network-operator certificates) and a day of its traffic in ./data/demo.db, then the server on
// http://127.0.0.1:8080 (PORT / HOST to change). Running it again reuses the database.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main } from '../dist/cli/main.js';
import { openStore } from '../dist/store/index.js';
import { createWorld, referenceDocument, writeNdjson } from '../dist/synth/index.js';

const dataDir = resolve('data');
const dbPath = join(dataDir, 'demo.db');
const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? '8080';
// A demo on a loopback address with synthetic data: a published password is fine here and nowhere else.
const DEMO_PASSWORD = 'srvv demo password';
mkdirSync(dataDir, { recursive: true });

if (existsSync(dbPath) && !(await hasReferenceData())) {
  console.log(`${dbPath} predates reference data: generating it afresh.`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
}

if (existsSync(dbPath)) {
  console.log(`Reusing ${dbPath} (delete it to start afresh).`);
} else {
  const traffic = join(dataDir, 'demo-traffic.ndjson');
  const start = new Date(Date.now() - 24 * 3600 * 1000);
  const world = createWorld({ seed: 42, devices: 2000, start });
  const { count } = await writeNdjson(traffic, world, { seed: 42, count: 20_000, start, messagesPerSecond: 0.25, duplicateRate: 0.001 });
  console.log(`Generated ${count} synthetic DUIS messages over the last day; ingesting them into ${dbPath}:`);
  await main(['node', 'srvv', 'ingest', traffic, '--db', `sqlite:${dbPath}`]);
  rmSync(traffic, { force: true });
  const store = await openStore(`sqlite:${dbPath}`);
  try {
    const result = await store.reference.apply(referenceDocument(world, { start, end: new Date(), seed: 42 }));
    console.log(`Reference data: ${result.parties.created} parties, ${result.devices.created} devices, ${result.registrations.replaced} registration histories, ${result.certificates.replaced} certificate histories.`);
  } finally {
    await store.close();
  }
}

const { read, ingest } = await demoCredentials();
const base = `http://${host}:${port}`;
console.log(`
srv-visibility demo on ${base}  (API docs: ${base}/docs)
  Portal users (password "${DEMO_PASSWORD}"): aurora-admin (Aurora Energy, admin), aurora (viewer), ops (DCC operator)
  Tokens for today (shown once; make more with npx srvv tokens create):
    READ=${read}      # sees what Aurora may see
    INGEST=${ingest}  # feeds messages
  curl ${base}/healthz
  curl -H "Authorization: Bearer $READ" '${base}/api/v1/messages?othersOnly=true&limit=5'
  curl -H "Authorization: Bearer $READ" '${base}/api/v1/export.csv?othersOnly=true' > aurora-others.csv
  curl -X POST ${base}/api/v1/messages -H "Authorization: Bearer $INGEST" -H 'Content-Type: application/xml' --data-binary @node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML
  npx srvv ingest node_modules/@smartdcc/duis-templates/templates --db sqlite:${dbPath}
  npx srvv messages --party AURORA --others-only --db sqlite:${dbPath}     # what other users sent to Aurora's devices
  npx srvv explain <message id> --party AURORA --db sqlite:${dbPath}       # and why Aurora may see it
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
    for (const [username, partyId, role] of [['aurora-admin', 'AURORA', 'admin'], ['aurora', 'AURORA', 'viewer'], ['ops', 'DCCOPS', 'operator']]) {
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

async function hasReferenceData() {
  const store = await openStore(`sqlite:${dbPath}`);
  try {
    return (await store.reference.listParties()).length > 0;
  } finally {
    await store.close();
  }
}
