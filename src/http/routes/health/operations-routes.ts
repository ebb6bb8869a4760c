import type { FastifyInstance } from 'fastify';
import type { StreamStatus } from '../../../ingest/jetstream/consumer-lag.js';
import type { ServiceMetrics } from '../../../metrics/service-metrics.js';
import type { MessageStore } from '../../../store/message-store.js';

export interface OperationsRoutesOptions {
  store: MessageStore;
  metrics: ServiceMetrics;
  /** The NATS stream the capture feed arrives on, when configured: then readiness needs it too. */
  stream?: Pick<StreamStatus, 'stream' | 'check'>;
}

/**
 * Operations endpoints, outside `/api/v1` and without authentication, like `/healthz`: serve them to the
 * monitoring network only (docs/deployment.md). They reveal volumes and latencies, never message contents.
 */
export async function operationsRoutes(app: FastifyInstance, options: OperationsRoutesOptions): Promise<void> {
  const { store, metrics, stream } = options;

  /**
   * `GET /readyz` — 200 when the database answers (and, when configured, NATS answers and the stream exists), 503
   * naming what failed (load balancers stop routing here). Each check reports `ok` or its problem.
   */
  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers (and the NATS stream exists, when configured)',
        security: [],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['status', 'checks'] },
          503: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['status', 'checks'] },
        },
      },
    },
    async (request, reply) => {
      const run = async (name: string, check: () => Promise<void>): Promise<[string, string, boolean]> => {
        try {
          await check();
          return [name, 'ok', true];
        } catch (err) {
          request.log.warn({ err, check: name }, 'readiness check failed');
          return [name, err instanceof Error ? err.message : String(err), false];
        }
      };
      const results = await Promise.all([
        run('database', () => store.ping()),
        ...(stream ? [run('stream', () => stream.check())] : []),
      ]);
      const checks = Object.fromEntries(results.map(([name, outcome]) => [name, outcome]));
      if (results.every(([, , ok]) => ok)) return { status: 'ready', checks };
      return reply.status(503).send({ status: 'unavailable', checks });
    },
  );

  /** `GET /metrics` — Prometheus text format (docs/deployment.md lists the metrics). */
  app.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.header('content-type', contentType).send(body);
  });
}
