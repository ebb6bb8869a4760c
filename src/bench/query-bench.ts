// `npm run bench:query` — latency of the MP141 visibility queries on a large store (a benchmark, not a test).
//
// Loads (once, cached as BENCH_DIR/query-<devices>-<messages>.db with a `.done` marker) a synthetic world of
// BENCH_DEVICES devices and its reference data (applied in slices, before the traffic), then BENCH_QUERY_MESSAGES
// messages spread over BENCH_DAYS simulated days into SQLite: a worker thread generates and prepares batches
// (parse, hash, compress) while this thread writes them. Then, in one run, p50 / p99 / mean latency of:
//   (a) the first page (50 rows) of one device's history, seen by its Responsible Supplier at the end of the window;
//   (b) the first page of "others' messages on my devices, last 24 h" (`othersOnly`) for the largest supplier
//       (`auto` and `by-time`, interleaved), and for the smallest party (`by-device` and `auto`);
//   (c) the same (a) and (b) answered by a deliberately plain implementation (below): the same candidate rows,
//       visibility checked one row at a time with its own SQL lookups, over prepared statements and over the
//       store's Kysely connection; and the ratios plain / engine.
// The engine and the plain implementation must return the same ids on the first samples, else the run aborts.
// Loading and the engine's measurement (a), (b) are shared with `npm run bench:pg` (query-world.ts).
//
// Environment: BENCH_DEVICES (1,000,000), BENCH_QUERY_MESSAGES (10,000,000), BENCH_DIR (.bench), BENCH_DAYS (10),
// BENCH_SEED (1), BENCH_BATCH (messages per write transaction, 5,000), BENCH_LOAD_MINUTES (stop loading after
// this long and measure what was loaded; default: no limit), BENCH_BASELINE_CAP_MS (per plain sample, 10,000),
// BENCH_PROFILE=1 (time every SQL statement the engine runs, per query kind; results go to query-results-profile.json),
// BENCH_WARM=0 (skip reading the database file once before measuring; by default the figures are for a server
// whose RAM holds the database, as this machine's does, rather than for whatever the OS cache happens to hold).
// Results: BENCH_DIR/query-results.json.
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import { eui64ToBigInt } from '../duis/eui64.js';
import { unpackDeviceKeys } from '../store/device-set.js';
import type { Db } from '../store/db-schema.js';
import { KIND_CODES } from '../store/kind-codes.js';
import { KyselyMessageStore } from '../store/kysely-message-store.js';
import { createStoreDialect, openStore } from '../store/open-store.js';
import { createWorld, type ReferenceDataOptions, type SynthWorld } from '../synth/index.js';
import { threadKeyOf } from '../threads/thread-key.js';
import {
  describeLoad,
  describeRun,
  engineResults,
  fmt,
  loadWorld,
  mean,
  measureEngine,
  PAGE,
  ratio,
  referenceOptions,
  printProfile,
  same,
  StatementTimings,
  stats,
  worldConfig,
  type LoadInfo,
  type Profiler,
  type StoreProbe,
  type WorldConfig,
} from './query-world.js';

interface Config extends WorldConfig {
  baselineCapMs: number;
  profile: boolean;
  warm: boolean;
  dir: string;
}

