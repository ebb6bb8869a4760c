import type { FastifyInstance } from 'fastify';
import { listSrvs, SRV_CATEGORIES } from '../../../catalogue/index.js';
import { errorResponses } from '../../schemas/api-schemas.js';

/** One SRV as the portal's suggestions need it. */
const SrvSummary = {
  type: 'object',
  properties: {
    variant: { type: 'string', description: 'ServiceReferenceVariant, e.g. 7.2' },
    name: { type: 'string', description: 'DUIS Service Request name' },
    critical: { type: 'boolean' },
    securityRelevant: { type: 'boolean' },
    category: { type: 'string', enum: [...SRV_CATEGORIES] },
  },
  required: ['variant', 'name', 'critical', 'securityRelevant', 'category'],
} as const;

/**
 * `GET /api/v1/catalogue/srvs` — every Service Request Variant with its name, flags and category, in DUIS
 * order: the catalogue is public knowledge (the DUIS request matrix), but like every read it needs credentials.
 * Not audited: it says nothing about any party's traffic.
 */
export async function catalogueRoutes(app: FastifyInstance): Promise<void> {
  const items = listSrvs().map((e) => ({ variant: e.variant, name: e.name, critical: e.critical, securityRelevant: e.securityRelevant, category: e.category }));
  app.get(
    '/api/v1/catalogue/srvs',
    {
      config: { access: 'read' },
      schema: {
        summary: 'The SRV catalogue',
        description: 'Every Service Request Variant: name, critical, security relevant, category (docs/catalogue.md).',
        tags: ['catalogue'],
        security: [{ bearerAuth: [] }, { sessionCookie: [] }],
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: SrvSummary } }, required: ['items'] },
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'private, max-age=3600').send({ items }),
  );
}
