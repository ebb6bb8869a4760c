// `npm run bench:pg` — the PostgreSQL benchmark of issue 6 (a benchmark, not a test). In one run it reports:
//
// 1. Ingestion through NATS JetStream into PostgreSQL (target >= 10,000 msg/s). BENCH_PG_INGEST_MESSAGES messages
//    of the realistic mix (the synthetic generator: a world of BENCH_PG_INGEST_DEVICES devices, seed 7, traffic
//    seed 2, as `npm run bench:ingest`) are generated into memory, then published (XML payloads with a
//    `Received-At` header) to one fresh stream per run (`BENCHPG_<pid>_<run>`, subject `benchpg.<pid>.<run>.duis`),
//    every stream before any consuming (publish rate reported). Each run then spawns `srvv consume ... --durable
//    bench --idle-exit 3 --json` (1, then 2 side by side sharing the durable) into its own fresh database
//    `srvv_bench_ingest_<pid>_<run>` (created and migrated first, so concurrent consumers do not race the
//    migrations) and measures the wall time from spawn to the last message stored (max(id) of `messages` polled
//    every 250 ms), the consumers' peak RSS (VmHWM sampled from /proc, and each summary's own figure), and
//    PostgreSQL bytes per stored message (pg_total_relation_size over every table of the store, partitions
//    included, indexes and TOAST with their table). Databases are dropped and streams deleted afterwards.
//
// 2. The two visibility query shapes of `npm run bench:query` on PostgreSQL (query-world.ts, same world, same
//    devices, same windows, same targets): (a) first page (50) of one device's history seen by its Responsible
//    Supplier at the end of the window, 500 devices, target p99 <= 10 ms; (b) first page of "others' messages on
//    my devices, last 24 h" (`othersOnly`) for the largest supplier, 200 windows, target p99 <= 50 ms; plus the
//    smallest party's `by-device` / `auto` and the check that the engine's plans agree. The world is loaded once
//    into the persistent database `srvv_bench_query_<devices>_<messages>` through the store's normal `ingest`
//    (prepared batches from the generator worker), then VACUUM (ANALYZE); a table `bench_load_done` in it says
//    the load completed (drop the database, or that table, to reload). Before measuring, the store's relations are
//    read once into the OS cache (pg_prewarm, mode 'read'), the analogue of bench:query's file warm-up.
//
// Environment: BENCH_PG_URL (admin connection, default postgres://postgres@127.0.0.1:5432/postgres; the bench's
// databases are created on the same server), BENCH_NATS_URL (nats://127.0.0.1:4222), BENCH_DIR (.bench),
// BENCH_PG_SKIP_INGEST=1 / BENCH_PG_SKIP_QUERY=1 (run one half; the other half's last results are kept in the
// results file), BENCH_PG_INGEST_MESSAGES (300,000), BENCH_PG_INGEST_DEVICES (100,000), BENCH_PG_CONSUMERS
// (runs, consumers per run, default "1,2"), BENCH_PG_CONSUME_BATCH (passed as --batch; default: srvv's),
// BENCH_PG_CONSUME_WORKERS (passed as --workers; default: srvv's), and for the query half those of bench:query:
// BENCH_DEVICES (1,000,000), BENCH_QUERY_MESSAGES (10,000,000), BENCH_DAYS (10), BENCH_SEED (1), BENCH_BATCH
// (5,000), BENCH_LOAD_MINUTES (no limit), BENCH_WARM=0 (skip the warm-up read), BENCH_PROFILE=1 (time every SQL
// statement the engine sends, per query kind, printed after the figures; the profiler's own cost is in them).
// Results: BENCH_DIR/pg-results.json; consumer logs: BENCH_DIR/pg-consume-<run>-<i>.log.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { sql } from 'kysely';
import type { IngestSummary } from '../ingest/ingest-summary.js';
import { KyselyMessageStore } from '../store/kysely-message-store.js';
import { createStoreDialect, openStore } from '../store/open-store.js';
import { createWorld, generateTraffic } from '../synth/index.js';
import { createDatabase, databaseExists, databaseUrl, dropDatabase, tableBytes, withClient } from './pg-admin.js';
import { installPgProfiler } from './pg-profiler.js';
import {
  describeLoad,
  describeRun,
  engineResults,
  loadWorld,
  measureEngine,
  printProfile,
  referenceOptions,
  worldConfig,
  type LoadInfo,
  type StoreProbe,
} from './query-world.js';

