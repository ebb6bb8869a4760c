import type { Command } from 'commander';
import { ACCOUNT_ROLES, type AccountRole } from '../auth/account-store.js';
import { parseDuration, TOKEN_SCOPES, type TokenScope } from '../auth/api-token.js';
import { resolveDbUrl } from '../config/db-url.js';
import { openStore } from '../store/open-store.js';
import { readStdin } from './stdin.js';

const DB_OPTION = ['--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)'] as const;

/**
 * First set-up and scripting of access:
 * - `srvv users add --party P --username U [--role viewer|admin|operator] [--password-stdin]`;
 * - `srvv users remove <username>` — the account goes, and its sessions end at once;
 * - `srvv tokens create --name N --scope read|ingest|reference [--party P] [--expires 90d]` — prints the new
 *   token alone on the last line of stdout, once (only its hash is stored);
 * - `srvv tokens revoke <name or id>`, `srvv tokens list [--party P]`.
 */
export function registerAuthCommands(program: Command): void {
  const users = program.command('users').description('portal accounts');
  users
    .command('add')
    .description('add a portal user to a party')
    .requiredOption('--party <id>', 'the party the user belongs to')
    .requiredOption('--username <name>', 'login name')
    .option('--role <role>', ACCOUNT_ROLES.join(', '), 'viewer')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option(...DB_OPTION)
    .action(async (flags: { party: string; username: string; role: string; passwordStdin?: boolean; db?: string }) => {
      const password = flags.passwordStdin ? (await readStdin()).split(/\r?\n/)[0] ?? '' : undefined;
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const account = await store.accounts.addUser({ partyId: flags.party, username: flags.username, role: flags.role as AccountRole, ...(password !== undefined ? { password } : {}) });
        process.stdout.write(`added ${account.role} ${account.username} to party ${account.partyId}${account.hasPassword ? '' : ' (no password yet)'}\n`);
      } finally {
        await store.close();
      }
    });

  users
    .command('remove')
    .description('remove a portal user: their sessions end at once; the audit keeps what they did')
    .argument('<username>', 'login name')
    .option(...DB_OPTION)
    .action(async (username: string, flags: { db?: string }) => {
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const account = await store.accounts.removeUser(username);
        process.stdout.write(`removed ${account.role} ${account.username} from party ${account.partyId}\n`);
      } finally {
        await store.close();
      }
    });

  const tokens = program.command('tokens').description('API tokens');
  tokens
    .command('create')
    .description('create an API token; prints it once, on the last line')
    .requiredOption('--name <name>', 'a unique name, e.g. "capture feed" or "SOC integration"')
    .requiredOption('--scope <scope>', TOKEN_SCOPES.join(', '))
    .option('--party <id>', 'the party a read token sees as (required for read)')
    .option('--expires <duration>', 'lifetime, e.g. 90d, 12h, 30m (default: until revoked)')
    .option(...DB_OPTION)
    .action(async (flags: { name: string; scope: string; party?: string; expires?: string; db?: string }) => {
      const expiresInMs = flags.expires === undefined ? undefined : parseDuration(flags.expires);
      if (flags.expires !== undefined && expiresInMs === undefined) throw new Error(`--expires: ${JSON.stringify(flags.expires)} is not a duration like 90d, 12h or 30m`);
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const created = await store.accounts.createToken({
          name: flags.name,
          scope: flags.scope as TokenScope,
          ...(flags.party !== undefined ? { partyId: flags.party } : {}),
          ...(expiresInMs !== undefined ? { expiresInMs } : {}),
        });
        process.stderr.write(
          `created ${created.scope} token ${JSON.stringify(created.name)} (id ${created.id}${created.partyId ? `, party ${created.partyId}` : ''}` +
            `${created.expiresAt ? `, expires ${created.expiresAt.toISOString()}` : ''}); store it now, it is not shown again:\n`,
        );
        process.stdout.write(`${created.token}\n`);
      } finally {
        await store.close();
      }
    });
  tokens
    .command('revoke')
    .description('revoke an API token')
    .argument('<name or id>', 'the token name or its id')
    .option(...DB_OPTION)
    .action(async (nameOrId: string, flags: { db?: string }) => {
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const token = await store.accounts.revokeToken(nameOrId);
        process.stdout.write(`revoked token ${JSON.stringify(token.name)} (id ${token.id}) at ${token.revokedAt!.toISOString()}\n`);
      } finally {
        await store.close();
      }
    });
  tokens
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--party <id>', 'only this party')
    .option('--json', 'as JSON')
    .option(...DB_OPTION)
    .action(async (flags: { party?: string; json?: boolean; db?: string }) => {
      const store = await openStore(resolveDbUrl(flags.db));
      try {
        const list = await store.accounts.listTokens(flags.party);
        if (flags.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        else {
          for (const t of list) {
            const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.expiresAt ? `expires ${t.expiresAt.toISOString()}` : 'active';
            process.stdout.write(`${t.id}  ${t.scope.padEnd(9)}  ${(t.partyId ?? '-').padEnd(12)}  ${state.padEnd(32)}  ${t.name}\n`);
          }
        }
      } finally {
        await store.close();
      }
    });
}
