import { Command, CommanderError } from 'commander';
import { isSrvvError } from '../errors.js';
import { registerAuditCommands } from './audit-command.js';
import { registerAuthCommands } from './auth-commands.js';
import { registerConsumeCommand } from './consume-command.js';
import { registerIngestCommand } from './ingest-command.js';
import { registerMessagesCommands } from './messages-command.js';
import { registerReferenceCommand } from './reference-command.js';
import { registerRetentionCommand } from './retention-command.js';
import { registerServeCommand } from './serve-command.js';

/** Entry point of the `srvv` command (bin/srvv.js). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('srvv')
    .description('srv-visibility: capture DUIS traffic and show each party what MP141 lets it see')
    .showHelpAfterError()
    .exitOverride();
  registerIngestCommand(program);
  registerReferenceCommand(program);
  registerMessagesCommands(program);
  registerAuthCommands(program);
  registerAuditCommands(program);
  registerRetentionCommand(program);
  registerServeCommand(program);
  registerConsumeCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    // Expected failures (bad flags, bad files, unreachable database) get one line, not a stack trace.
    console.error(`srvv: ${isSrvvError(err) || err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
