import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../../errors.js';
import type { MessageStore } from '../../../store/message-store.js';
import { deviceSummaryView, MESSAGE_ITEM_FIELDS, messageDetail, messageItem, originatorRoles, threadView } from '../../../views/message-views.js';
import { csvRow } from '../../csv-row.js';
import { recordAccess } from '../../record-access.js';
import { EUI64_PATTERN, errorResponses, MESSAGE_FILTERS } from '../../schemas/api-schemas.js';
import { auditedFilters, toPartyQuery, type MessageFilterParams } from '../../../views/message-filters.js';

export interface QueryRoutesOptions {
  store: MessageStore;
}

/** Most rows one export returns (the "up to a million rows"). */
export const MAX_EXPORT_ROWS = 1_000_000;
const EXPORT_PAGE = 1000;

const READ = { access: 'read' as const };
const READ_ERRORS = errorResponses(400, 401, 403, 429);
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { sessionCookie: [] }];
const reasonHeader = {
  type: 'object',
  properties: { 'x-access-reason': { type: 'string', description: 'Required when the caller is a DCC operator: why it looks (audited)' } },
};

/**
 * The party-scoped read API. Every handler reads through the caller's party view (`request.view`, set by the
 * auth plugin), so it sees exactly what the visibility rules allow; something invisible answers 404 exactly as
 * something that does not exist. Every read is recorded in the access audit before it is answered.
 */
