// Shared by the visibility query benches, `npm run bench:query` (SQLite, query-bench.ts) and `npm run bench:pg`
// (PostgreSQL, pg-bench.ts): the bench's machine and command line, loading the synthetic world (reference data in
// slices, then the traffic generated and prepared by a worker thread, traffic-generator.ts) through the store's
// normal `ingest`, and the engine's measurement of the two query shapes through `forParty(...).listMessages(...)`,
// whatever the backend. Only picking the samples needs SQL of the backend: see {@link StoreProbe}.
import { cpus, loadavg, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { reviveJob } from '../ingest/prepare-job.js';
import { eui64ToBigInt } from '../duis/eui64.js';
import type { ReferenceDocument } from '../reference/reference-document.js';
import type { MessageStore, PartyMessageQuery, PartyView } from '../store/message-store.js';
import { referenceDocumentSlices, type ReferenceDataOptions, type SynthWorld } from '../synth/index.js';
import { Prng } from '../synth/prng.js';
import type { FromGenerator, GeneratorData } from './traffic-generator.js';

export const DAY = 86_400_000;
export const PAGE = 50;

/** The world both query benches load: BENCH_DEVICES, BENCH_QUERY_MESSAGES, BENCH_DAYS, BENCH_SEED, BENCH_BATCH, BENCH_LOAD_MINUTES. */
export interface WorldConfig {
  devices: number;
  messages: number;
  days: number;
  seed: number;
  batch: number;
  loadMinutes: number;
  start: Date;
}

export function worldConfig(env: NodeJS.ProcessEnv): WorldConfig {
  return {
    devices: Number(env.BENCH_DEVICES ?? 1_000_000),
    messages: Number(env.BENCH_QUERY_MESSAGES ?? 10_000_000),
    days: Number(env.BENCH_DAYS ?? 10),
    seed: Number(env.BENCH_SEED ?? 1),
    batch: Number(env.BENCH_BATCH ?? 5000),
    loadMinutes: Number(env.BENCH_LOAD_MINUTES ?? Infinity),
    start: new Date('2025-03-03T00:00:00.000Z'),
  };
}

export function referenceOptions(cfg: WorldConfig): ReferenceDataOptions {
  return { seed: cfg.seed, start: cfg.start, end: new Date(cfg.start.getTime() + cfg.days * DAY) };
}

/** The machine and the exact command (with its BENCH_ environment), printed and returned for the results file. */
export function describeRun(): { machine: string; command: string } {
  const env = process.env;
  const cpu = cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
  const knobs = Object.entries(env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `).join('');
  const command = `${knobs}node ${process.argv.slice(1).map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`;
  console.log(`machine: ${machine}`);
  console.log(`command: ${command}`);
  return { machine, command };
}

export const loadAverage = () => loadavg().map((x) => x.toFixed(1)).join(' ');

// ---------------------------------------------------------------------------------------------------------------
// Loading

export interface LoadInfo {
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

/**
 * Applies the world's reference data (in slices of 20,000 devices), then streams the traffic into `store`.
 * Everything of {@link LoadInfo} but the database size, which the caller measures after closing the store.
 */
export async function loadWorld(cfg: WorldConfig, world: SynthWorld, refOpts: ReferenceDataOptions, store: MessageStore): Promise<Omit<LoadInfo, 'databaseBytes'>> {
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
    loadedAt: new Date().toISOString(),
  };
}

export function describeLoad(load: LoadInfo): string {
  return (
    `load: reference data for ${load.devices} devices in ${load.referenceSlices} slices ${load.referenceSeconds.toFixed(1)} s ` +
    `(${Math.round(load.devices / load.referenceSeconds)} devices/s); ${load.messagesLoaded} messages` +
    `${load.partial ? ` (PARTIAL: stopped after the time budget, ${load.messagesRequested} requested)` : ''} in ` +
    `${load.loadSeconds.toFixed(0)} s (${Math.round(load.loadMessagesPerSecond)} msg/s), database ${(load.databaseBytes / 2 ** 30).toFixed(2)} GiB`
  );
}

/** Streams generated, prepared batches from the worker into the store; up to 3 batches prepared ahead. */
export async function loadTraffic(cfg: WorldConfig, store: MessageStore, messagesPerSecond: number): Promise<{ loaded: number; rejected: number; partial: boolean }> {
  const data: GeneratorData = { devices: cfg.devices, seed: cfg.seed, start: cfg.start.getTime(), count: cfg.messages, messagesPerSecond, batch: cfg.batch };
  const worker = new Worker(new URL('./traffic-generator.js', import.meta.url), { workerData: data });
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
// Statistics

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: round(at(0.5)), p99: round(at(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), max: round(at(1)) };
}

export const fmt = (s: Stats) => `p50 ${s.p50} ms, p99 ${s.p99} ms, mean ${s.mean} ms, max ${s.max} ms (n=${s.n})`;
export const mean = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
export const ratio = (x: number, y: number) => Math.round((x / y) * 10) / 10;

/** Exits the bench (status 2) when two answers that must agree do not. */
export function same(engine: readonly string[], plain: readonly string[], what: string): void {
  if (engine.length === plain.length && engine.every((id, i) => id === plain[i])) return;
  console.error(`MISMATCH between the engine and the plain implementation: ${what}`);
  console.error(`  engine (${engine.length}): ${engine.join(',')}`);
  console.error(`  plain  (${plain.length}): ${plain.join(',')}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring the engine

/** What the bench needs to know of the reference data, read back from the (deterministic) slices. */
export interface ReferenceSummary {
  /** IS / GS registration histories by MPxN. */
  supply: Map<string, ReferenceDocument['registrations'][number]['history']>;
  /** Supplier registrations (IS / GS) and certificates held, per party. */
  size: Map<string, { registrations: number; certificates: number }>;
}

export function summariseReference(world: SynthWorld, refOpts: ReferenceDataOptions): ReferenceSummary {
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

/** The backend-specific SQL the measurement needs: the window's end and whether a device has traffic. */
export interface StoreProbe {
  /** Latest t(M) stored, ms. */
  maxTime(): Promise<number>;
  /** Messages with t(M) in [from, to). */
  countBetween(from: number, to: number): Promise<number>;
  /** Whether any message has the device (EUI-64 key) in S(M). */
  hasTraffic(deviceKey: bigint): Promise<boolean>;
}

export interface StatementProfile {
  sql: string;
  calls: number;
  prepareMs: number;
  runMs: number;
  rows: number;
}

/** A per-statement profiler of the engine's SQL (query-bench.ts installs one on better-sqlite3). */
export interface Profiler {
  /** A new set of timings, collecting from now on. */
  start(): Map<string, StatementProfile>;
  /** Collect into `handle` again. */
  resume(handle: Map<string, StatementProfile>): void;
  /** Stop collecting (until `resume`). */
  pause(): void;
  /** Stop collecting; the statements of `handle`, most expensive first. */
  stop(handle: Map<string, StatementProfile>): StatementProfile[];
}

/**
 * The bookkeeping both statement profilers share (bench:query's on better-sqlite3, bench:pg's on pg): buckets of
 * timings by SQL text (with IN lists folded to one placeholder), at most one bucket collecting at a time.
 */
export class StatementTimings implements Profiler {
  #active: Map<string, StatementProfile> | undefined;

  /** The bucket collecting now, if any: a statement records into the bucket that was active when it started. */
  get active(): Map<string, StatementProfile> | undefined {
    return this.#active;
  }

  /** The entry of `sql` in `bucket` (created empty), its text folded: `?, ?, …` and `$1, $2, …` lists to one. */
  entry(bucket: Map<string, StatementProfile>, sql: string): StatementProfile {
    const key = sql.replace(/\?(?:, \?)+/g, '?…').replace(/\$\d+(?:, \$\d+)+/g, '$…').replace(/\s+/g, ' ');
    let entry = bucket.get(key);
    if (!entry) bucket.set(key, (entry = { sql: key, calls: 0, prepareMs: 0, runMs: 0, rows: 0 }));
    return entry;
  }

  start(): Map<string, StatementProfile> {
    return (this.#active = new Map());
  }

  resume(handle: Map<string, StatementProfile>): void {
    this.#active = handle;
  }

  pause(): void {
    this.#active = undefined;
  }

  stop(handle: Map<string, StatementProfile>): StatementProfile[] {
    this.#active = undefined;
    return [...handle.values()].sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs));
  }
}

export interface DeviceSample {
  deviceId: string;
  partyId: string;
}

interface StrategyRun {
  stats: Stats;
  full: number;
  profile: StatementProfile[] | undefined;
}

/**
 * Measures the engine, in this order (each step printed): the window's end; (a) 500 random devices with traffic,
 * each read by its Responsible Supplier at the end of the window (after 20 warm-up reads); (b) the largest
 * supplier's "others' messages, last 24 h", `auto` and `by-time` interleaved, 200 samples, `to` moving back 3
 * minutes per sample; the same for the smallest party, `by-device` and `auto`, 20 samples; then that `by-device`
 * and `by-time` agree for the smallest party. Devices are picked by a PRNG derived from the seed, so every backend
 * measures the same devices on the same world.
 */
export async function measureEngine(params: {
  seed: number;
  world: SynthWorld;
  refOpts: ReferenceDataOptions;
  store: Pick<MessageStore, 'forParty'>;
  probe: StoreProbe;
  profiler?: Profiler | undefined;
}) {
  const { seed, world, refOpts, store, probe, profiler } = params;
  const end = (await probe.maxTime()) + 1;
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
  const lastDay = await probe.countBetween(end - DAY, end);
  console.log(`window end (latest t(M) + 1 ms): ${new Date(end).toISOString()}; messages in the last 24 h: ${lastDay}; load average ${loadAverage()}`);

  // (a) devices with traffic, each with its Responsible Supplier at the end of the window.
  const prng = Prng.derive(seed, 99);
  const picked = new Set<number>();
  const samples: DeviceSample[] = [];
  const wantDevices = 620; // 20 warm-up, 500 for the engine, 50 for each plain implementation (first use: cold)
  for (let tries = 0; samples.length < wantDevices && tries < 50 * wantDevices; tries++) {
    const i = prng.int(world.devices.length);
    if (picked.has(i)) continue;
    picked.add(i);
    const d = world.devices[i]!;
    const partyId = supplierAt(d.mpxns, end - 1);
    if (partyId === undefined || !(await probe.hasTraffic(eui64ToBigInt(d.deviceId)))) continue;
    samples.push({ deviceId: d.deviceId, partyId });
  }
  const measuredA = samples.slice(20, 520);
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
      `target p99 <= 10 ms: ${a.p99 <= 10 ? 'met' : 'NOT MET'}; load average ${loadAverage()}`,
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
  const runB = async (partyId: string, strategies: ReadonlyArray<NonNullable<PartyMessageQuery['strategy']>>, n: number, warm: number): Promise<StrategyRun[]> => {
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
  const [bAuto, bTime] = (await runB(largest, ['auto', 'by-time'], 200, 5)) as [StrategyRun, StrategyRun];
  console.log(
    `(b) others' messages, last 24 h, ${largest}, auto: ${fmt(bAuto.stats)}; full pages ${bAuto.full}/200; ` +
      `target p99 <= 50 ms: ${bAuto.stats.p99 <= 50 ? 'met' : 'NOT MET'}; load average ${loadAverage()}`,
  );
  console.log(`(b) ${largest}, by-time: ${fmt(bTime.stats)}`);
  const [bSmallDevice, bSmallAuto] = (await runB(smallest, ['by-device', 'auto'], 20, 1)) as [StrategyRun, StrategyRun];
  console.log(`(b) ${smallest}, by-device: ${fmt(bSmallDevice.stats)}; full pages ${bSmallDevice.full}/20`);
  console.log(`(b) ${smallest}, auto: ${fmt(bSmallAuto.stats)}; full pages ${bSmallAuto.full}/20; load average ${loadAverage()}`);

  // The engine's plans agree with each other.
  for (let k = 0; k < 3; k++) {
    const view = await viewOf(smallest);
    const viaDevice = (await view.listMessages({ ...window(k), strategy: 'by-device' })).items.map((m) => m.id);
    const viaTime = (await view.listMessages({ ...window(k), strategy: 'by-time' })).items.map((m) => m.id);
    same(viaDevice, viaTime, `engine ${smallest} by-device vs by-time, sample ${k}`);
  }

  return { end, lastDay, ref, viewOf, window, samples, measuredA, engineA, rowsA, a, profA, largest, smallest, bAuto, bTime, bSmallDevice, bSmallAuto };
}

export type EngineMeasurement = Awaited<ReturnType<typeof measureEngine>>;

/** The engine's figures as both benches write them to their results files. */
export function engineResults(m: EngineMeasurement) {
  return {
    endOfWindow: new Date(m.end).toISOString(),
    messagesLast24h: m.lastDay,
    largestSupplier: { partyId: m.largest, ...m.ref.size.get(m.largest)! },
    smallestParty: { partyId: m.smallest, ...m.ref.size.get(m.smallest)! },
    a: { engine: m.a, engineFirst50: stats(m.engineA.slice(0, 50)), rowsPerPageMean: mean(m.rowsA), targetP99Ms: 10 },
    b: {
      auto: m.bAuto.stats,
      autoFullPages: m.bAuto.full,
      byTime: m.bTime.stats,
      smallestByDevice: m.bSmallDevice.stats,
      smallestAuto: m.bSmallAuto.stats,
      targetP99Ms: 50,
    },
  };
}

/** The most expensive statements of a profile, one line each. */
export function printProfile(what: string, entries: readonly StatementProfile[]): void {
  const total = entries.reduce((s, e) => s + e.prepareMs + e.runMs, 0);
  console.log(`profile ${what}: ${total.toFixed(0)} ms in SQL (prepare + run), by statement:`);
  for (const e of entries.slice(0, 8)) {
    console.log(
      `  ${(e.prepareMs + e.runMs).toFixed(0).padStart(7)} ms  prepare ${e.prepareMs.toFixed(0).padStart(6)} ms  calls ${String(e.calls).padStart(6)}  rows ${String(e.rows).padStart(8)}  ${e.sql.slice(0, 220)}`,
    );
  }
}
