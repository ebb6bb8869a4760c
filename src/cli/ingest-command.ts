import type { Command } from 'commander';
import { resolveDbUrl } from '../config/db-url.js';
import { listSourceFiles, sourceJobs } from '../ingest/file-sources.js';
import { ingestJobs } from '../ingest/ingest-runner.js';
import { recordRejection, type IngestSummary } from '../ingest/ingest-summary.js';
import { parseReceivedAt } from '../ingest/ndjson-line.js';
import { PreparePool } from '../ingest/prepare-pool.js';
import { openStore } from '../store/open-store.js';
import { integerFlag } from './cli-flags.js';
import { ProgressBar } from './progress-bar.js';

/**
 * SQLite page cache of an import, KiB. The write path's hot pages are few: the growing ends of the time, user,
 * thread (keys follow the counter, src/threads/thread-key.ts) and feed indexes, and the interior pages of the
 * device index, about 2 MiB at 10 million messages. The device index's leaves are random and come from the OS
 * page cache at any affordable size. 8 MiB instead of the store's default 32 took 20-30 MiB off the import's
 * peak RSS (the 300 MB budget of issue 2) with no difference in speed beyond the noise (docs/benchmarks.md).
 */
const INGEST_SQLITE_CACHE_KIB = 8192;

interface IngestFlags {
  db?: string;
  json?: boolean;
  receivedAt?: string;
  workers?: string;
  batchMib?: string;
}

/** Exit status when the run finished but some messages were rejected. */
export const EXIT_SOME_REJECTED = 3;

/**
 * `srvv ingest <files or folders...> [--db URL] [--json] [--received-at ISO] [--workers N]`
 *
 * Reads `.xml` files (one DUIS document each, received now or at `--received-at`) and `.ndjson` files (one
 * `{"receivedAt", "xml"}` object per line), stores every valid message once, and prints a summary: ingested,
 * duplicates, rejected with each reason. Exits 0 when nothing was rejected, 3 when some input was rejected.
 */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('ingest DUIS messages from .xml and .ndjson files or folders')
    .argument('<paths...>', 'files or folders (searched recursively for .xml and .ndjson)')
    .option('--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)')
    .option('--json', 'print the summary as JSON')
    .option('--received-at <iso>', 'receipt time for .xml files (default: now)')
    .option('--workers <n>', 'parser threads (default: cores - 1)')
    .option('--batch-mib <n>', 'MiB of input per transaction (default 2)')
    .action(async (paths: string[], flags: IngestFlags) => {
      const receivedAt = flags.receivedAt === undefined ? Date.now() : parseReceivedAt(flags.receivedAt, '--received-at');
      const listing = await listSourceFiles(paths);
      const workers = flags.workers === undefined ? undefined : integerFlag(flags.workers, '--workers', 0);
      const jobBytes = flags.batchMib === undefined ? undefined : integerFlag(flags.batchMib, '--batch-mib', 1) * 1024 * 1024;
      const store = await openStore(resolveDbUrl(flags.db), { sqliteCacheSizeKiB: INGEST_SQLITE_CACHE_KIB });
      const pool = new PreparePool({ workers });
      const total = listing.files.reduce((n, f) => n + f.size, 0);
      const bar = new ProgressBar(total);
      let bytes = 0;
      try {
        const summary = await ingestJobs(
          store,
          sourceJobs(listing.files, { receivedAt, jobBytes, onBytes: (n) => (bytes += n) }),
          pool,
          { onProgress: (s) => bar.update(bytes, `${s.read} messages`) },
        );
        bar.done();
        for (const path of listing.unsupported) {
          summary.read++;
          recordRejection(summary, { origin: { source: path }, code: 'INGEST_UNSUPPORTED_MEDIA_TYPE', detail: 'not a .xml or .ndjson file' });
        }
        process.stdout.write(flags.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
        if (summary.rejected > 0) process.exitCode = EXIT_SOME_REJECTED;
      } finally {
        await pool.close();
        await store.close();
      }
    });
}

/** The human-readable summary. */
export function formatSummary(s: IngestSummary): string {
  const lines = [
    `read        ${s.read}`,
    `ingested    ${s.ingested}${kinds(s)}`,
    `duplicates  ${s.duplicates}`,
    `rejected    ${s.rejected}`,
  ];
  for (const [code, n] of Object.entries(s.rejectedByReason)) lines.push(`  ${code}: ${n}`);
  for (const r of s.rejections) {
    lines.push(`  ${r.origin.source}${r.origin.line ? `:${r.origin.line}` : ''}: ${r.code}: ${r.detail}`);
  }
  if (s.rejections.length < s.rejected) lines.push(`  ... ${s.rejected - s.rejections.length} more`);
  lines.push(`elapsed     ${(s.elapsedMs / 1000).toFixed(1)} s (${s.messagesPerSecond} messages/s, peak RSS ${s.peakRssMiB} MiB)`);
  return lines.join('\n') + '\n';
}

function kinds(s: IngestSummary): string {
  const parts = Object.entries(s.ingestedByKind).map(([k, n]) => `${k} ${n}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
