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
//
// Environment: BENCH_DEVICES (1,000,000), BENCH_QUERY_MESSAGES (10,000,000), BENCH_DIR (.bench), BENCH_DAYS (10),
// BENCH_SEED (1), BENCH_BATCH (messages per write transaction, 5,000), BENCH_LOAD_MINUTES (stop loading after
// this long and measure what was loaded; default: no limit), BENCH_BASELINE_CAP_MS (per plain sample, 10,000),
// BENCH_PROFILE=1 (time every SQL statement the engine runs, per query kind; results go to query-results-profile.json),
// BENCH_WARM=0 (skip reading the database file once before measuring; by default the figures are for a server
// whose RAM holds the database, as this machine's does, rather than for whatever the OS cache happens to hold).
// Results: BENCH_DIR/query-results.json.
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import { prepareBatch } from '../ingest/prepare-batch.js';
import { reviveJob } from '../ingest/prepare-job.js';
import type { RawMessage } from '../ingest/raw-message.js';
import { eui64ToBigInt } from '../duis/eui64.js';
import type { ReferenceDocument } from '../reference/reference-document.js';
import { unpackDeviceKeys } from '../store/device-set.js';
import type { Db } from '../store/db-schema.js';
import { KIND_CODES } from '../store/kind-codes.js';
import { KyselyMessageStore } from '../store/kysely-message-store.js';
import type { MessageStore, PartyMessageQuery, PartyView } from '../store/message-store.js';
import { createStoreDialect, openStore } from '../store/open-store.js';
import type { PreparedBatch } from '../store/prepared-batch.js';
import { createWorld, generateTraffic, referenceDocumentSlices, type ReferenceDataOptions, type SynthWorld } from '../synth/index.js';
import { Prng } from '../synth/prng.js';
import { threadKeyOf } from '../threads/thread-key.js';

const DAY = 86_400_000;
const PAGE = 50;

interface GeneratorData {
  devices: number;
  seed: number;
  start: number;
  count: number;
  messagesPerSecond: number;
  batch: number;
}

type FromGenerator = { batch: PreparedBatch; rejected: number } | { done: true };

// ---------------------------------------------------------------------------------------------------------------
// Generator worker: the traffic stream is one deterministic sequence, so one thread generates and prepares it.

async function runGenerator(data: GeneratorData): Promise<void> {
  const port = parentPort!;
  const start = new Date(data.start);
  const world = createWorld({ seed: data.seed, devices: data.devices, start });
  const records = generateTraffic(world, { seed: data.seed, count: data.count, start, messagesPerSecond: data.messagesPerSecond });
  let credits = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  port.on('message', (m: { credits?: number; stop?: boolean }) => {
    credits += m.credits ?? 0;
    stopped ||= m.stop === true;
    wake?.();
  });
  for (;;) {
    while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
    if (stopped) break;
    const inputs: RawMessage[] = [];
    for (let r = records.next(); !r.done; r = inputs.length < data.batch ? records.next() : { done: true, value: undefined }) {
      inputs.push({ xml: Buffer.from(r.value.xml), text: r.value.xml, receivedAt: Date.parse(r.value.receivedAt) });
    }
    if (inputs.length === 0) break;
    const { batch, rejections } = prepareBatch(inputs);
    credits--;
    const buf = batch.chunk.data;
    const transfer = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? [buf.buffer as ArrayBuffer] : [];
    port.postMessage({ batch, rejected: rejections.length } satisfies FromGenerator, transfer);
  }
  port.postMessage({ done: true } satisfies FromGenerator);
}

// ---------------------------------------------------------------------------------------------------------------

interface Config {
  devices: number;
  messages: number;
  days: number;
  seed: number;
  batch: number;
  loadMinutes: number;
  baselineCapMs: number;
  profile: boolean;
  warm: boolean;
  dir: string;
  start: Date;
}

