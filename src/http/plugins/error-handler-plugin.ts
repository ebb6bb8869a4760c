import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isSrvvError, ReferenceError } from '../../errors.js';

/** Body of every error answer: a stable code and a sentence naming the problem. */
export interface ErrorBody {
  error: string;
  detail: string;
  /** Every located problem, for inputs judged as a whole (reference data). */
  problems?: Array<{ path: string; message: string }>;
}

// Fastify's own errors for bad requests, mapped onto our catalogue codes where one fits.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'DUIS_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'INGEST_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'API_INVALID_PARAMETER',
};

/** Turns every error into `{"error", "detail"}` with the right status; 5xx details stay in the log. */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ReferenceError) {
      return reply.status(err.statusCode).send({ error: err.code, detail: err.detail, problems: err.problems } satisfies ErrorBody);
    }
    if (isSrvvError(err)) {
      return reply.status(err.statusCode).send({ error: err.code, detail: err.detail } satisfies ErrorBody);
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: 'INTERNAL', detail: 'internal error; see the server log' } satisfies ErrorBody);
    }
    const code = (err.code && FASTIFY_CODES[err.code]) ?? 'BAD_REQUEST';
    return reply.status(status).send({ error: code, detail: err.message } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'NOT_FOUND', detail: `no route ${request.method} ${request.url}` } satisfies ErrorBody);
  });
});
