import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import type { IngestSummary } from '../../src/ingest/ingest-summary.js';
import { CLI } from '../cli/run-srvv.js';

/**
 * What the JetStream specs need: a NATS server with JetStream (`SRVV_TEST_NATS_URL`, default nats://127.0.0.1:4222)
 * and PostgreSQL (`SRVV_TEST_PG_URL`, set by scripts/run-tests.mjs). With CI set, a missing one fails the specs;
 * otherwise they are skipped and this says why (like test/store-suite/backends.ts).
 */
export const NATS_URL = process.env.SRVV_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * Why NATS at `url` cannot serve the specs, or undefined. In CI a server that is merely slow to answer (the
 * crash spec publishing 100,000 messages beside it on two busy cores) is asked three times with a generous
 * timeout before it counts as missing: a connect that timed out after 2 s once failed a whole spec file.
 */
async function natsProblemOf(url: string): Promise<string | undefined> {
  const attempts = process.env.CI ? 3 : 1;
  const timeout = process.env.CI ? 10_000 : 2000;
  let problem: string | undefined;
  for (let i = 0; i < attempts; i++) {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, timeout, maxReconnectAttempts: 0 });
    } catch (err) {
      problem = `NATS is not reachable at ${url} (${(err as Error).message})`;
      continue;
    }
    try {
      await (await jetstreamManager(nc, { timeout })).getAccountInfo();
      return undefined;
    } catch (err) {
      problem = `NATS at ${url} has no JetStream (${(err as Error).message})`;
    } finally {
      await nc.close();
    }
  }
  return problem;
}

export async function jetstreamSkipReason(): Promise<string | undefined> {
  const problems: string[] = [];
  const natsProblem = await natsProblemOf(NATS_URL);
  if (natsProblem) problems.push(natsProblem);
  if (!process.env.SRVV_TEST_PG_URL) problems.push('SRVV_TEST_PG_URL is not set (run through scripts/run-tests.mjs with PostgreSQL reachable)');
  if (!existsSync(CLI.replace(/bin\/srvv\.js$/, 'dist/cli/main.js'))) problems.push('dist/ is missing: run `npm run build` first');
  if (problems.length === 0) return undefined;
  const reason = problems.join('; ');
  if (process.env.CI) throw new Error(`the JetStream specs need NATS and PostgreSQL in CI: ${reason}`);
  console.log(`# skipping the JetStream specs: ${reason}`);
  return reason;
}

/** Unique names for one spec: stream, subject prefix and durable never collide between files or runs. */
export function uniqueNames(tag: string): { stream: string; subject: string; durable: string } {
  const id = `${tag}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  return { stream: `T_${id}`.toUpperCase(), subject: `t.${id}`, durable: `d_${id}` };
}

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export async function openNats(): Promise<Nats> {
  const nc = await connect({ servers: NATS_URL });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** One message to publish: the payload bytes and an optional Received-At header. */
export interface Outgoing {
  data: Uint8Array | string;
  receivedAt?: string;
}

/** Publishes with asynchronous acks, `window` at a time (bounded memory, one round trip per window). */
export async function publishAll(js: JetStreamClient, subject: string, messages: Iterable<Outgoing>, window = 2000): Promise<number[]> {
  const seqs: number[] = [];
  let pending: Promise<{ seq: number }>[] = [];
  const flush = async () => {
    for (const ack of await Promise.all(pending)) seqs.push(ack.seq);
    pending = [];
  };
  for (const m of messages) {
    const h = m.receivedAt === undefined ? undefined : headers();
    if (h && m.receivedAt !== undefined) h.set('Received-At', m.receivedAt);
    pending.push(js.publish(subject, m.data, h ? { headers: h } : {}));
    if (pending.length >= window) await flush();
  }
  await flush();
  return seqs;
}

/** The idempotency key the store uses for some bytes, as PostgreSQL prints the uuid without dashes. */
export function hashKey(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest().subarray(0, 16).toString('hex');
}

/** A fresh PostgreSQL database for one spec (its own migrations), dropped by `drop`. */
export async function createDatabase(tag: string): Promise<{ url: string; query: <R extends pg.QueryResultRow>(text: string) => Promise<R[]>; drop: () => Promise<void> }> {
  const base = new URL(process.env.SRVV_TEST_PG_URL!);
  const name = `${base.pathname.slice(1)}_${tag}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/\W/g, '_').slice(0, 63);
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    query: async <R extends pg.QueryResultRow>(text: string) => (await pool.query<R>(text)).rows,
    drop: async () => {
      await pool.end();
      await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Stored idempotency keys (hex) and the number of message rows. */
export async function storedKeys(db: { query: <R extends pg.QueryResultRow>(text: string) => Promise<R[]> }): Promise<{ keys: string[]; messages: number }> {
  const keys = await db.query<{ k: string }>(`SELECT replace(hash::text, '-', '') AS k FROM message_hashes`).catch(() => []);
  const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM messages').catch(() => [{ n: '0' }]);
  return { keys: keys.map((r) => r.k), messages: Number(row!.n) };
}

/** The number of message rows (cheap enough to poll). */
export async function storedCount(db: { query: <R extends pg.QueryResultRow>(text: string) => Promise<R[]> }): Promise<number> {
  const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM messages').catch(() => [{ n: '0' }]);
  return Number(row!.n);
}

/** A running `srvv consume`, its output collected. */
export interface ConsumeProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
}

export function startConsume(args: string[]): ConsumeProcess {
  const child = spawn(process.execPath, [CLI, 'consume', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The JSON summary `srvv consume --json` printed. */
export function summaryOf(p: ConsumeProcess): IngestSummary {
  try {
    return JSON.parse(p.stdout()) as IngestSummary;
  } catch {
    throw new Error(`no JSON summary on stdout:\n${p.stdout()}\nstderr:\n${p.stderr().slice(-4000)}`);
  }
}

/** The pino lines of a process's stderr. */
export function logLines(p: ConsumeProcess): Array<Record<string, unknown>> {
  return p.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls `probe` every `everyMs` until it returns true; fails after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Deletes a stream, ignoring one that is already gone. */
export async function deleteStream(jsm: JetStreamManager, stream: string): Promise<void> {
  await jsm.streams.delete(stream).catch(() => false);
}

/** What one spec's hooks set up: a NATS connection, a fresh database and unique names. */
export interface JetstreamSpec {
  readonly nats: Nats;
  readonly db: Awaited<ReturnType<typeof createDatabase>>;
  readonly names: ReturnType<typeof uniqueNames>;
}

/**
 * Registers the `before` / `after` hooks of a spec that consumes one stream into one database (call it inside
 * `describe`): connects to NATS and creates the database before, deletes the stream, closes and drops after.
 */
export function useJetstreamSpec(tag: string): JetstreamSpec {
  const names = uniqueNames(tag);
  let nats: Nats | undefined;
  let db: JetstreamSpec['db'] | undefined;
  before(async () => {
    nats = await openNats();
    db = await createDatabase(tag);
  });
  after(async () => {
    if (nats) {
      await deleteStream(nats.jsm, names.stream);
      await nats.nc.close();
    }
    await db?.drop();
  });
  return {
    names,
    get nats() {
      if (!nats) throw new Error('NATS is not connected (before hook not run)');
      return nats;
    },
    get db() {
      if (!db) throw new Error('the database is not created (before hook not run)');
      return db;
    },
  };
}
