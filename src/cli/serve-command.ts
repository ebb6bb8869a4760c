import type { Command } from 'commander';
import { redactDbUrl, resolveDbUrl } from '../config/db-url.js';
import { buildApp } from '../http/build-app.js';
import { openStore } from '../store/open-store.js';

interface ServeFlags {
  db?: string;
  host: string;
  port: string;
}

/**
 * `srvv serve [--db URL] [--host 127.0.0.1] [--port 8080]` — the HTTP API. Logs JSON lines (pino) to stdout;
 * stops cleanly on SIGINT/SIGTERM after in-flight requests finish.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API')
    .option('--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)')
    .option('--host <host>', 'address to listen on', process.env.SRVV_HOST ?? '127.0.0.1')
    .option('--port <port>', 'port to listen on', process.env.SRVV_PORT ?? '8080')
    .action(async (flags: ServeFlags) => {
      const port = Number.parseInt(flags.port, 10);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${flags.port} is not a port number`);
      const dbUrl = resolveDbUrl(flags.db);
      const store = await openStore(dbUrl);
      const app = await buildApp({ store, logger: { level: process.env.SRVV_LOG_LEVEL ?? 'info' } });
      const stop = async () => {
        await app.close();
        await store.close();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      const address = await app.listen({ host: flags.host, port });
      app.log.info({ db: redactDbUrl(dbUrl) }, `srvv listening on ${address}`);
    });
}
