import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StreamStatus } from '../ingest/jetstream/consumer-lag.js';
import type { MessageStore } from '../store/message-store.js';

// Process metrics (CPU, memory, event-loop lag, GC) are process-wide: collected once, whatever the number of
// apps in the process (tests build many).
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'srvv_' });
  }
  return processRegistry;
}

/**
 * The service's Prometheus metrics, one set per app (its own registry, so apps in one process do not mix):
 * ingestion by kind, duplicates, rejections by reason, HTTP request latency by route (the query endpoints'
 * latency histograms), and the access audit's chain length, read from its head row at scrape time. With a NATS
 * stream configured, also the durable consumer's lag (`num_pending + num_ack_pending`), read at scrape time; the
 * sample is absent while NATS, the stream or the consumer cannot be read.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly ingested: Counter<'kind'>;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(store: Pick<MessageStore, 'audit'> & Partial<Pick<MessageStore, 'subscriptions'>>, options: { stream?: Pick<StreamStatus, 'stream' | 'durable' | 'lag'> } = {}) {
    const registers = [this.registry];
    this.ingested = new Counter({ name: 'srvv_ingested_messages_total', help: 'Messages stored, by kind', labelNames: ['kind'], registers });
    this.duplicates = new Counter({ name: 'srvv_duplicate_messages_total', help: 'Messages received again (same bytes) and not stored twice', registers });
    this.rejected = new Counter({ name: 'srvv_rejected_messages_total', help: 'Messages refused, by reason (error code)', labelNames: ['reason'], registers });
    this.httpDuration = new Histogram({
      name: 'srvv_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: 'srvv_audit_chain_length',
      help: 'Entries in the access audit hash chain',
      registers,
      async collect() {
        this.set((await store.audit.head()).seq);
      },
    });
    if (store.subscriptions) {
      const subscriptions = store.subscriptions;
      new Gauge({
        name: 'srvv_webhook_deliveries',
        help: 'Webhook deliveries in the outbox by status: pending (waiting or retrying), delivered, dead (the dead-letter list)',
        labelNames: ['status'],
        registers,
        async collect() {
          for (const [status, n] of Object.entries(await subscriptions.deliveryCounts())) this.set({ status }, n);
        },
      });
    }
    const stream = options.stream;
    if (stream) {
      new Gauge({
        name: 'srvv_consumer_lag_messages',
        help: 'Messages of the stream the durable consumer has not finished: not yet delivered plus delivered and not acked',
        labelNames: ['stream', 'durable'],
        registers,
        async collect() {
          this.reset();
          const lag = await stream.lag().catch(() => undefined);
          if (lag !== undefined) this.set({ stream: stream.stream, durable: stream.durable }, lag);
        },
      });
    }
  }

  /** Counts one write's outcomes and rejections. */
  countIngest(outcomes: ReadonlyArray<{ kind: string; duplicate: boolean }>, rejectionCodes: readonly string[] = []): void {
    for (const o of outcomes) {
      if (o.duplicate) this.duplicates.inc();
      else this.ingested.inc({ kind: o.kind });
    }
    for (const code of rejectionCodes) this.rejected.inc({ reason: code });
  }

  /** The Prometheus text exposition of these metrics and the process's. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([processMetrics(), this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
