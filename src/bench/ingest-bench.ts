// `npm run bench:ingest` — the ingestion benchmark (a benchmark, not a test). In one run it reports:
//   parse-only messages/s of our parser and of @smartdcc/duis-parser on the same corpus (alternating rounds,
//   medians), end-to-end `srvv ingest` messages/s into SQLite for a second million messages on top of a first
//   million, peak RSS of each CLI run, and stored bytes per message.
// Environment: BENCH_MESSAGES (per import, default 1,000,000), BENCH_DIR (default .bench), BENCH_ROUNDS (5).
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseDuis } from '../duis/parse-duis.js';
import { prepareBatch } from '../ingest/prepare-batch.js';
import type { IngestSummary } from '../ingest/ingest-summary.js';
import { createWorld, writeNdjson } from '../synth/index.js';

const perImport = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const dir = resolve(process.env.BENCH_DIR ?? '.bench');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const cli = resolve('bin/srvv.js');
mkdirSync(dir, { recursive: true });

async function corpus(name: string, seed: number, start: Date): Promise<string> {
  const path = join(dir, `${name}-${perImport}-s${seed}.ndjson`);
  if (existsSync(path)) return path;
  const world = createWorld({ seed: 7, devices: 100_000, start });
  const t = performance.now();
  const { bytes } = await writeNdjson(path + '.tmp', world, { seed, count: perImport, start, messagesPerSecond: 1000 });
  spawnSync('mv', [path + '.tmp', path]);
  console.log(`generated ${path}: ${perImport} messages, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return path;
}

async function sample(path: string, n: number): Promise<string[]> {
  const out: string[] = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    out.push((JSON.parse(line) as { xml: string }).xml);
    if (out.length >= n) break;
  }
  rl.close();
  return out;
}

function rate(fn: (x: string) => unknown, docs: readonly string[]): number {
  const t = performance.now();
  for (const d of docs) fn(d);
  return docs.length / ((performance.now() - t) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function ingest(path: string, db: string): IngestSummary & { wallSeconds: number } {
  const t = performance.now();
  const run = spawnSync(process.execPath, [cli, 'ingest', path, '--db', `sqlite:${db}`, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`srvv ingest failed (${run.status}): ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as IngestSummary), wallSeconds: (performance.now() - t) / 1000 };
}

const fileSize = (p: string) => (existsSync(p) ? statSync(p).size : 0);

const preload = await corpus('preload', 1, new Date('2026-01-01T00:00:00Z'));
const measured = await corpus('measured', 2, new Date('2026-02-01T00:00:00Z'));

// Parse-only, side by side.
const require = createRequire(import.meta.url);
const reference = require('@smartdcc/duis-parser') as { parseDuis(mode: 'simplified', xml: string): unknown };
const docs = await sample(measured, 20_000);
const sizes = docs.map((d) => Buffer.byteLength(d)).sort((a, b) => a - b);
const ours: number[] = [];
const theirs: number[] = [];
const prepared: number[] = [];
rate((d) => parseDuis(d), docs); // warm-up
rate((d) => reference.parseDuis('simplified', d), docs);
for (let r = 0; r < rounds; r++) {
  ours.push(rate((d) => parseDuis(d), docs));
  theirs.push(rate((d) => reference.parseDuis('simplified', d), docs));
  const t = performance.now();
  for (let i = 0; i < docs.length; i += 2000) {
    prepareBatch(docs.slice(i, i + 2000).map((d) => ({ xml: Buffer.from(d), receivedAt: 0 })));
  }
  prepared.push(docs.length / ((performance.now() - t) / 1000));
}

// End-to-end CLI ingest into SQLite: a first import, then the measured one on top of it.
const db = join(dir, 'bench.db');
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
const first = ingest(preload, db);
const second = ingest(measured, db);
const storedBytes = fileSize(db) + fileSize(db + '-wal');

const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  corpus: { messagesPerImport: perImport, sampleMedianBytes: sizes[Math.floor(sizes.length / 2)], sampleP99Bytes: sizes[Math.floor(sizes.length * 0.99)] },
  parseOnly: {
    oursMedian: Math.round(median(ours)),
    duisParserMedian: Math.round(median(theirs)),
    ratio: +(median(ours) / median(theirs)).toFixed(1),
    prepareMedian: Math.round(median(prepared)),
    rounds,
  },
  firstImport: { messagesPerSecond: first.messagesPerSecond, peakRssMiB: first.peakRssMiB, ingested: first.ingested, rejected: first.rejected, wallSeconds: +first.wallSeconds.toFixed(1) },
  secondImport: { messagesPerSecond: second.messagesPerSecond, peakRssMiB: second.peakRssMiB, ingested: second.ingested, rejected: second.rejected, wallSeconds: +second.wallSeconds.toFixed(1) },
  storedBytesPerMessage: Math.round(storedBytes / (first.ingested + second.ingested)),
  rawBytesPerMessage: Math.round((fileSize(preload) + fileSize(measured)) / (2 * perImport)),
};
writeFileSync(join(dir, 'ingest-results.json'), JSON.stringify(results, null, 2));
console.log(JSON.stringify(results, null, 2));
