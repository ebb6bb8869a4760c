import type { FastifyInstance } from 'fastify';

/** `GET /healthz`: 200 while the process serves requests (liveness; no dependency checks). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    { config: { rateLimit: false }, schema: { tags: ['operations'], summary: 'Liveness', security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } } } },
    async () => ({ status: 'ok' }),
  );
}
