import type { FastifyInstance } from 'fastify';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '../../../audit/access-audit.js';
import { ApiError } from '../../../errors.js';
import type { MessageStore } from '../../../store/message-store.js';
import { recordAccess } from '../../record-access.js';
import { errorResponses } from '../../schemas/api-schemas.js';
import { instantParam } from '../../../views/message-filters.js';

export interface AuditRoutesOptions {
  store: MessageStore;
}

interface AuditParams {
  actor?: string;
  action?: AuditAction;
  partyId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

function entryBody(e: AuditEntry) {
  return { seq: e.seq, at: e.at.toISOString(), actor: e.actor, action: e.action, subject: e.subject, rows: e.rows, reason: e.reason, prevHash: e.prevHash, hash: e.hash };
}

/**
 * `GET /api/v1/audit` — who searched, viewed or exported what, newest first. A party admin sees its own party's
 * entries; an operator everyone's (and may narrow with `partyId`), stating a reason like every operator read.
 * Reading the audit is itself audited.
 */
export async function auditRoutes(app: FastifyInstance, options: AuditRoutesOptions): Promise<void> {
  const { store } = options;
  app.get<{ Querystring: AuditParams }>(
    '/api/v1/audit',
    {
      config: { access: 'audit' },
      schema: {
        summary: 'The access audit',
        tags: ['audit'],
        security: [{ sessionCookie: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', minLength: 1, maxLength: 100, description: 'Username or token id' },
            action: { type: 'string', enum: [...AUDIT_ACTIONS] },
            partyId: { type: 'string', minLength: 1, maxLength: 64, description: "Operators only: one party's entries" },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: { $ref: 'AuditEntry#' } }, nextCursor: { type: ['string', 'null'] } },
            required: ['items', 'nextCursor'],
          },
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const view = request.view!;
      if (q.partyId !== undefined && !view.operator && q.partyId !== view.partyId) {
        throw new ApiError('API_INVALID_PARAMETER', `partyId: a party admin sees only its own party's audit (${view.partyId})`);
      }
      const time = (name: string, text: string | undefined) => (text === undefined ? undefined : new Date(instantParam(name, text)));
      const from = time('from', q.from);
      const to = time('to', q.to);
      const partyId = view.operator ? q.partyId : view.partyId;
      const page = await store.audit.list({
        ...(partyId !== undefined ? { partyId } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
      await recordAccess(store, request, 'audit', Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)), page.items.length);
      return { items: page.items.map(entryBody), nextCursor: page.nextCursor };
    },
  );
}
