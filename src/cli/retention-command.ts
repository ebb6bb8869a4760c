import type { Command } from 'commander';
import { resolveDbUrl } from '../config/db-url.js';
import type { RetentionReport } from '../store/message-store.js';
import { openStore } from '../store/open-store.js';
import { parseRetentionPeriod } from '../store/time-partitions.js';

interface ApplyFlags {
  keep: string;
  db?: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `srvv retention apply --keep 13mo [--db URL] [--dry-run] [--json]`
 *
 * Removes the history older than `--keep` a whole calendar month (UTC, by t(M)) at a time: on PostgreSQL it
 * drops the months' partitions of messages, device index and XML chunks and deletes their idempotency keys; on
 * SQLite it deletes the rows. Everything from the first instant of the month holding now - keep is kept.
 * Idempotent, so it can run from a timer (docs/deployment.md); `--dry-run` only reports.
 */
export function registerRetentionCommand(program: Command): void {
  const retention = program.command('retention').description('remove history older than the retention period');
  retention
    .command('apply')
    .description('drop whole months older than --keep (PostgreSQL: their partitions)')
    .requiredOption('--keep <period>', 'how much history to keep: 13mo, 400d, 8w or 2y')
    .option('--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)')
    .option('--dry-run', 'report what would be removed, remove nothing')
    .option('--json', 'print the report as JSON')
    .action(async (flags: ApplyFlags) => {
      const keep = parseRetentionPeriod(flags.keep);
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const report = await store.applyRetention({ keep, dryRun: flags.dryRun ?? false });
        process.stdout.write(flags.json ? JSON.stringify({ ...report, boundary: new Date(report.boundary).toISOString() }, null, 2) + '\n' : describe(report));
      } finally {
        await store.close();
      }
    });
}

function describe(r: RetentionReport): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const since = new Date(r.boundary).toISOString();
  if (r.months.length === 0) return `nothing to remove: no stored month ends before ${since}\n`;
  const lines = [`${verb} ${r.months.length} month${r.months.length === 1 ? '' : 's'} before ${since}: ${r.months.join(', ')}`];
  if (r.messages !== null) lines.push(`${r.backend === 'postgres' ? 'about ' : ''}${r.messages} message${r.messages === 1 ? '' : 's'}`);
  if (r.partitions.length) lines.push(`partitions: ${r.partitions.join(', ')}`);
  return lines.join('\n') + '\n';
}
