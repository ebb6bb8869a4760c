import { userInfo } from 'node:os';
import type { AuditActor } from '../audit/access-audit.js';
import type { Command } from 'commander';
import { instantFlag, limitFlag } from './cli-flags.js';
import { resolveDbUrl } from '../config/db-url.js';
import { MESSAGE_KINDS, type MessageKind } from '../duis/duis-message.js';
import { USER_ROLES, type UserRole } from '../reference/reference-document.js';
import type { PartyMessageQuery } from '../store/message-store.js';
import { openStore } from '../store/open-store.js';
import type { StoredMessage } from '../store/stored-message.js';

interface MessagesFlags {
  db?: string;
  party: string;
  device?: string;
  mpxn?: string;
  requestId?: string;
  srv?: string;
  kind?: string;
  originatorId?: string;
  originatorRole?: string;
  responseCode?: string;
  from?: string;
  to?: string;
  othersOnly?: boolean;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

const DB_OPTION = ['--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)'] as const;

/**
 * `srvv messages --party P [filters]` — one page of the messages party P may see, newest first, with the same
 * filters as the store and API; and `srvv explain <id> --party P` — why P may see a message (nothing: it may not).
 */
export function registerMessagesCommands(program: Command): void {
  program
    .command('messages')
    .description('list the messages a party may see, newest first')
    .requiredOption('--party <id>', 'the party looking')
    .option('--device <eui64>', 'a device in S(M)')
    .option('--mpxn <mpxn>', 'a supply point (MPAN or MPRN) linked to a device of S(M) at t(M)')
    .option('--request-id <id>', 'originator:target:counter')
    .option('--srv <variant>', 'ServiceReferenceVariant, e.g. 7.2')
    .option('--kind <kind>', MESSAGE_KINDS.join(', '))
    .option('--originator-id <eui64>', "the RequestID's originator")
    .option('--originator-role <role>', USER_ROLES.join(', '))
    .option('--response-code <code>', 'e.g. I0, E55')
    .option('--from <iso>', 't(M) at or after')
    .option('--to <iso>', 't(M) before')
    .option('--others-only', "only other users' traffic (the MP141 view)")
    .option('--limit <n>', 'page size, 1..1000', '50')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .option(...DB_OPTION)
    .option('--json', 'print the page as JSON')
    .action(async (flags: MessagesFlags) => {
      const query = toQuery(flags);
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const page = await (await store.forParty(flags.party)).listMessages(query);
        const { db: _db, json: _json, party: _party, ...filters } = flags;
        await store.audit.append({ actor: cliActor(flags.party), action: 'search', subject: filters, rows: page.items.length });
        if (flags.json) process.stdout.write(JSON.stringify(page, null, 2) + '\n');
        else {
          for (const m of page.items) process.stdout.write(formatRow(m) + '\n');
          process.stdout.write(page.items.length === 0 ? 'no visible messages\n' : page.nextCursor ? `next page: --cursor ${page.nextCursor}\n` : '');
        }
      } finally {
        await store.close();
      }
    });

  program
    .command('explain')
    .description('why a party may see a message')
    .argument('<id>', 'message id')
    .requiredOption('--party <id>', 'the party looking')
    .option(...DB_OPTION)
    .option('--json', 'print the reasons as JSON')
    .action(async (id: string, flags: { party: string; db?: string; json?: boolean }) => {
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const reasons = await (await store.forParty(flags.party)).explain(id);
        await store.audit.append({ actor: cliActor(flags.party), action: 'view', subject: { messageId: id, explain: true }, rows: reasons.length ? 1 : 0 });
        if (flags.json) process.stdout.write(JSON.stringify(reasons, null, 2) + '\n');
        else if (reasons.length === 0) process.stdout.write(`party ${flags.party} may not see message ${id} (or there is no such message)\n`);
        else for (const r of reasons) process.stdout.write(`- ${r.text}\n`);
      } finally {
        await store.close();
      }
    });
}

/** Reads from the command line are audited too, as the OS user who ran them, looking as the party. */
function cliActor(partyId: string): AuditActor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? 'unknown'; // no passwd entry (some containers)
  }
  return { kind: 'cli', id: name, name, partyId, role: 'cli' };
}

function toQuery(flags: MessagesFlags): PartyMessageQuery {
  const query: PartyMessageQuery = {};
  if (flags.device !== undefined) query.deviceId = flags.device;
  if (flags.mpxn !== undefined) query.mpxn = flags.mpxn;
  if (flags.requestId !== undefined) query.requestId = flags.requestId;
  if (flags.srv !== undefined) query.srv = flags.srv;
  if (flags.kind !== undefined) {
    if (!(MESSAGE_KINDS as readonly string[]).includes(flags.kind)) throw new Error(`--kind: ${flags.kind} is not one of ${MESSAGE_KINDS.join(', ')}`);
    query.kind = flags.kind as MessageKind;
  }
  if (flags.originatorId !== undefined) query.originatorId = flags.originatorId;
  if (flags.originatorRole !== undefined) {
    if (!(USER_ROLES as readonly string[]).includes(flags.originatorRole)) throw new Error(`--originator-role: ${flags.originatorRole} is not one of ${USER_ROLES.join(', ')}`);
    query.originatorRole = flags.originatorRole as UserRole;
  }
  if (flags.responseCode !== undefined) query.responseCode = flags.responseCode;
  if (flags.from !== undefined) query.from = instantFlag(flags.from, '--from');
  if (flags.to !== undefined) query.to = instantFlag(flags.to, '--to');
  if (flags.othersOnly) query.othersOnly = true;
  query.limit = limitFlag(flags.limit ?? '50');
  if (flags.cursor !== undefined) query.cursor = flags.cursor;
  return query;
}


function formatRow(m: StoredMessage): string {
  const what = m.srv ?? m.alertCode ?? m.dccAlertCode ?? '';
  return [m.time.toISOString(), m.id.padStart(8), m.kind.padEnd(15), what.padEnd(8), m.responseCode ?? '--', m.requestId ?? m.responseId ?? ''].join('  ');
}
