import type { Command } from 'commander';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { redactDbUrl } from '../config/db-url.js';
import { resolveServeConfig } from '../config/serve-config.js';
import { consumeBatches } from '../ingest/jetstream/consume-loop.js';
import { readConsumerLag } from '../ingest/jetstream/consumer-lag.js';
import { serveMetrics } from '../ingest/jetstream/metrics-server.js';
import { DEFAULT_DURABLE } from '../ingest/jetstream/nats-names.js';
import { connectNats, DEFAULT_ACK_WAIT_MS, ensureDurable, ensureStream } from '../ingest/jetstream/stream-setup.js';
import { PreparePool } from '../ingest/prepare-pool.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import { openStore } from '../store/open-store.js';
import { integerFlag } from './cli-flags.js';
import { formatSummary } from './ingest-command.js';

interface ConsumeFlags {
  config?: string;
  nats?: string;
  stream?: string;
  subject?: string[];
  durable?: string;
  db?: string;
  batch?: string;
  workers?: string;
  ackWait?: string;
  maxAckPending?: string;
  maxMessages?: string;
  idleExit?: string;
  metricsPort?: string;
  metricsHost: string;
  logLevel?: string;
  json?: boolean;
}

const DEFAULT_BATCH = 500;

/**
 * `srvv consume --nats URL --stream NAME --subject 'duis.>' [--durable srvv] [--db URL] [--config file] [--batch N] [--json] ...`
 *
 * `--nats`, `--stream`, `--durable`, `--db` and `--log-level` also come from `SRVV_NATS`, `SRVV_STREAM`,
 * `SRVV_DURABLE`, `SRVV_DB`, `SRVV_LOG_LEVEL` and the config file `srvv serve` reads (`--config` / `SRVV_CONFIG`).
 *
 * Durable streaming ingestion from NATS JetStream (docs/deployment.md, "Streaming ingestion"). Creates the stream
 * (file storage, on the given subjects) and the durable pull consumer when missing; several processes with the same
 * durable share the work. Each message is acked only after the transaction storing it committed. Logs JSON lines
 * (pino) to stderr; on SIGINT/SIGTERM it stops fetching, finishes the batches in flight, closes everything, prints
 * the summary (ingested, duplicates, rejected by reason; `--json`) and exits 0.
 */