const env = process.env;
const adminUrl = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const dir = resolve(env.BENCH_DIR ?? '.bench');
const cli = resolve('bin/srvv.js');
const resultsFile = join(dir, 'pg-results.json');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { machine, command } = describeRun();
  const server = await withClient(adminUrl, async (c) => {
    const version = String((await c.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v).replace(/ on .*/, '');
    const settings = await c.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'max_wal_size', 'work_mem', 'effective_cache_size', 'autovacuum')`,
    );
    return { version, settings: Object.fromEntries(settings.rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting])) };
  });
  console.log(`server: ${server.version}; ${Object.entries(server.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  // The file holds the latest figures of each half: a skipped half keeps what an earlier run wrote (read when
  // writing, so that runs of the two halves side by side do not undo each other).
  const previous = () => (existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>) : {});
  const run = { date: new Date().toISOString(), machine, command, server };
  const halves: Record<string, unknown> = {};
  const write = () => writeFileSync(resultsFile, JSON.stringify({ ...previous(), ...run, ...halves }, null, 2));
  if (env.BENCH_PG_SKIP_INGEST === '1') console.log('ingestion half skipped (BENCH_PG_SKIP_INGEST=1)');
  else {
    halves.ingest = { ...run, ...(await ingestHalf()) };
    write();
  }
  if (env.BENCH_PG_SKIP_QUERY === '1') console.log('query half skipped (BENCH_PG_SKIP_QUERY=1)');
  else {
    halves.query = { ...run, ...(await queryHalf()) };
    write();
  }
  console.log(`results written to ${resultsFile}`);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Ingestion through JetStream

interface Corpus {
  payloads: Buffer[];
  receivedAt: string[];
  bytes: number;
}

function generateCorpus(count: number, devices: number): Corpus {
  const start = new Date('2026-01-01T00:00:00Z');
  const t = performance.now();
  const world = createWorld({ seed: 7, devices, start });
  const payloads: Buffer[] = [];
  const receivedAt: string[] = [];
  let bytes = 0;
  for (const r of generateTraffic(world, { seed: 2, count, start, messagesPerSecond: 1000 })) {
    const b = Buffer.from(r.xml);
    payloads.push(b);
    receivedAt.push(r.receivedAt);
    bytes += b.length;
  }
  console.log(
    `generated ${payloads.length} messages (${devices} devices), ${(bytes / 2 ** 20).toFixed(0)} MiB, mean ${Math.round(bytes / payloads.length)} B, ` +
      `in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  return { payloads, receivedAt, bytes };
}

interface ConsumerProcess {
  pid: number;
  exitCode: number | null;
  summary: (IngestSummary & Record<string, unknown>) | undefined;
  vmHwmKiB: number;
  vmRssMaxKiB: number;
}

/** VmHWM and VmRSS of a live process, KiB; undefined once it is gone. */
function memoryOf(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { hwm: field('VmHWM'), rss: field('VmRSS') };
  } catch {
    return undefined;
  }
}

async function consumeRun(runNo: number, consumers: number, stream: string, subject: string, published: number) {
  const dbName = `srvv_bench_ingest_${process.pid}_${runNo}`;
  const url = await createDatabase(adminUrl, dbName);
  try {
    // Migrate before spawning, so that consumers started together do not race the migrations.
    await (await openStore(url)).close();
    const extra = [
      ...(env.BENCH_PG_CONSUME_BATCH ? ['--batch', env.BENCH_PG_CONSUME_BATCH] : []),
      ...(env.BENCH_PG_CONSUME_WORKERS ? ['--workers', env.BENCH_PG_CONSUME_WORKERS] : []),
    ];
    const args = [cli, 'consume', '--nats', natsUrl, '--stream', stream, '--subject', subject, '--durable', 'bench', '--db', url, '--idle-exit', '3', '--json', ...extra];
    console.log(`run ${runNo}: ${consumers} x node ${args.map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`);

    return await withClient(url, async (client) => {
      const t0 = performance.now();
      const procs: ConsumerProcess[] = [];
      const exits: Array<Promise<void>> = [];
      for (let i = 0; i < consumers; i++) {
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const p: ConsumerProcess = { pid: child.pid!, exitCode: null, summary: undefined, vmHwmKiB: 0, vmRssMaxKiB: 0 };
        procs.push(p);
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.pipe(createWriteStream(join(dir, `pg-consume-${runNo}-${i}.log`)));
        exits.push(
          new Promise<void>((res) =>
            child.on('exit', (code) => {
              p.exitCode = code;
              try {
                p.summary = JSON.parse(stdout) as ConsumerProcess['summary'];
              } catch {
                console.error(`consumer ${i} (pid ${p.pid}) printed no JSON summary; exit ${code}; stdout: ${stdout.slice(0, 500)}`);
              }
              res();
            }),
          ),
        );
      }
      let running = consumers;
      void Promise.all(exits).then(() => (running = 0));
      let maxId: string | null = null;
      let firstStored: number | undefined;
      let lastStored: number | undefined;
      while (running > 0) {
        await sleep(250);
        for (const p of procs) {
          const m = memoryOf(p.pid);
          if (m) {
            p.vmHwmKiB = Math.max(p.vmHwmKiB, m.hwm);
            p.vmRssMaxKiB = Math.max(p.vmRssMaxKiB, m.rss);
          }
        }
        const now = performance.now();
        const id = (await client.query<{ id: string | null }>('SELECT max(id) AS id FROM messages')).rows[0]!.id;
        if (id !== null && id !== maxId) {
          firstStored ??= now;
          lastStored = now;
          maxId = id;
        }
      }
      const final = (await client.query<{ id: string | null }>('SELECT max(id) AS id FROM messages')).rows[0]!.id;
      if (final !== maxId) lastStored = performance.now(); // stored after the last poll (cannot happen: consumers exited after idling)
      const stored = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM messages')).rows[0]!.n);
      const bytes = await tableBytes(client);
      const totalBytes = [...bytes.values()].reduce((a, b) => a + b, 0);
      const byTable: Record<string, number> = {};
      for (const [name, b] of bytes) {
        const table = name.replace(/_p\d{6}$/, '');
        byTable[table] = (byTable[table] ?? 0) + b;
      }
      const wall = ((lastStored ?? t0) - t0) / 1000;
      const sinceFirst = ((lastStored ?? t0) - (firstStored ?? t0)) / 1000;
      const summed = (k: 'ingested' | 'duplicates' | 'rejected' | 'read') => procs.reduce((s, p) => s + Number(p.summary?.[k] ?? 0), 0);
      const result = {
        consumers,
        stream,
        published,
        stored,
        read: summed('read'),
        ingested: summed('ingested'),
        duplicates: summed('duplicates'),
        rejected: summed('rejected'),
        exitCodes: procs.map((p) => p.exitCode),
        wallSecondsSpawnToLastStored: round(wall, 2),
        messagesPerSecond: Math.round(stored / wall),
        secondsFirstToLastStored: round(sinceFirst, 2),
        messagesPerSecondAfterFirstStored: Math.round(stored / sinceFirst),
        startupSeconds: round(((firstStored ?? t0) - t0) / 1000, 2),
        peakRssMiB: procs.map((p) => Math.round(p.vmHwmKiB / 1024)),
        peakRssMiBBySummary: procs.map((p) => p.summary?.peakRssMiB ?? null),
        postgresBytes: totalBytes,
        postgresBytesPerMessage: Math.round(totalBytes / stored),
        postgresBytesByTable: byTable,
      };
      console.log(
        `run ${runNo}, ${consumers} consumer(s): ${stored} stored of ${published} published in ${wall.toFixed(1)} s from spawn = ${result.messagesPerSecond} msg/s ` +
          `(${result.messagesPerSecondAfterFirstStored} msg/s from the first stored, startup ${result.startupSeconds} s); target >= 10,000 msg/s: ` +
          `${result.messagesPerSecond >= 10_000 ? 'met' : 'NOT MET'}; peak RSS ${result.peakRssMiB.join(' + ')} MiB; ` +
          `PostgreSQL ${(totalBytes / 2 ** 20).toFixed(0)} MiB = ${result.postgresBytesPerMessage} B/message`,
      );
      if (result.exitCodes.some((c) => c !== 0)) console.error(`consumer exit codes: ${result.exitCodes.join(', ')} (logs: ${dir}/pg-consume-${runNo}-*.log)`);
      return result;
    });
  } finally {
    await dropDatabase(adminUrl, dbName);
  }
}

async function ingestHalf() {
  const count = Number(env.BENCH_PG_INGEST_MESSAGES ?? 300_000);
  const devices = Number(env.BENCH_PG_INGEST_DEVICES ?? 100_000);
  const runs = (env.BENCH_PG_CONSUMERS ?? '1,2').split(',').map(Number);
  let corpus: Corpus | undefined = generateCorpus(count, devices);
  const rawBytesPerMessage = Math.round(corpus.bytes / corpus.payloads.length);
  const nc = await connect({ servers: natsUrl.split(','), name: 'srvv bench:pg' });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const streams = runs.map((_, i) => ({ name: `BENCHPG_${process.pid}_${i + 1}`, subject: `benchpg.${process.pid}.${i + 1}.duis` }));
  try {
    // Every stream is filled before any consumer starts.
    const publishRates: number[] = [];
    for (const s of streams) {
      await jsm.streams.add({ name: s.name, subjects: [s.subject], storage: StorageType.File });
      const t = performance.now();
      let pending: Array<Promise<unknown>> = [];
      for (let i = 0; i < corpus.payloads.length; i++) {
        const h = headers();
        h.set('Received-At', corpus.receivedAt[i]!);
        pending.push(js.publish(s.subject, corpus.payloads[i]!, { headers: h }));
        if (pending.length >= 1000) {
          await Promise.all(pending);
          pending = [];
        }
      }
      await Promise.all(pending);
      const seconds = (performance.now() - t) / 1000;
      publishRates.push(Math.round(corpus.payloads.length / seconds));
      const info = await jsm.streams.info(s.name);
      console.log(
        `published ${corpus.payloads.length} messages to stream ${s.name} (${s.subject}) in ${seconds.toFixed(1)} s = ${publishRates.at(-1)} msg/s ` +
          `(acknowledged by JetStream, file storage; stream holds ${info.state.messages} messages, ${(info.state.bytes / 2 ** 20).toFixed(0)} MiB)`,
      );
    }
    corpus = undefined; // free the payloads before the consumers run
    const results = [];
    for (const [i, consumers] of runs.entries()) {
      results.push(await consumeRun(i + 1, consumers, streams[i]!.name, streams[i]!.subject, count));
    }
    return { messages: count, devices, rawBytesPerMessage, publishMessagesPerSecond: publishRates, runs: results, targetMessagesPerSecond: 10_000 };
  } finally {
    for (const s of streams) await jsm.streams.delete(s.name).catch(() => false);
    await nc.drain();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The visibility queries at scale

async function readMarker(url: string): Promise<LoadInfo | undefined> {
  return withClient(url, async (c) => {
    const exists = (await c.query(`SELECT 1 FROM pg_class WHERE relname = 'bench_load_done' AND relnamespace = current_schema()::regnamespace`)).rowCount === 1;
    if (!exists) return undefined;
    return (await c.query<{ info: LoadInfo }>('SELECT info FROM bench_load_done')).rows[0]?.info;
  });
}

async function queryHalf() {
  const cfg = worldConfig(env);
  const warm = env.BENCH_WARM !== '0';
  const world = createWorld({ seed: cfg.seed, devices: cfg.devices, start: cfg.start });
  const refOpts = referenceOptions(cfg);
  const dbName = `srvv_bench_query_${cfg.devices}_${cfg.messages}`;
  const url = databaseUrl(adminUrl, dbName);
  let load = (await databaseExists(adminUrl, dbName)) ? await readMarker(url) : undefined;
  if (load) {
    console.log(`reusing database ${dbName} (loaded ${load.loadedAt}; DROP DATABASE ${dbName} or DROP TABLE bench_load_done to reload)`);
  } else {
    console.log(`loading database ${dbName} (created afresh)`);
    await createDatabase(adminUrl, dbName);
    const store = await openStore(url);
    let info;
    try {
      info = await loadWorld(cfg, world, refOpts, store);
    } finally {
      await store.close();
    }
    load = await withClient(url, async (c) => {
      const t = performance.now();
      await c.query('VACUUM (ANALYZE)');
      console.log(`VACUUM (ANALYZE) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const bytes = Number((await c.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);
      const done: LoadInfo = { ...info, databaseBytes: bytes };
      await c.query('CREATE TABLE bench_load_done (info jsonb NOT NULL)');
      await c.query('INSERT INTO bench_load_done (info) VALUES ($1)', [JSON.stringify(done)]);
      return done;
    });
  }
  console.log(describeLoad(load));
  const storage = await withClient(url, async (c) => {
    const bytes = await tableBytes(c);
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    // Whatever the ingestion half or the load left dirty is written out now, so that the queries are not timed
    // while a spread checkpoint writes out the ingestion half's gigabytes.
    let t = performance.now();
    await c.query('CHECKPOINT');
    console.log(`CHECKPOINT in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    if (warm) {
      t = performance.now();
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
      const r = await c.query<{ blocks: string }>(`
        WITH own AS (SELECT oid, reltoastrelid FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'i', 'm')),
             rel AS (SELECT oid FROM own UNION ALL SELECT reltoastrelid FROM own WHERE reltoastrelid <> 0
                     UNION ALL SELECT i.indexrelid FROM own JOIN pg_index i ON i.indrelid = own.reltoastrelid)
        SELECT coalesce(sum(pg_prewarm(oid, 'read')), 0) AS blocks FROM rel`);
      console.log(`warmed the OS file cache: read ${((Number(r.rows[0]!.blocks) * 8192) / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t) / 1000).toFixed(1)} s (BENCH_WARM=0 to skip)`);
    }
    return { tablesBytes: total, bytesPerMessage: Math.round(total / load.messagesLoaded) };
  });

  // Installed before the store connects: each connection binds its query method when it opens (prepared-reads.ts).
  const profiler = env.BENCH_PROFILE === '1' ? installPgProfiler() : undefined;
  const store = await KyselyMessageStore.open(await createStoreDialect(url));
  try {
    const db = store.db;
    const probe: StoreProbe = {
      maxTime: async () => Number((await sql<{ t: string }>`SELECT max(time) AS t FROM messages`.execute(db)).rows[0]!.t),
      countBetween: async (from, to) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM messages WHERE time >= ${from} AND time < ${to}`.execute(db)).rows[0]!.n),
      hasTraffic: async (key) => (await sql`SELECT 1 FROM message_devices WHERE device = ${key} LIMIT 1`.execute(db)).rows.length > 0,
    };
    const engine = await measureEngine({ seed: cfg.seed, world, refOpts, store, probe, profiler });
    if (profiler) {
      printProfile('(a)', engine.profA!);
      printProfile('(b) auto', engine.bAuto.profile!);
      printProfile(`(b) by-device, ${engine.smallest}`, engine.bSmallDevice.profile!);
    }
    const ok = { aRowsPerPageMean: engine.rowsA.reduce((s, x) => s + x, 0) / engine.rowsA.length, bFullPages: engine.bAuto.full };
    if (ok.aRowsPerPageMean === 0 || ok.bFullPages === 0) console.error(`SUSPICIOUS: empty pages ((a) rows per page mean ${ok.aRowsPerPageMean}, (b) full pages ${ok.bFullPages})`);
    return { database: dbName, load, storage, warm, ...engineResults(engine) };
  } finally {
    await store.close();
  }
}

await main();
