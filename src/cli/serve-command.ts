import type { Command } from 'commander';
import { redactDbUrl, resolveDbUrl } from '../config/db-url.js';
import { buildApp, DEFAULT_RATE_LIMIT } from '../http/build-app.js';
import { openStore } from '../store/open-store.js';

interface ServeFlags {
  db?: string;
  host: string;
  port: string;
  trustProxy: boolean;
  rateLimit: string;
}

/**
 * `srvv serve [--db URL] [--host 127.0.0.1] [--port 8080] [--trust-proxy] [--rate-limit N]` — the HTTP API. Logs
 * JSON lines (pino) to stdout; stops cleanly on SIGINT/SIGTERM after in-flight requests finish.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API')
    .option('--db <url>', 'sqlite:<path> or postgres://... (default: $SRVV_DB or sqlite:./data/srvv.db)')
    .option('--host <host>', 'address to listen on', process.env.SRVV_HOST ?? '127.0.0.1')
    .option('--port <port>', 'port to listen on', process.env.SRVV_PORT ?? '8080')
    .option('--trust-proxy', 'behind a TLS-terminating proxy: honour X-Forwarded-* and mark session cookies Secure ($SRVV_TRUST_PROXY=1)', process.env.SRVV_TRUST_PROXY === '1')
    .option('--rate-limit <n>', 'requests per minute per token, per user and per unauthenticated address; 0 turns it off', process.env.SRVV_RATE_LIMIT ?? String(DEFAULT_RATE_LIMIT))
    .action(async (flags: ServeFlags) => {
      const port = Number.parseInt(flags.port, 10);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${flags.port} is not a port number`);
      const rateLimit = Number.parseInt(flags.rateLimit, 10);
      if (!Number.isInteger(rateLimit) || rateLimit < 0) throw new Error(`--rate-limit: ${flags.rateLimit} is not a number of requests`);
      const dbUrl = resolveDbUrl(flags.db);
      const store = await openStore(dbUrl);
      const app = await buildApp({
        store,
        trustProxy: flags.trustProxy,
        rateLimit: rateLimit === 0 ? false : rateLimit,
        logger: { level: process.env.SRVV_LOG_LEVEL ?? 'info' },
      });
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
