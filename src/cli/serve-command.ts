import type { Command } from 'commander';
import { redactDbUrl } from '../config/db-url.js';
import { resolveServeConfig, type ServeFlagValues } from '../config/serve-config.js';
import { buildApp } from '../http/build-app.js';
import { StreamMonitor } from '../ingest/jetstream/consumer-lag.js';
import { openStore } from '../store/open-store.js';
import { WebhookDispatcher } from '../subscriptions/webhook-dispatcher.js';

/**
 * `srvv serve [--config file.json] [--db URL] [--host 127.0.0.1] [--port 8080] [--trust-proxy] [--rate-limit N]
 * [--log-level info] [--nats URL --stream NAME [--durable srvv]]` — the API, the portal and the operations endpoints. Each setting comes from the flag, else
 * its environment variable, else the config file, else the default (config/serve-config.ts, docs/deployment.md).
 * Logs JSON lines (pino) to stdout; stops cleanly on SIGINT/SIGTERM after in-flight requests finish. With a NATS
 * stream configured, `/readyz` also needs NATS and the stream, and `/metrics` reports the durable consumer's lag.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API and the portal')
    .option('--config <file>', 'JSON config file with keys db, host, port, trustProxy, rateLimit, logLevel, nats, stream, durable ($SRVV_CONFIG)')
    .option('--db <url>', 'sqlite:<path> or postgres://... ($SRVV_DB; default sqlite:./data/srvv.db)')
    .option('--host <host>', 'address to listen on ($SRVV_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on ($SRVV_PORT; default 8080)')
    .option('--trust-proxy', 'behind a TLS-terminating proxy: honour X-Forwarded-* and mark session cookies Secure ($SRVV_TRUST_PROXY=1)')
    .option('--rate-limit <n>', 'requests per minute per token, per user and per unauthenticated address; 0 turns it off ($SRVV_RATE_LIMIT; default 1200)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent ($SRVV_LOG_LEVEL; default info)')
    .option('--nats <url>', 'NATS server URL(s) of the capture stream, for /readyz and the consumer lag on /metrics ($SRVV_NATS)')
    .option('--stream <name>', 'the JetStream stream srvv consume reads ($SRVV_STREAM; required with --nats)')
    .option('--durable <name>', 'its durable consumer ($SRVV_DURABLE; default srvv)')
    .action(async (flags: ServeFlagValues) => {
      const config = resolveServeConfig(flags);
      const store = await openStore(config.db);
      const stream = config.nats && config.stream ? new StreamMonitor(config.nats, { stream: config.stream, durable: config.durable }) : undefined;
      // Webhook deliveries (docs/api.md, "Webhooks"): every serving process runs a dispatcher; they share the outbox.
      const dispatcher = new WebhookDispatcher(store, {
        logger: { info: (obj, msg) => app.log.info(obj, msg), warn: (obj, msg) => app.log.warn(obj, msg) },
      });
      const app = await buildApp({
        stream,
        store,
        webhooks: { dispatcher },
        trustProxy: config.trustProxy,
        rateLimit: config.rateLimit === 0 ? false : config.rateLimit,
        logger: { level: config.logLevel },
      });
      const stop = async () => {
        await app.close();
        await dispatcher.stop();
        await stream?.close();
        await store.close();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      const address = await app.listen({ host: config.host, port: config.port });
      dispatcher.start();
      app.log.info({ db: redactDbUrl(config.db), ...(stream ? { nats: config.nats, stream: config.stream, durable: config.durable } : {}) }, `srvv listening on ${address}`);
    });
}