async function main(): Promise<void> {
  const env = process.env;
  const cfg: Config = {
    ...worldConfig(env),
    baselineCapMs: Number(env.BENCH_BASELINE_CAP_MS ?? 10_000),
    profile: env.BENCH_PROFILE === '1',
    warm: env.BENCH_WARM !== '0',
    dir: resolve(env.BENCH_DIR ?? '.bench'),
  };
  mkdirSync(cfg.dir, { recursive: true });
  const { machine, command } = describeRun();

  const world = createWorld({ seed: cfg.seed, devices: cfg.devices, start: cfg.start });
  const refOpts = referenceOptions(cfg);
  const dbPath = join(cfg.dir, `query-${cfg.devices}-${cfg.messages}.db`);
  const marker = `${dbPath}.done`;
  let load: LoadInfo;
  if (existsSync(marker)) {
    load = JSON.parse(readFileSync(marker, 'utf8')) as LoadInfo;
    console.log(`reusing ${dbPath} (loaded ${load.loadedAt}; delete ${marker} to reload)`);
  } else {
    load = await loadDatabase(cfg, world, refOpts, dbPath);
    writeFileSync(marker, JSON.stringify(load, null, 2));
  }
  console.log(describeLoad(load));

  const results = await measure(cfg, world, refOpts, dbPath);
  const out = { date: new Date().toISOString(), machine, command, load, ...results };
  // A profiled run has its own file: the profiler's bookkeeping must not replace the plain figures.
  const file = join(cfg.dir, cfg.profile ? 'query-results-profile.json' : 'query-results.json');
  writeFileSync(file, JSON.stringify(out, null, 2));
  console.log(`results written to ${file}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

async function loadDatabase(cfg: Config, world: SynthWorld, refOpts: ReferenceDataOptions, dbPath: string): Promise<LoadInfo> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  // A 2 GiB page cache while loading keeps the random-key indexes (thread key, device) in memory; queries later
  // run with the default cache.
  const store = await openStore(`sqlite:${dbPath}`, { sqliteCacheSizeKiB: 2 * 1024 * 1024 });
  try {
    const info = await loadWorld(cfg, world, refOpts, store);
    await store.close();
    const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    return { ...info, databaseBytes: size(dbPath) + size(`${dbPath}-wal`) };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

async function measure(cfg: Config, world: SynthWorld, refOpts: ReferenceDataOptions, dbPath: string) {
  const profiler = cfg.profile ? installProfiler() : undefined;
  if (cfg.warm) await warmFileCache(dbPath);
  const store = await KyselyMessageStore.open(await createStoreDialect(`sqlite:${dbPath}`));
  const reader = new Database(dbPath, { readonly: true });
  reader.pragma('cache_size = -65536'); // the store's default
  try {
    const hasTraffic = reader.prepare('SELECT 1 FROM message_devices WHERE device = ? LIMIT 1').pluck();
    const probe: StoreProbe = {
      maxTime: async () => Number(reader.prepare('SELECT max(time) FROM messages').pluck().get()),
      countBetween: async (from, to) => Number(reader.prepare('SELECT count(*) FROM messages WHERE time >= ? AND time < ?').pluck().get(from, to)),
      hasTraffic: async (key) => hasTraffic.get(key) !== undefined,
    };
    const engine = await measureEngine({ seed: cfg.seed, world, refOpts, store, probe, profiler });
    const { viewOf, window, samples, measuredA, a, profA, largest, smallest, bAuto, bSmallDevice } = engine;
    const plainDevices = [samples.slice(520, 570), samples.slice(570, 620)];

    // (c) the plain per-row implementation. (a) cold: 50 devices no implementation has read yet (like the engine's
    // 500), then warm: 50 of the engine's devices, read again by all three in turn. (b): the engine's first 20 windows.
    const plain = async (run: SqlRunner, name: string, fresh: ReadonlyArray<{ deviceId: string; partyId: string }>) => {
      const devices: number[] = [];
      let cappedA = 0;
      for (const [i, s] of fresh.entries()) {
        const r = await new PlainRules(run, s.partyId).deviceHistory(s.deviceId, PAGE + 1, cfg.baselineCapMs);
        devices.push(r.ms);
        if (r.capped) cappedA++;
        if (i < 10 && !r.capped) {
          const engine = (await (await viewOf(s.partyId)).listMessages({ deviceId: s.deviceId, limit: PAGE })).items.map((m) => m.id);
          same(engine, r.ids.slice(0, PAGE), `(a) device ${s.deviceId} for ${s.partyId}, plain ${name}`);
        }
      }
      const others: number[] = [];
      const scanned: number[] = [];
      let cappedB = 0;
      const rules = new PlainRules(run, largest);
      for (let k = 0; k < 20; k++) {
        const q = window(k);
        const r = await rules.othersOnDevices(q.from!.getTime(), q.to!.getTime(), PAGE + 1, cfg.baselineCapMs);
        others.push(r.ms);
        scanned.push(r.scanned);
        if (r.capped) cappedB++;
        if (k < 5 && !r.capped) {
          const engine = (await (await viewOf(largest)).listMessages({ ...q, strategy: 'auto' })).items.map((m) => m.id);
          same(engine, r.ids.slice(0, PAGE), `(b) ${largest}, window ${k}, plain ${name}`);
        }
      }
      const pa = stats(devices);
      const pb = stats(others);
      const ratios = { aP50: ratio(pa.p50, a.p50), aP99: ratio(pa.p99, a.p99), bP50: ratio(pb.p50, bAuto.stats.p50), bP99: ratio(pb.p99, bAuto.stats.p99) };
      console.log(`(c) plain per-row, ${name}, (a) cold: ${fmt(pa)}${cappedA ? `, ${cappedA} capped at ${cfg.baselineCapMs} ms` : ''}`);
      console.log(
        `(c) plain per-row, ${name}, (b) ${largest}: ${fmt(pb)}${cappedB ? `, ${cappedB} capped at ${cfg.baselineCapMs} ms` : ''}; ` +
          `candidate rows checked per page: mean ${Math.round(mean(scanned))}`,
      );
      console.log(`(c) ratio plain (${name}) / engine: (a) cold p50 ${ratios.aP50}x, p99 ${ratios.aP99}x; (b) p50 ${ratios.bP50}x, p99 ${ratios.bP99}x`);
      return { a: pa, b: pb, cappedA, cappedB, candidatesCheckedMean: mean(scanned), ratios };
    };
    const runPrepared = preparedRunner(reader);
    const runKysely = kyselyRunner(store.db);
    const plainPrepared = await plain(runPrepared, 'statements prepared once', plainDevices[0]!);
    const plainKysely = await plain(runKysely, "through the store's Kysely connection", plainDevices[1]!);
    const warmDevices = measuredA.slice(0, 50);
    const warm = { engine: [] as number[], prepared: [] as number[], kysely: [] as number[] };
    for (const s of warmDevices) {
      await new PlainRules(runPrepared, s.partyId).deviceHistory(s.deviceId, PAGE + 1, cfg.baselineCapMs);
      await new PlainRules(runKysely, s.partyId).deviceHistory(s.deviceId, PAGE + 1, cfg.baselineCapMs);
    }
    for (const s of warmDevices) {
      const t = performance.now();
      await (await viewOf(s.partyId)).listMessages({ deviceId: s.deviceId, limit: PAGE });
      warm.engine.push(performance.now() - t);
      warm.prepared.push((await new PlainRules(runPrepared, s.partyId).deviceHistory(s.deviceId, PAGE + 1, cfg.baselineCapMs)).ms);
      warm.kysely.push((await new PlainRules(runKysely, s.partyId).deviceHistory(s.deviceId, PAGE + 1, cfg.baselineCapMs)).ms);
    }
    const warmStats = { engine: stats(warm.engine), prepared: stats(warm.prepared), kysely: stats(warm.kysely) };
    console.log(`(c) (a) warm, the same 50 devices read again: engine ${fmt(warmStats.engine)}`);
    console.log(`(c)   plain, statements prepared once: ${fmt(warmStats.prepared)}; ratio p50 ${ratio(warmStats.prepared.p50, warmStats.engine.p50)}x, p99 ${ratio(warmStats.prepared.p99, warmStats.engine.p99)}x`);
    console.log(`(c)   plain, through Kysely: ${fmt(warmStats.kysely)}; ratio p50 ${ratio(warmStats.kysely.p50, warmStats.engine.p50)}x, p99 ${ratio(warmStats.kysely.p99, warmStats.engine.p99)}x`);
    console.log('the engine and both plain implementations return the same ids on the checked samples (10 of (a), 5 of (b) each)');
    if (profiler) {
      printProfile('(a)', profA!);
      printProfile('(b) auto', bAuto.profile!);
      printProfile(`(b) by-device, ${smallest}`, bSmallDevice.profile!);
    }
    return {
      ...engineResults(engine),
      plainPrepared,
      plainKysely,
      aWarm: warmStats,
      ...(profiler ? { profile: { a: profA, bAuto: bAuto.profile, bSmallestByDevice: bSmallDevice.profile } } : {}),
    };
  } finally {
    reader.close();
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The plain per-row implementation of the visibility rules (DOMAIN.md), deliberately unbatched: candidates in
// pages of 64 from the same index scans the engine uses, and each candidate row costs its own lookups of the
// User ID's party, the device's links, the party's registrations and certificates, and the captured request.
// It runs over two access layers: better-sqlite3 statements prepared once (as cheap as SQL from Node gets), and
// the store's own Kysely connection, where every query is prepared anew as the engine's are.

/** Runs one SQL text with positional parameters. */
type SqlRunner = (sqlText: string, params: readonly unknown[]) => Promise<unknown[]>;

function preparedRunner(db: Database.Database): SqlRunner {
  const statements = new Map<string, Database.Statement>();
  return async (sqlText, params) => {
    let stmt = statements.get(sqlText);
    if (!stmt) statements.set(sqlText, (stmt = db.prepare(sqlText)));
    return stmt.all(...params);
  };
}

function kyselyRunner(db: Kysely<Db>): SqlRunner {
  return async (sqlText, params) => (await db.executeQuery(CompiledQuery.raw(sqlText, [...params]))).rows;
}

interface PlainResult {
  ids: string[];
  ms: number;
  scanned: number;
  capped: boolean;
}

interface PlainRow {
  id: number;
  time: number;
  kind: number;
  request_id: string | null;
  device_ids: Uint8Array | null;
  user_id: string | null;
}

const PLAIN_COLUMNS = 'm.id, m.time, m.kind, m.request_id, m.device_ids, cast(m.user_id AS text) AS user_id';
const PLAIN_SQL = {
  byDevice: `SELECT ${PLAIN_COLUMNS} FROM message_devices x JOIN messages m ON m.id = x.message_id AND m.time = x.time
    WHERE x.device = ? AND x.time <= ? AND (x.time < ? OR x.message_id < ?) ORDER BY x.time DESC, x.message_id DESC LIMIT 64`,
  byTime: `SELECT ${PLAIN_COLUMNS} FROM messages m
    WHERE m.time >= ? AND m.time < ? AND m.time <= ? AND (m.time < ? OR m.id < ?) ORDER BY m.time DESC, m.id DESC LIMIT 64`,
  networkOperator: "SELECT 1 FROM party_user_ids WHERE party_id = ? AND role IN ('ED', 'GT') LIMIT 1",
  userParty: 'SELECT party_id FROM party_user_ids WHERE user_id = ?',
  links: 'SELECT mpxn FROM device_links WHERE device = ? AND valid_from <= ? AND (valid_to IS NULL OR ? < valid_to)',
  supplier: `SELECT 1 FROM registrations WHERE mpxn = ? AND role IN ('IS', 'GS') AND party_id = ?
    AND valid_from <= ? AND (valid_to IS NULL OR ? < valid_to) LIMIT 1`,
  certificate: 'SELECT 1 FROM certificates WHERE device = ? AND party_id = ? AND valid_from <= ? AND (valid_to IS NULL OR ? < valid_to) LIMIT 1',
  request: 'SELECT time, device_ids FROM messages WHERE thread_key = ? AND request_id = ? AND kind = ?',
};

class PlainRules {
  readonly #run: SqlRunner;
  readonly #partyId: string;
  #networkOperator: boolean | undefined;

  constructor(run: SqlRunner, partyId: string) {
    this.#run = run;
    this.#partyId = partyId;
  }

  /** Newest `limit` visible messages with the device in S(M). */
  deviceHistory(deviceId: string, limit: number, capMs: number): Promise<PlainResult> {
    const key = eui64ToBigInt(deviceId);
    return this.#collect((t, id) => [PLAIN_SQL.byDevice, [key, t, t, id]], limit, capMs, false);
  }

  /** Newest `limit` visible messages in [from, to) whose U(M) is not the party's. */
  othersOnDevices(from: number, to: number, limit: number, capMs: number): Promise<PlainResult> {
    return this.#collect((t, id) => [PLAIN_SQL.byTime, [from, to, t, t, id]], limit, capMs, true);
  }

  async #collect(page: (t: number, id: number) => [string, unknown[]], limit: number, capMs: number, othersOnly: boolean): Promise<PlainResult> {
    const t0 = performance.now();
    this.#networkOperator ??= (await this.#run(PLAIN_SQL.networkOperator, [this.#partyId])).length > 0;
    const ids: string[] = [];
    let scanned = 0;
    let after = { time: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };
    for (;;) {
      const rows = (await this.#run(...page(after.time, after.id))) as PlainRow[];
      for (const row of rows) {
        scanned++;
        const users = row.user_id === null ? [] : ((await this.#run(PLAIN_SQL.userParty, [BigInt(row.user_id)])) as Array<{ party_id: string }>);
        const own = users[0]?.party_id === this.#partyId;
        if (othersOnly ? !own && (await this.#visibleByRules2to4(row)) : own || (await this.#visibleByRules2to4(row))) ids.push(String(row.id));
        if (ids.length >= limit) return { ids, ms: performance.now() - t0, scanned, capped: false };
        if (performance.now() - t0 > capMs) return { ids, ms: performance.now() - t0, scanned, capped: true };
      }
      const last = rows.at(-1);
      if (rows.length < 64 || !last) return { ids, ms: performance.now() - t0, scanned, capped: false };
      after = { time: Number(last.time), id: Number(last.id) };
    }
  }

  async #visibleByRules2to4(row: PlainRow): Promise<boolean> {
    const t = Number(row.time);
    if (await this.#onDevices(unpackDeviceKeys(row.device_ids), t)) return true;
    if (Number(row.kind) === KIND_CODES.request || row.request_id === null) return false;
    const requests = (await this.#run(PLAIN_SQL.request, [threadKeyOf(row.request_id), row.request_id, KIND_CODES.request])) as Array<{
      time: number;
      device_ids: Uint8Array | null;
    }>;
    for (const r of requests) if (await this.#onDevices(unpackDeviceKeys(r.device_ids), Number(r.time))) return true;
    return false;
  }

  /** Rules 2 and 3: a supplier window or a certificate of the party on one of the devices at `t`. */
  async #onDevices(devices: readonly bigint[], t: number): Promise<boolean> {
    for (const device of devices) {
      for (const link of (await this.#run(PLAIN_SQL.links, [device, t, t])) as Array<{ mpxn: string }>) {
        if ((await this.#run(PLAIN_SQL.supplier, [link.mpxn, this.#partyId, t, t])).length > 0) return true;
      }
      if (this.#networkOperator && (await this.#run(PLAIN_SQL.certificate, [device, this.#partyId, t, t])).length > 0) return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// BENCH_PROFILE=1: time every statement better-sqlite3 prepares and runs for the store (Kysely prepares each
// query anew), grouped by SQL text with IN lists collapsed, while a measurement is running.

function installProfiler(): Profiler {
  const timings = new StatementTimings();
  const proto = Database.prototype as unknown as { prepare: (this: Database.Database, source: string) => Database.Statement };
  const prepare = proto.prepare;
  proto.prepare = function (this: Database.Database, source: string): Database.Statement {
    const t = performance.now();
    const stmt = prepare.call(this, source);
    if (timings.active) timings.entry(timings.active, source).prepareMs += performance.now() - t;
    const all = stmt.all.bind(stmt);
    (stmt as unknown as { all: (...args: unknown[]) => unknown[] }).all = (...args: unknown[]) => {
      const bucket = timings.active;
      const t1 = performance.now();
      const rows = all(...(args as []));
      if (bucket) {
        const entry = timings.entry(bucket, source);
        entry.calls++;
        entry.rows += rows.length;
        entry.runMs += performance.now() - t1;
      }
      return rows;
    };
    return stmt;
  };
  return timings;
}

// Last, so that every module-level constant above is initialised before it runs.
await main();

/** Reads the database file once, sequentially, so the OS page cache holds it (steady state of a serving host). */
async function warmFileCache(path: string): Promise<void> {
  const t = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) bytes += (chunk as Buffer).length;
  console.log(`warmed the OS file cache: read ${(bytes / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t) / 1000).toFixed(1)} s (BENCH_WARM=0 to skip)`);
}