export function registerConsumeCommand(program: Command): void {
  program
    .command('consume')
    .description('ingest DUIS messages from a NATS JetStream stream (durable pull consumer)')
    // Settings shared with `srvv serve` come from the same places in the same order (flag, SRVV_* variable, JSON
    // config file, default; src/config/serve-config.ts), so one environment file or config file serves both.
    .option('--config <file>', 'JSON config file shared with srvv serve (keys db, nats, stream, durable, logLevel; default $SRVV_CONFIG)')
    .option('--nats <url>', 'NATS server URL(s), comma-separated, e.g. nats://127.0.0.1:4222 ($SRVV_NATS); required')
    .option('--stream <name>', 'JetStream stream, created with file storage when missing ($SRVV_STREAM); required')
    .option('--subject <subject>', "subject the stream captures when it is created (repeatable; default 'duis.>')", collect)
    .option('--durable <name>', `durable consumer shared by every srvv consume of a deployment ($SRVV_DURABLE; default ${DEFAULT_DURABLE})`)
    .option('--db <url>', 'sqlite:<path> or postgres://... ($SRVV_DB; default sqlite:./data/srvv.db)')
    .option('--batch <n>', `messages per fetch and per transaction (default ${DEFAULT_BATCH})`)
    .option('--workers <n>', 'parser threads (default: cores - 1)')
    .option('--ack-wait <seconds>', `when creating the consumer: seconds before an un-acked message is redelivered (default ${DEFAULT_ACK_WAIT_MS / 1000})`)
    .option('--max-ack-pending <n>', 'when creating the consumer: messages delivered and not yet acked, over all processes (default 8 batches)')
    .option('--max-messages <n>', 'stop after this many messages (stored, duplicate or rejected)')
    .option('--idle-exit <seconds>', 'stop when no message arrived for this long')
    .option('--metrics-port <port>', 'serve Prometheus /metrics of this process on this port')
    .option('--metrics-host <host>', 'address for --metrics-port', '127.0.0.1')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent ($SRVV_LOG_LEVEL; default info)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ConsumeFlags) => {
      const settings = resolveServeConfig({
        config: flags.config, db: flags.db, nats: flags.nats, stream: flags.stream, durable: flags.durable, logLevel: flags.logLevel,
      });
      if (settings.nats === undefined || settings.stream === undefined) {
        throw new Error('srvv consume needs a NATS URL and a stream: --nats and --stream (or SRVV_NATS and SRVV_STREAM, or nats and stream in the config file)');
      }
      const { nats: natsUrl, stream, durable, logLevel, db: dbUrl } = settings;
      const batch = flags.batch === undefined ? DEFAULT_BATCH : integerFlag(flags.batch, '--batch', 1);
      const workers = flags.workers === undefined ? undefined : integerFlag(flags.workers, '--workers', 0);
      const ackWaitMs = flags.ackWait === undefined ? DEFAULT_ACK_WAIT_MS : integerFlag(flags.ackWait, '--ack-wait', 1) * 1000;
      const maxAckPending = flags.maxAckPending === undefined ? 8 * batch : integerFlag(flags.maxAckPending, '--max-ack-pending', batch);
      const maxMessages = flags.maxMessages === undefined ? undefined : integerFlag(flags.maxMessages, '--max-messages', 1);
      const idleExitMs = flags.idleExit === undefined ? undefined : integerFlag(flags.idleExit, '--idle-exit', 1) * 1000;
      const metricsPort = flags.metricsPort === undefined ? undefined : integerFlag(flags.metricsPort, '--metrics-port', 0);
      const subjects = flags.subject ?? ['duis.>'];
      const log = pino({ name: 'srvv-consume', level: logLevel }, pino.destination(2));
      const target = { stream, durable };

      // Signals stop fetching from here on, even while still connecting.
      const stop = new AbortController();
      const onSignal = (signal: string) => {
        log.info({ signal }, 'stopping: finishing the batches in flight');
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);

      const store = await openStore(dbUrl);
      const pool = new PreparePool({ workers });
      let nc: Awaited<ReturnType<typeof connectNats>> | undefined;
      let metricsServer: Awaited<ReturnType<typeof serveMetrics>>['server'] | undefined;
      try {
        nc = await connectNats(natsUrl, `srvv-consume ${durable}`);
        const jsm = await jetstreamManager(nc);
        await ensureStream(jsm, stream, subjects);
        await ensureDurable(jsm, target, { ackWaitMs, maxAckPending });
        const consumer = await jetstream(nc).consumers.get(stream, durable);
        const metrics = new ServiceMetrics(store, { stream: { ...target, lag: () => readConsumerLag(jsm, target) } });
        if (metricsPort !== undefined) {
          const served = await serveMetrics(metrics, flags.metricsHost, metricsPort);
          metricsServer = served.server;
          log.info({ url: served.url }, 'serving metrics');
        }
        log.info({ nats: natsUrl, stream, durable, db: redactDbUrl(dbUrl), batch, workers: pool.size }, 'consuming');
        const summary = await consumeBatches(consumer, store, pool, {
          stream,
          batch,
          maxMessages,
          idleExitMs,
          signal: stop.signal,
          log,
          metrics,
        });
        log.info({ read: summary.read, ingested: summary.ingested, duplicates: summary.duplicates, rejected: summary.rejected }, 'stopped');
        process.stdout.write(flags.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // drain() sends the last acks and waits until the server has them before closing.
        await nc?.drain().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'closing the NATS connection failed'));
        await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
        await pool.close();
        await store.close();
        log.flush();
      }
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
