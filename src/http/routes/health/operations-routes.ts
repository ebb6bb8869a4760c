import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../../../metrics/service-metrics.js';
import type { MessageStore } from '../../../store/message-store.js';

export interface OperationsRoutesOptions {
  store: MessageStore;
  metrics: ServiceMetrics;
}

/**
 * Operations endpoints, outside `/api/v1` and without authentication, like `/healthz`: serve them to the
 * monitoring network only (docs/deployment.md). They reveal volumes and latencies, never message contents.
 */
export async function operationsRoutes(app: FastifyInstance, options: OperationsRoutesOptions): Promise<void> {
  const { store, metrics } = options;

  /** `GET /readyz` — 200 when the database answers, 503 naming what failed (load balancers stop routing here). */
  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        security: [],
        response: {
          200: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['status', 'checks'] },
          503: { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['status', 'checks'] },
        },
      },
    },
    async (request, reply) => {
      try {
        await store.ping();
        return { status: 'ready', checks: { database: 'ok' } };
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        return reply.status(503).send({ status: 'unavailable', checks: { database: err instanceof Error ? err.message : String(err) } });
      }
    },
  );

  /** `GET /metrics` — Prometheus text format (docs/deployment.md lists the metrics). */
  app.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.header('content-type', contentType).send(body);
  });
}
