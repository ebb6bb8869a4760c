import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { MessageStore } from '../store/message-store.js';
import { errorHandlerPlugin } from './plugins/error-handler-plugin.js';
import { healthRoutes } from './routes/health/health-routes.js';
import { ingestRoutes } from './routes/messages/ingest-routes.js';
import { referenceRoutes } from './routes/reference/reference-routes.js';

export interface BuildAppOptions {
  store: MessageStore;
  /** Largest DUIS document accepted, bytes. Default 4 MiB. */
  maxMessageBytes?: number;
  /** Largest NDJSON batch body accepted, bytes. Default 64 MiB. */
  maxBatchBytes?: number;
  /** Largest reference-data body accepted, bytes. Default 256 MiB. */
  maxReferenceBytes?: number;
  /** Fastify logger setting; default off (the CLI turns on pino JSON logs). */
  logger?: FastifyServerOptions['logger'];
}

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_REFERENCE_BYTES = 256 * 1024 * 1024;

/**
 * Builds the HTTP application without listening: `srvv serve` listens, tests use `app.inject`.
 * The store is owned by the caller (closed by whoever opened it).
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  await app.register(errorHandlerPlugin);
  await app.register(healthRoutes);
  await app.register(ingestRoutes, {
    store: options.store,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxBatchBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
  });
  await app.register(referenceRoutes, {
    store: options.store,
    maxReferenceBytes: options.maxReferenceBytes ?? DEFAULT_MAX_REFERENCE_BYTES,
  });
  return app;
}