export async function queryRoutes(app: FastifyInstance, options: QueryRoutesOptions): Promise<void> {
  const { store } = options;

  /**
   * `GET /api/v1/messages` — one page of visible messages matching every filter, newest first (t(M), then id).
   * `limit` 1..1000 (default 50); `nextCursor` is passed back as `cursor`.
   */
  app.get<{ Querystring: MessageFilterParams & { limit: number; cursor?: string } }>(
    '/api/v1/messages',
    {
      config: READ,
      schema: {
        summary: 'Search messages',
        description: 'Messages the caller may see, newest first, with keyset paging.',
        tags: ['messages'],
        security,
        headers: reasonHeader,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...MESSAGE_FILTERS,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 64, description: 'nextCursor of the previous page' },
          },
        },
        response: { 200: { $ref: 'MessagePage#' }, ...READ_ERRORS },
      },
    },
    async (request) => {
      const view = request.view!;
      const { limit, cursor, ...filters } = request.query;
      const page = await view.listMessages({ ...toPartyQuery(filters), limit, ...(cursor !== undefined ? { cursor } : {}) });
      await recordAccess(store, request, 'search', auditedFilters(request.query), page.items.length);
      const roles = await originatorRoles(view, page.items);
      return { items: page.items.map((m) => messageItem(m, view, roles)), nextCursor: page.nextCursor };
    },
  );

  /** `GET /api/v1/messages/{id}` — the message with header, catalogue details, XML, thread and reasons; 404 when not visible. */
  app.get<{ Params: { id: string } }>(
    '/api/v1/messages/:id',
    {
      config: READ,
      schema: {
        summary: 'One message in full',
        tags: ['messages'],
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } }, required: ['id'] },
        response: { 200: { $ref: 'MessageDetail#' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const view = request.view!;
      const { id } = request.params;
      const visible = await view.getMessage(id);
      // The view has just judged the message visible; its getOriginalXml would judge it a second time.
      const xml = visible && (await store.getOriginalXml(id));
      await recordAccess(store, request, 'view', { messageId: id }, visible && xml ? 1 : 0);
      if (!visible || !xml) throw new ApiError('API_NOT_FOUND', `no message ${id}`);
      const thread = visible.message.requestId === null ? undefined : await view.getThread(visible.message.requestId);
      const roles = await originatorRoles(view, [visible.message, ...(thread?.members ?? [])]);
      return messageDetail(visible.message, xml, thread, visible.reasons, view, roles);
    },
  );

  /** `GET /api/v1/threads/{requestId}` — the visible members of a request thread, with status and timings; 404 when none is visible. */
  app.get<{ Params: { requestId: string } }>(
    '/api/v1/threads/:requestId',
    {
      config: READ,
      schema: {
        summary: 'A request thread',
        description: 'The request and everything answering it that the caller may see; status and timings are computed from those.',
        tags: ['messages'],
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { requestId: { type: 'string', minLength: 1, maxLength: 120 } }, required: ['requestId'] },
        response: { 200: { $ref: 'Thread#' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const view = request.view!;
      const { requestId } = request.params;
      const thread = await view.getThread(requestId);
      await recordAccess(store, request, 'thread', { requestId }, thread?.members.length ?? 0);
      if (!thread) throw new ApiError('API_NOT_FOUND', `no thread ${requestId}`);
      return threadView(thread, view, await originatorRoles(view, thread.members));
    },
  );

  /**
   * `GET /api/v1/devices/{deviceId}` — type, MPxN links and responsible parties as far as the caller may see them
   * (clipped to its own windows on the device), and counts of the messages it may see, by kind and by originator
   * role; 404 when it has no window on the device and sees none of its messages.
   */
  app.get<{ Params: { deviceId: string } }>(
    '/api/v1/devices/:deviceId',
    {
      config: READ,
      schema: {
        summary: 'A device as the caller sees it',
        tags: ['devices'],
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { deviceId: { type: 'string', pattern: EUI64_PATTERN } }, required: ['deviceId'] },
        response: { 200: { $ref: 'DeviceSummary#' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const view = request.view!;
      const { deviceId } = request.params;
      const summary = await view.deviceSummary(deviceId);
      await recordAccess(store, request, 'device', { deviceId }, summary?.counts.total ?? 0);
      if (!summary) throw new ApiError('API_NOT_FOUND', `no device ${deviceId}`);
      return deviceSummaryView(summary);
    },
  );

  /**
   * `GET /api/v1/export.csv` — the `/messages` filters, streamed as CSV (RFC 4180, CRLF): a header row, then one row
   * per visible message with the item fields as columns (`id` first; `deviceIds` joined by spaces). Up to
   * `limit` rows (default and most: one million), read page by page, so memory stays constant. The export is
   * audited with the number of rows actually sent, also when the client stops reading early.
   */
  app.get<{ Querystring: MessageFilterParams & { limit: number } }>(
    '/api/v1/export.csv',
    {
      config: READ,
      schema: {
        summary: 'Export a search as CSV',
        tags: ['messages'],
        security,
        headers: reasonHeader,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...MESSAGE_FILTERS, limit: { type: 'integer', minimum: 1, maximum: MAX_EXPORT_ROWS, default: MAX_EXPORT_ROWS } },
        },
        response: {
          200: { description: 'CSV: header row, then one row per message', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...READ_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const view = request.view!;
      const { limit, ...filters } = request.query;
      const query = toPartyQuery(filters);
      const subject = auditedFilters(request.query);
      const rows = async function* () {
        let sent = 0;
        try {
          yield csvRow(MESSAGE_ITEM_FIELDS);
          let cursor: string | undefined;
          do {
            const page = await view.listMessages({ ...query, limit: Math.min(EXPORT_PAGE, limit - sent), ...(cursor ? { cursor } : {}) });
            let chunk = '';
            const roles = await originatorRoles(view, page.items);
            for (const m of page.items) {
              const item = messageItem(m, view, roles);
              chunk += csvRow(MESSAGE_ITEM_FIELDS.map((f) => item[f]));
            }
            sent += page.items.length;
            if (chunk) yield chunk;
            cursor = page.nextCursor ?? undefined;
          } while (cursor && sent < limit);
        } finally {
          await recordAccess(store, request, 'export', subject, sent);
        }
      };
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="srvv-export.csv"')
        .header('cache-control', 'no-store')
        .send(Readable.from(rows()));
    },
  );
}
