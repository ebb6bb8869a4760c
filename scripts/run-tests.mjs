#!/usr/bin/env node
// Runs the whole test suite with Node's test runner (TypeScript through tsx).
//
// Each run gets its own freshly created PostgreSQL database, dropped afterwards, so runs never see each
// other's data. With CI set, PostgreSQL must be reachable (the run fails otherwise); without CI and
// without a server the PostgreSQL suite is skipped, and this script says why.
//
// Usage: node scripts/run-tests.mjs [test files or folders...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const adminUrl = process.env.SRVV_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ci = Boolean(process.env.CI);

function findTests(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTests(join(path, e.name)) : e.name.endsWith('.test.ts') ? [join(path, e.name)] : []))
    .sort();
}

async function createDatabase() {
  const name = `srvv_test_${process.pid}_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    if (ci) {
      console.error(`PostgreSQL is required in CI but ${adminUrl} failed: ${err.message}`);
      process.exit(1);
    }
    console.warn(`Skipping the PostgreSQL suite: cannot create a database through ${adminUrl} (${err.message}).`);
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function dropDatabase(name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
}

const args = process.argv.slice(2);
const files = (args.length ? args : ['test']).flatMap(findTests);
const db = await createDatabase();
const env = { ...process.env };
const backends = (env.STORE_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim());
if (db) env.SRVV_TEST_PG_URL = db.url;
env.STORE_BACKENDS = backends.filter((b) => b !== 'postgres' || db).join(',');

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env },
);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
if (db) await dropDatabase(db.name).catch((err) => console.warn(`could not drop ${db.name}: ${err.message}`));
process.exit(code);
