import type { Command } from 'commander';
import { instantFlag, limitFlag } from './cli-flags.js';
import { AUDIT_ACTIONS, isAuditAction, type AuditEntry, type AuditQuery } from '../audit/access-audit.js';
import { resolveDbUrl } from '../config/db-url.js';
import { openStore } from '../store/open-store.js';

/** Exit status of `srvv audit verify` when the chain is broken. */
export const EXIT_AUDIT_BROKEN = 4;

const DB_OPTION = ['--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)'] as const;

interface ListFlags {
  party?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
  db?: string;
}

/**
 * The access audit from the command line:
 * - `srvv audit verify [--db URL] [--json]` checks the hash chain: prints `audit chain intact: N entries, head
 *   <hash>` and exits 0, or prints `audit chain BROKEN: <the first problem>` on stderr and exits 4;
 * - `srvv audit list [--party P] [--actor A] [--action X] [--from ISO] [--to ISO] [--limit N] [--cursor C]`
 *   prints one page of entries, newest first.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident access audit');
  audit
    .command('verify')
    .description('check the access audit hash chain and name the first broken entry')
    .option(...DB_OPTION)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `\nExit status: 0 when the chain is intact, ${EXIT_AUDIT_BROKEN} when it is broken (the first broken entry is named), 1 on other errors.` +
        '\nKeep the printed head hash somewhere the database administrators cannot write: a later rewrite of the log shows against it.',
    )
    .action(async (flags: { db?: string; json?: boolean }) => {
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const result = await store.audit.verify();
        if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else if (result.ok) process.stdout.write(`audit chain intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}, head ${result.head}\n`);
        else process.stderr.write(`audit chain BROKEN: ${result.firstBroken.problem}\n`);
        if (!result.ok) process.exitCode = EXIT_AUDIT_BROKEN;
      } finally {
        await store.close();
      }
    });

  audit
    .command('list')
    .description('list access audit entries, newest first')
    .option('--party <id>', "only entries whose actor belonged to this party")
    .option('--actor <id>', 'only this username or token id')
    .option('--action <action>', AUDIT_ACTIONS.join(', '))
    .option('--from <iso>', 'at or after')
    .option('--to <iso>', 'before')
    .option('--limit <n>', 'page size, 1..1000', '50')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .option(...DB_OPTION)
    .option('--json', 'print the page as JSON')
    .action(async (flags: ListFlags) => {
      const query = toQuery(flags);
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const page = await store.audit.list(query);
        if (flags.json) process.stdout.write(JSON.stringify(page, null, 2) + '\n');
        else {
          for (const e of page.items) process.stdout.write(formatEntry(e) + '\n');
          process.stdout.write(page.items.length === 0 ? 'no audit entries\n' : page.nextCursor ? `next page: --cursor ${page.nextCursor}\n` : '');
        }
      } finally {
        await store.close();
      }
    });
}

function toQuery(flags: ListFlags): AuditQuery {
  const query: AuditQuery = {};
  if (flags.party !== undefined) query.partyId = flags.party;
  if (flags.actor !== undefined) query.actor = flags.actor;
  if (flags.action !== undefined) {
    if (!isAuditAction(flags.action)) throw new Error(`--action: ${flags.action} is not one of ${AUDIT_ACTIONS.join(', ')}`);
    query.action = flags.action;
  }
  if (flags.from !== undefined) query.from = instantFlag(flags.from, '--from');
  if (flags.to !== undefined) query.to = instantFlag(flags.to, '--to');
  query.limit = limitFlag(flags.limit);
  if (flags.cursor !== undefined) query.cursor = flags.cursor;
  return query;
}


function formatEntry(e: AuditEntry): string {
  const who = `${e.actor.kind}:${e.actor.name} (${e.actor.role}, ${e.actor.partyId ?? '-'})`;
  const line = [String(e.seq).padStart(6), e.at.toISOString(), e.action.padEnd(6), who, `rows ${e.rows}`, JSON.stringify(e.subject)].join('  ');
  return e.reason === null ? line : `${line}  reason: ${JSON.stringify(e.reason)}`;
}