interface LoadInfo {
  devices: number;
  messagesRequested: number;
  messagesLoaded: number;
  partial: boolean;
  rejected: number;
  messagesPerSecondSimulated: number;
  referenceSeconds: number;
  referenceSlices: number;
  loadSeconds: number;
  loadMessagesPerSecond: number;
  databaseBytes: number;
  loadedAt: string;
}

async function main(): Promise<void> {
  const env = process.env;
  const cfg: Config = {
    devices: Number(env.BENCH_DEVICES ?? 1_000_000),
    messages: Number(env.BENCH_QUERY_MESSAGES ?? 10_000_000),
    days: Number(env.BENCH_DAYS ?? 10),
    seed: Number(env.BENCH_SEED ?? 1),
    batch: Number(env.BENCH_BATCH ?? 5000),
    loadMinutes: Number(env.BENCH_LOAD_MINUTES ?? Infinity),
    baselineCapMs: Number(env.BENCH_BASELINE_CAP_MS ?? 10_000),
    profile: env.BENCH_PROFILE === '1',
    warm: env.BENCH_WARM !== '0',
    dir: resolve(env.BENCH_DIR ?? '.bench'),
    start: new Date('2025-03-03T00:00:00.000Z'),
  };
  mkdirSync(cfg.dir, { recursive: true });
  const cpu = cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
  const knobs = Object.entries(env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `).join('');
  const command = `${knobs}node ${process.argv.slice(1).map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`;
  console.log(`machine: ${machine}`);
  console.log(`command: ${command}`);

  const world = createWorld({ seed: cfg.seed, devices: cfg.devices, start: cfg.start });
  const refOpts: ReferenceDataOptions = { seed: cfg.seed, start: cfg.start, end: new Date(cfg.start.getTime() + cfg.days * DAY) };
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
  console.log(
    `load: reference data for ${load.devices} devices in ${load.referenceSlices} slices ${load.referenceSeconds.toFixed(1)} s ` +
      `(${Math.round(load.devices / load.referenceSeconds)} devices/s); ${load.messagesLoaded} messages` +
      `${load.partial ? ` (PARTIAL: stopped after the time budget, ${load.messagesRequested} requested)` : ''} in ` +
      `${load.loadSeconds.toFixed(0)} s (${Math.round(load.loadMessagesPerSecond)} msg/s), database ${(load.databaseBytes / 2 ** 30).toFixed(2)} GiB`,
  );

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
    let t = performance.now();
    let slices = 0;
    for (const slice of referenceDocumentSlices(world, refOpts, 20_000)) {
      await store.reference.apply(slice);
      slices++;
    }
    const referenceSeconds = (performance.now() - t) / 1000;
    console.log(`reference data applied: ${slices} slices in ${referenceSeconds.toFixed(1)} s`);

    const messagesPerSecond = cfg.messages / (cfg.days * 86_400);
    t = performance.now();
    const { loaded, rejected, partial } = await loadTraffic(cfg, store, messagesPerSecond);
    const loadSeconds = (performance.now() - t) / 1000;
    await store.close();
    const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    return {
      devices: cfg.devices,
      messagesRequested: cfg.messages,
      messagesLoaded: loaded,
      partial,
      rejected,
      messagesPerSecondSimulated: messagesPerSecond,
      referenceSeconds,
      referenceSlices: slices,
      loadSeconds,
      loadMessagesPerSecond: loaded / loadSeconds,
      databaseBytes: size(dbPath) + size(`${dbPath}-wal`),
      loadedAt: new Date().toISOString(),
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}

/** Streams generated, prepared batches from the worker into the store; up to 3 batches prepared ahead. */
async function loadTraffic(cfg: Config, store: MessageStore, messagesPerSecond: number): Promise<{ loaded: number; rejected: number; partial: boolean }> {
  const data: GeneratorData = { devices: cfg.devices, seed: cfg.seed, start: cfg.start.getTime(), count: cfg.messages, messagesPerSecond, batch: cfg.batch };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const inbox: FromGenerator[] = [];
  let waiting: ((m: FromGenerator) => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (m: FromGenerator) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else inbox.push(m);
  });
  worker.on('error', (err) => {
    failure = err;
    waiting?.({ done: true });
  });
  const next = () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise<FromGenerator>((r) => (waiting = r)));
  worker.postMessage({ credits: 3 });

  const t0 = performance.now();
  const budgetMs = cfg.loadMinutes * 60_000;
  let loaded = 0;
  let rejected = 0;
  let partial = false;
  let lastReport = t0;
  let lastLoaded = 0;
  let writeMs = 0;
  for (;;) {
    const m = await next();
    if (failure) throw failure;
    if ('done' in m) break;
    if (partial) continue; // draining what was prepared before the stop
    worker.postMessage({ credits: 1 });
    const batch = reviveJob({ batch: m.batch, origins: [], rejections: [], inputs: 0 }).batch;
    const w = performance.now();
    await store.ingest(batch);
    writeMs += performance.now() - w;
    loaded += batch.messages.length;
    rejected += m.rejected;
    const now = performance.now();
    if (now - lastReport > 30_000) {
      const rate = (loaded - lastLoaded) / ((now - lastReport) / 1000);
      const eta = (cfg.messages - loaded) / rate;
      console.log(
        `  ${loaded} messages, ${((now - t0) / 1000).toFixed(0)} s, ${Math.round(rate)} msg/s now, ${Math.round(loaded / ((now - t0) / 1000))} msg/s overall, ` +
          `writer busy ${Math.round((100 * writeMs) / (now - t0))}%, ETA ${(eta / 60).toFixed(1)} min`,
      );
      lastReport = now;
      lastLoaded = loaded;
    }
    if (now - t0 > budgetMs && loaded < cfg.messages) {
      console.log(`  load time budget of ${cfg.loadMinutes} min reached at ${loaded} messages: measuring what is loaded`);
      partial = true;
      worker.postMessage({ stop: true });
    }
  }
  await worker.terminate();
  return { loaded, rejected, partial };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: round(at(0.5)), p99: round(at(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), max: round(at(1)) };
}

const fmt = (s: Stats) => `p50 ${s.p50} ms, p99 ${s.p99} ms, mean ${s.mean} ms, max ${s.max} ms (n=${s.n})`;

/** What the bench needs to know of the reference data, read back from the (deterministic) slices. */
interface ReferenceSummary {
  /** IS / GS registration histories by MPxN. */
  supply: Map<string, ReferenceDocument['registrations'][number]['history']>;
  /** Supplier registrations (IS / GS) and certificates held, per party. */
  size: Map<string, { registrations: number; certificates: number }>;
}

function summariseReference(world: SynthWorld, refOpts: ReferenceDataOptions): ReferenceSummary {
  const supply = new Map<string, ReferenceDocument['registrations'][number]['history']>();
  const size = new Map<string, { registrations: number; certificates: number }>();
  const of = (id: string) => size.get(id) ?? (size.set(id, { registrations: 0, certificates: 0 }), size.get(id)!);
  for (const slice of referenceDocumentSlices(world, refOpts, 50_000)) {
    for (const r of slice.registrations) {
      if (r.role !== 'IS' && r.role !== 'GS') continue;
      supply.set(r.mpxn, r.history);
      for (const party of new Set(r.history.map((h) => h.partyId))) of(party).registrations++;
    }
    for (const c of slice.certificates) for (const party of new Set(c.history.map((h) => h.partyId))) of(party).certificates++;
  }
  return { supply, size };
}

async function measure(cfg: Config, world: SynthWorld, refOpts: ReferenceDataOptions, dbPath: string) {
  const profiler = cfg.profile ? installProfiler() : undefined;
  if (cfg.warm) await warmFileCache(dbPath);
  const store = await KyselyMessageStore.open(await createStoreDialect(`sqlite:${dbPath}`));
  const reader = new Database(dbPath, { readonly: true });
  reader.pragma('cache_size = -65536'); // the store's default
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  try {
    const end = Number(reader.prepare('SELECT max(time) FROM messages').pluck().get()) + 1;
    const ref = summariseReference(world, refOpts);
    const supplierAt = (mpxns: readonly string[], t: number) => {
      for (const mpxn of mpxns) {
        const p = ref.supply.get(mpxn)?.find((h) => h.from <= t && (h.to === null || t < h.to));
        if (p) return p.partyId;
      }
      return undefined;
    };
    const views = new Map<string, PartyView>();
    const viewOf = async (partyId: string) => views.get(partyId) ?? (views.set(partyId, await store.forParty(partyId)), views.get(partyId)!);
    const lastDay = Number(reader.prepare('SELECT count(*) FROM messages WHERE time >= ? AND time < ?').pluck().get(end - DAY, end));
    console.log(`window end (latest t(M) + 1 ms): ${new Date(end).toISOString()}; messages in the last 24 h: ${lastDay}; load average ${load()}`);

    // (a) devices with traffic, each with its Responsible Supplier at the end of the window.
    const hasTraffic = reader.prepare('SELECT 1 FROM message_devices WHERE device = ? LIMIT 1').pluck();
    const prng = Prng.derive(cfg.seed, 99);
    const picked = new Set<number>();
    const samples: Array<{ deviceId: string; partyId: string }> = [];
    const wantDevices = 620; // 20 warm-up, 500 for the engine, 50 for each plain implementation (first use: cold)
    for (let tries = 0; samples.length < wantDevices && tries < 50 * wantDevices; tries++) {
      const i = prng.int(world.devices.length);
      if (picked.has(i)) continue;
      picked.add(i);
      const d = world.devices[i]!;
      const partyId = supplierAt(d.mpxns, end - 1);
      if (partyId === undefined || hasTraffic.get(eui64ToBigInt(d.deviceId)) === undefined) continue;
      samples.push({ deviceId: d.deviceId, partyId });
    }
    const measuredA = samples.slice(20, 520);
    const plainDevices = [samples.slice(520, 570), samples.slice(570, 620)];
    for (const s of samples.slice(0, 20)) await (await viewOf(s.partyId)).listMessages({ deviceId: s.deviceId, limit: PAGE });
    const profileA = profiler?.start();
    const engineA: number[] = [];
    const rowsA: number[] = [];
    for (const s of measuredA) {
      const view = await viewOf(s.partyId);
      const t = performance.now();
      const page = await view.listMessages({ deviceId: s.deviceId, limit: PAGE });
      engineA.push(performance.now() - t);
      rowsA.push(page.items.length);
    }
    const profA = profiler?.stop(profileA!);
    const a = stats(engineA);
    console.log(
      `(a) device history, first page, Responsible Supplier: ${fmt(a)}; rows per page mean ${mean(rowsA).toFixed(1)}; ` +
        `target p99 <= 10 ms: ${a.p99 <= 10 ? 'met' : 'NOT MET'}; load average ${load()}`,
    );

    // (b) others' messages on my devices, last 24 h; `to` moves back 3 minutes per sample.
    const suppliers = [...ref.size.entries()].filter(([, s]) => s.registrations > 0).sort((x, y) => y[1].registrations - x[1].registrations);
    const largest = suppliers[0]![0];
    const bySize = [...ref.size.entries()].sort((x, y) => x[1].registrations + x[1].certificates - (y[1].registrations + y[1].certificates));
    const smallest = bySize[0]![0];
    const describe = (id: string) => `${id} (${ref.size.get(id)!.registrations} supplier registrations, ${ref.size.get(id)!.certificates} certificates)`;
    console.log(`largest supplier: ${describe(largest)}; smallest party: ${describe(smallest)}`);
    const window = (k: number): PartyMessageQuery => ({ othersOnly: true, from: new Date(end - k * 180_000 - DAY), to: new Date(end - k * 180_000), limit: PAGE });
    /** `n` samples of each strategy, interleaved (alternating which goes first) so cache warmth favours neither. */
    const runB = async (partyId: string, strategies: ReadonlyArray<NonNullable<PartyMessageQuery['strategy']>>, n: number, warm: number) => {
      const view = await viewOf(partyId);
      for (let k = 0; k < warm; k++) for (const strategy of strategies) await view.listMessages({ ...window(1000 + k), strategy });
      const out = strategies.map(() => ({ times: [] as number[], full: 0, profile: profiler?.start() }));
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < strategies.length; j++) {
          const i = (j + k) % strategies.length;
          const handle = out[i]!.profile;
          if (handle) profiler!.resume(handle);
          const t = performance.now();
          const page = await view.listMessages({ ...window(k), strategy: strategies[i] });
          out[i]!.times.push(performance.now() - t);
          if (handle) profiler!.pause();
          if (page.items.length === PAGE) out[i]!.full++;
        }
      }
      return out.map((o) => ({ stats: stats(o.times), full: o.full, profile: o.profile && profiler!.stop(o.profile) }));
    };
    const [bAuto, bTime] = await runB(largest, ['auto', 'by-time'], 200, 5);
    console.log(
      `(b) others' messages, last 24 h, ${largest}, auto: ${fmt(bAuto!.stats)}; full pages ${bAuto!.full}/200; ` +
        `target p99 <= 50 ms: ${bAuto!.stats.p99 <= 50 ? 'met' : 'NOT MET'}; load average ${load()}`,
    );
    console.log(`(b) ${largest}, by-time: ${fmt(bTime!.stats)}`);
    const [bSmallDevice, bSmallAuto] = await runB(smallest, ['by-device', 'auto'], 20, 1);
    console.log(`(b) ${smallest}, by-device: ${fmt(bSmallDevice!.stats)}; full pages ${bSmallDevice!.full}/20`);
    console.log(`(b) ${smallest}, auto: ${fmt(bSmallAuto!.stats)}; full pages ${bSmallAuto!.full}/20; load average ${load()}`);

    // The engine's plans agree with each other.
    for (let k = 0; k < 3; k++) {
      const view = await viewOf(smallest);
      const viaDevice = (await view.listMessages({ ...window(k), strategy: 'by-device' })).items.map((m) => m.id);
      const viaTime = (await view.listMessages({ ...window(k), strategy: 'by-time' })).items.map((m) => m.id);
      same(viaDevice, viaTime, `engine ${smallest} by-device vs by-time, sample ${k}`);
    }

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
      const ratios = { aP50: ratio(pa.p50, a.p50), aP99: ratio(pa.p99, a.p99), bP50: ratio(pb.p50, bAuto!.stats.p50), bP99: ratio(pb.p99, bAuto!.stats.p99) };
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
      printProfile('(b) auto', bAuto!.profile!);
      printProfile(`(b) by-device, ${smallest}`, bSmallDevice!.profile!);
    }
    return {
      endOfWindow: new Date(end).toISOString(),
      messagesLast24h: lastDay,
      largestSupplier: { partyId: largest, ...ref.size.get(largest)! },
      smallestParty: { partyId: smallest, ...ref.size.get(smallest)! },
      a: { engine: a, engineFirst50: stats(engineA.slice(0, 50)), rowsPerPageMean: mean(rowsA), targetP99Ms: 10 },
      b: {
        auto: bAuto!.stats,
        autoFullPages: bAuto!.full,
        byTime: bTime!.stats,
        smallestByDevice: bSmallDevice!.stats,
        smallestAuto: bSmallAuto!.stats,
        targetP99Ms: 50,
      },
      plainPrepared,
      plainKysely,
      aWarm: warmStats,
      ...(profiler ? { profile: { a: profA, bAuto: bAuto!.profile, bSmallestByDevice: bSmallDevice!.profile } } : {}),
    };
  } finally {
    reader.close();
    await store.close();
  }
}

