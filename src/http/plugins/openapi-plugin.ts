import fp from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from './auth-plugin.js';

/**
 * The OpenAPI 3.1 document, generated from the routes' own schemas (the ones that validate requests and
 * serialise responses), served at `/api/v1/openapi.json` (no authentication) with Swagger UI at `/docs`.
 * Register before the routes: @fastify/swagger collects them as they are added.
 */
export const openApiPlugin = fp(async (app: FastifyInstance, options: { version: string }) => {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'srv-visibility API',
        version: options.version,
        description:
          'Every DUIS message sent to the devices a party is responsible for, under the MP141 visibility rules. ' +
          'Authenticate with `Authorization: Bearer <token>` (tokens: `srvv tokens create`) or a portal session. ' +
          'Operators state why they look in `X-Access-Reason`. Every search, view and export is audited.',
        license: { name: 'GPL-3.0-or-later', identifier: 'GPL-3.0-or-later' },
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token: srvv_<id>_<secret>, scope read, ingest or reference' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Portal session from POST /api/v1/session' },
        },
      },
      tags: [
        { name: 'messages', description: 'Search, view, threads and export, as the caller may see them' },
        { name: 'devices', description: 'Devices as the caller may see them' },
        { name: 'webhooks', description: 'Signed webhook subscriptions to new messages, their deliveries and dead letters' },
        { name: 'catalogue', description: 'The SRV catalogue (names, critical, security relevant)' },
        { name: 'audit', description: 'The tamper-evident access audit' },
        { name: 'session', description: 'Portal login' },
        { name: 'administration', description: "A party admin's users and tokens" },
        { name: 'feeds', description: 'Message capture and reference-data feeds' },
        { name: 'operations', description: 'Health' },
      ],
    },
    // Shared schemas become components/schemas/<$id> instead of def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

  /** `GET /api/v1/openapi.json` — this document; open to all, so clients can be generated before any token exists. */
  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
});
