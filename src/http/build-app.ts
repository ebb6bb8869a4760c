import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { ApiError } from '../errors.js';
import type { StreamStatus } from '../ingest/jetstream/consumer-lag.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import type { MessageStore } from '../store/message-store.js';
import type { WebhookDispatcher } from '../subscriptions/webhook-dispatcher.js';
import { principalKey } from './auth/principal.js';
import { authPlugin } from './plugins/auth-plugin.js';
import { errorHandlerPlugin } from './plugins/error-handler-plugin.js';
import { openApiPlugin } from './plugins/openapi-plugin.js';
import { adminRoutes } from './routes/admin/admin-routes.js';
import { auditRoutes } from './routes/audit/audit-routes.js';
import { catalogueRoutes } from './routes/catalogue/catalogue-routes.js';
import { healthRoutes } from './routes/health/health-routes.js';
import { operationsRoutes } from './routes/health/operations-routes.js';
import { ingestRoutes } from './routes/messages/ingest-routes.js';
import { queryRoutes } from './routes/query/query-routes.js';
import { referenceRoutes } from './routes/reference/reference-routes.js';
import { sessionRoutes } from './routes/session/session-routes.js';
import { subscriptionRoutes } from './routes/subscriptions/subscription-routes.js';
import { watchRoutes, type WatchOptions } from './routes/watch/watch-routes.js';
import { webRoutes, type WebRoutesOptions } from './routes/web/web-routes.js';
import { addSharedSchemas } from './schemas/api-schemas.js';

export interface BuildAppOptions {
  store: MessageStore;
  /** Largest DUIS document accepted, bytes. Default 4 MiB. */
  maxMessageBytes?: number;
  /** Largest NDJSON batch body accepted, bytes. Default 64 MiB. */
  maxBatchBytes?: number;
  /** Largest reference-data body accepted, bytes. Default 256 MiB. */
  maxReferenceBytes?: number;
  /**
   * Requests per minute per token, per user, or (unauthenticated) per client address; `false` turns the limit
   * off. Default {@link DEFAULT_RATE_LIMIT}. Counted in this process (several processes: each counts its own).
   */
  rateLimit?: number | false;
  /** Login attempts per minute per client address. Default {@link DEFAULT_LOGIN_RATE_LIMIT}. */
  loginRateLimit?: number;
  /**
   * Trust `X-Forwarded-*` from a TLS-terminating proxy in front (Fastify's `trustProxy`): then `request.protocol`
   * is the client's, and session cookies get `Secure` behind HTTPS. Default off.
   */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Fastify logger setting; default off (the CLI turns on pino JSON logs). */
  logger?: FastifyServerOptions['logger'];
  /** Where the portal's files are (docs/portal.md); default the package's `dist/web` and `web/static`. */
  web?: WebRoutesOptions;
  /** The NATS stream of the capture feed (`srvv serve --nats`): checked by `/readyz`, its consumer lag on `/metrics`. */
  stream?: StreamStatus;
  /** Tunables of the live feed `GET /api/v1/watch` (poll and heartbeat intervals, connection cap); defaults in watch-routes.ts. */
  watch?: WatchOptions;
  /**
   * Webhook subscriptions (`/api/v1/subscriptions`): the process's dispatcher, woken when a test event or replay is
   * queued (the caller starts and stops it; without one, whichever process runs a dispatcher sends them), and the
   * most live subscriptions per party (default 20).
   */
  webhooks?: { dispatcher?: WebhookDispatcher; maxPerParty?: number };
}

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_REFERENCE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_RATE_LIMIT = 1200;
export const DEFAULT_LOGIN_RATE_LIMIT = 20;
/** JSON bodies of the API (logins, users, tokens); the feeds set their own limits. */
const DEFAULT_BODY_LIMIT = 64 * 1024;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Builds the HTTP application without listening: `srvv serve` listens, tests use `app.listen` on a loopback
 * port or `app.inject`. The store is owned by the caller (closed by whoever opened it).
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Unknown query parameters are refused (400 naming them), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
  });
  await app.register(errorHandlerPlugin);
  addSharedSchemas(app);
  // Helmet's defaults, except upgrade-insecure-requests: it would break plain-http use on a loopback or LAN
  // address (TLS is the proxy's job; behind one, the page is https anyway).
  await app.register(fastifyHelmet, { global: true, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  await app.register(fastifyFormbody, { bodyLimit: DEFAULT_BODY_LIMIT });
  await app.register(authPlugin, { store: options.store });
  if (options.rateLimit !== false) {
    await app.register(fastifyRateLimit, {
      global: true,
      // After authentication (onRequest), so the bucket is the token's or the user's.
      hook: 'preHandler',
      max: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      timeWindow: 60_000,
      keyGenerator: (request) => (request.principal ? principalKey(request.principal) : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => new ApiError('API_RATE_LIMITED', `at most ${context.max} requests per minute; retry in ${context.after}`),
    });
  }
  await app.register(openApiPlugin, { version: VERSION });
  const metrics = new ServiceMetrics(options.store, { stream: options.stream });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  await app.register(healthRoutes);
  await app.register(operationsRoutes, { store: options.store, metrics, stream: options.stream });
  await app.register(sessionRoutes, { store: options.store, loginRateLimit: options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT });
  await app.register(queryRoutes, { store: options.store });
  await app.register(watchRoutes, { store: options.store, ...options.watch });
  await app.register(subscriptionRoutes, { store: options.store, onQueued: () => options.webhooks?.dispatcher?.nudge(), maxPerParty: options.webhooks?.maxPerParty });
  await app.register(catalogueRoutes);
  await app.register(auditRoutes, { store: options.store });
  await app.register(adminRoutes, { store: options.store });
  await app.register(ingestRoutes, {
    store: options.store,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxBatchBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    metrics,
  });
  await app.register(referenceRoutes, {
    store: options.store,
    maxReferenceBytes: options.maxReferenceBytes ?? DEFAULT_MAX_REFERENCE_BYTES,
  });
  await app.register(webRoutes, options.web ?? {});
  return app;
}