const mean = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
const ratio = (x: number, y: number) => Math.round((x / y) * 10) / 10;

function same(engine: readonly string[], plain: readonly string[], what: string): void {
  if (engine.length === plain.length && engine.every((id, i) => id === plain[i])) return;
  console.error(`MISMATCH between the engine and the plain implementation: ${what}`);
  console.error(`  engine (${engine.length}): ${engine.join(',')}`);
  console.error(`  plain  (${plain.length}): ${plain.join(',')}`);
  process.exit(2);
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

interface StatementProfile {
  sql: string;
  calls: number;
  prepareMs: number;
  runMs: number;
  rows: number;
}

interface Profiler {
  /** A new set of timings, collecting from now on. */
  start(): Map<string, StatementProfile>;
  /** Collect into `handle` again. */
  resume(handle: Map<string, StatementProfile>): void;
  /** Stop collecting (until `resume`). */
  pause(): void;
  /** Stop collecting; the statements of `handle`, most expensive first. */
  stop(handle: Map<string, StatementProfile>): StatementProfile[];
}

function installProfiler(): Profiler {
  let active: Map<string, StatementProfile> | undefined;
  const proto = Database.prototype as unknown as { prepare: (this: Database.Database, source: string) => Database.Statement };
  const prepare = proto.prepare;
  const entryFor = (bucket: Map<string, StatementProfile>, source: string) => {
    const key = source.replace(/\?(?:, \?)+/g, '?…').replace(/\s+/g, ' ');
    let entry = bucket.get(key);
    if (!entry) bucket.set(key, (entry = { sql: key, calls: 0, prepareMs: 0, runMs: 0, rows: 0 }));
    return entry;
  };
  proto.prepare = function (this: Database.Database, source: string): Database.Statement {
    const t = performance.now();
    const stmt = prepare.call(this, source);
    if (active) entryFor(active, source).prepareMs += performance.now() - t;
    const all = stmt.all.bind(stmt);
    (stmt as unknown as { all: (...args: unknown[]) => unknown[] }).all = (...args: unknown[]) => {
      const t1 = performance.now();
      const rows = all(...(args as []));
      if (active) {
        const entry = entryFor(active, source);
        entry.calls++;
        entry.rows += rows.length;
        entry.runMs += performance.now() - t1;
      }
      return rows;
    };
    return stmt;
  };
  return {
    start: () => (active = new Map()),
    resume: (handle) => void (active = handle),
    pause: () => void (active = undefined),
    stop: (handle) => {
      active = undefined;
      return [...handle.values()].sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs));
    },
  };
}

function printProfile(what: string, entries: readonly StatementProfile[]): void {
  const total = entries.reduce((s, e) => s + e.prepareMs + e.runMs, 0);
  console.log(`profile ${what}: ${total.toFixed(0)} ms in SQL (prepare + run), by statement:`);
  for (const e of entries.slice(0, 8)) {
    console.log(
      `  ${(e.prepareMs + e.runMs).toFixed(0).padStart(7)} ms  prepare ${e.prepareMs.toFixed(0).padStart(6)} ms  calls ${String(e.calls).padStart(6)}  rows ${String(e.rows).padStart(8)}  ${e.sql.slice(0, 220)}`,
    );
  }
}

// Last, so that every module-level constant above is initialised before either side runs.
if (isMainThread) await main();
else await runGenerator(workerData as GeneratorData);

/** Reads the database file once, sequentially, so the OS page cache holds it (steady state of a serving host). */
async function warmFileCache(path: string): Promise<void> {
  const t = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) bytes += (chunk as Buffer).length;
  console.log(`warmed the OS file cache: read ${(bytes / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t) / 1000).toFixed(1)} s (BENCH_WARM=0 to skip)`);
}
