import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../../errors.js';
import type { MessageStore } from '../../../store/message-store.js';
import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus, type Subscription, type SubscriptionFilters } from '../../../subscriptions/subscription-store.js';
import { MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from '../../../subscriptions/webhook-url.js';
import { auditActor } from '../../auth/principal.js';
import { recordAccess } from '../../record-access.js';
import { errorResponses, MESSAGE_FILTERS } from '../../schemas/api-schemas.js';
import { toPartyQuery, type MessageFilterParams } from '../../../views/message-filters.js';

export interface SubscriptionRoutesOptions {
  store: MessageStore;
  /** Called after something was queued (a test event, a replay), to wake this process's dispatcher. */
  onQueued?: () => void;
  /** Live subscriptions per party. Default 20. */
  maxPerParty?: number;
}

/** When `filters` is not given: other users' security-relevant traffic, as `/watch`. */
export const DEFAULT_SUBSCRIPTION_FILTERS: SubscriptionFilters = { othersOnly: true, securityRelevant: true };
const DEFAULT_MAX_PER_PARTY = 20;

const SUBSCRIPTION_ID = { type: 'string', pattern: '^sub_[0-9a-f]{24}$' } as const;
const DELIVERY_ID = { type: 'string', pattern: '^dlv_[0-9a-f]{32}$' } as const;
const READ = { access: 'read' } as const;
const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { sessionCookie: [] }];
const tags = ['webhooks'];
const reasonHeader = {
  type: 'object',
  properties: { 'x-access-reason': { type: 'string', description: 'Required when the caller is a DCC operator: why it looks (audited)' } },
};

interface CreateBody {
  url: string;
  secret: string;
  filters?: MessageFilterParams;
}

/**
 * Webhook subscriptions (docs/api.md, "Webhooks"): a party registers a URL, and the dispatcher
 * (src/subscriptions/webhook-dispatcher.ts) POSTs each new message the party may see and that matches the
 * filters, signed with the subscription's secret. Scoped to the caller's party: another party's subscription
 * answers 404, like a message the caller may not see.
 */
export async function subscriptionRoutes(app: FastifyInstance, options: SubscriptionRoutesOptions): Promise<void> {
  const { store } = options;
  const maxPerParty = options.maxPerParty ?? DEFAULT_MAX_PER_PARTY;
  const partyOf = (request: FastifyRequest) => request.view!.partyId;
  const find = async (request: FastifyRequest, id: string): Promise<Subscription> => {
    const sub = await store.subscriptions.get(partyOf(request), id);
    if (!sub) throw new ApiError('API_NOT_FOUND', `no subscription ${id}`);
    return sub;
  };

  app.post<{ Body: CreateBody }>(
    '/api/v1/subscriptions',
    {
      config: READ,
      schema: {
        summary: 'Subscribe a URL to new messages (signed webhooks)',
        description:
          'Registers an https:// URL (plain http:// only to a loopback address) to receive, as signed POSTs, each newly stored message the ' +
          "caller's party may see and that matches the filters (those of /watch; when given they replace the default othersOnly=true, " +
          'securityRelevant=true). The secret (16-256 characters) signs every delivery and is never shown again.',
        tags,
        security,
        headers: reasonHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            url: { type: 'string', minLength: 1, maxLength: MAX_WEBHOOK_URL_LENGTH },
            secret: { type: 'string', minLength: 16, maxLength: 256 },
            filters: { type: 'object', additionalProperties: false, properties: MESSAGE_FILTERS },
          },
          required: ['url', 'secret'],
        },
        response: { 201: { $ref: 'Subscription#' }, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { url, secret, filters: given } = request.body;
      const problem = webhookUrlProblem(url);
      if (problem) throw new ApiError('API_INVALID_PARAMETER', `url: ${problem}`);
      if (secret.trim().length < 16) throw new ApiError('API_INVALID_PARAMETER', 'secret: must be at least 16 characters other than spaces');
      const filters: SubscriptionFilters = given === undefined ? { ...DEFAULT_SUBSCRIPTION_FILTERS } : definedOnly(given);
      try {
        toPartyQuery(filters as MessageFilterParams);
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError('API_INVALID_PARAMETER', `filters: ${err.detail}`);
        throw err;
      }
      const partyId = partyOf(request);
      if ((await store.subscriptions.count(partyId)) >= maxPerParty) {
        throw new ApiError('API_INVALID_PARAMETER', `party ${partyId} has ${maxPerParty} subscriptions, the most allowed: delete one first`);
      }
      const cursor = await store.feedHead();
      const principal = request.principal!;
      const sub = await store.subscriptions.create({
        partyId,
        createdBy: auditActor(principal),
        reason: request.accessReason ?? null,
        url,
        secret,
        filters,
        cursor,
      });
      await recordAccess(store, request, 'watch', { webhook: 'subscribe', subscriptionId: sub.id, url, filters, after: cursor }, 0);
      return reply.status(201).send(subscriptionView(sub));
    },
  );

  app.get(
    '/api/v1/subscriptions',
    {
      config: READ,
      schema: {
        summary: "The party's webhook subscriptions",
        tags,
        security,
        headers: reasonHeader,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Subscription#' } } }, required: ['items'] },
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => ({ items: (await store.subscriptions.list(partyOf(request))).map(subscriptionView) }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/subscriptions/:id',
    {
      config: READ,
      schema: {
        summary: 'One webhook subscription',
        tags,
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { id: SUBSCRIPTION_ID }, required: ['id'] },
        response: { 200: { $ref: 'Subscription#' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => subscriptionView(await find(request, request.params.id)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/subscriptions/:id',
    {
      config: READ,
      schema: {
        summary: 'Delete a webhook subscription',
        description: 'Nothing more is created or sent for it, including its pending deliveries.',
        tags,
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { id: SUBSCRIPTION_ID }, required: ['id'] },
        response: { 204: { description: 'Deleted', type: 'null' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      if (!(await store.subscriptions.remove(partyOf(request), request.params.id))) throw new ApiError('API_NOT_FOUND', `no subscription ${request.params.id}`);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: { status?: DeliveryStatus; limit?: number; cursor?: string } }>(
    '/api/v1/subscriptions/:id/deliveries',
    {
      config: READ,
      schema: {
        summary: "A subscription's deliveries, newest first",
        description: 'status=dead lists the dead-letter deliveries (replay them with POST .../replay).',
        tags,
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { id: SUBSCRIPTION_ID }, required: ['id'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...DELIVERY_STATUSES] },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: { $ref: 'WebhookDelivery#' } }, nextCursor: { type: ['string', 'null'] } },
            required: ['items', 'nextCursor'],
          },
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const sub = await find(request, request.params.id);
      const page = await store.subscriptions.listDeliveries(sub.id, request.query);
      // The listing names messages delivered to the party: recorded like any other read.
      await recordAccess(store, request, 'watch', { webhook: 'deliveries', subscriptionId: sub.id, ...request.query }, page.items.length);
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/api/v1/subscriptions/:id/deliveries/:deliveryId/replay',
    {
      config: READ,
      schema: {
        summary: 'Send a dead or delivered delivery again',
        description:
          'Back to pending with its attempts reset, same deliveryId (the receiver de-duplicates by it). A pending one is left as it is. ' +
          "Refused (404) when the delivery's message is no longer visible to the party.",
        tags,
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { id: SUBSCRIPTION_ID, deliveryId: DELIVERY_ID }, required: ['id', 'deliveryId'] },
        response: { 200: { $ref: 'WebhookDelivery#' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const sub = await find(request, request.params.id);
      const delivery = await store.subscriptions.getDelivery(sub.id, request.params.deliveryId);
      if (!delivery) throw new ApiError('API_NOT_FOUND', `no delivery ${request.params.deliveryId} in subscription ${sub.id}`);
      // Visibility follows the reference data as currently known: a message the party may no longer see is not sent again.
      if (delivery.messageId !== null && !(await request.view!.getMessage(delivery.messageId))) {
        throw new ApiError('API_NOT_FOUND', `delivery ${delivery.id}: its message is no longer visible to party ${sub.partyId}`);
      }
      await recordAccess(store, request, 'watch', { webhook: 'replay', subscriptionId: sub.id, deliveryId: delivery.id, messageId: delivery.messageId }, delivery.messageId === null ? 0 : 1);
      const replayed = await store.subscriptions.replay(sub.id, delivery.id);
      options.onQueued?.();
      return deliveryView(replayed ?? delivery);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/subscriptions/:id/test',
    {
      config: READ,
      schema: {
        summary: 'Queue a test event',
        description: 'Queues {"deliveryId", "subscriptionId", "test": true}, signed like every delivery: to check a receiver.',
        tags,
        security,
        headers: reasonHeader,
        params: { type: 'object', properties: { id: SUBSCRIPTION_ID }, required: ['id'] },
        response: { 202: { $ref: 'WebhookDelivery#' }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const sub = await find(request, request.params.id);
      const delivery = await store.subscriptions.queueTest(sub.id);
      options.onQueued?.();
      return reply.status(202).send(deliveryView(delivery));
    },
  );
}

function subscriptionView(s: Subscription) {
  return {
    id: s.id,
    partyId: s.partyId,
    url: s.url,
    filters: s.filters,
    createdBy: { kind: s.createdBy.kind, id: s.createdBy.id, name: s.createdBy.name },
    createdAt: s.createdAt.toISOString(),
    active: s.active,
  };
}

function deliveryView(d: Delivery) {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    messageId: d.messageId,
    test: d.messageId === null,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

function definedOnly(filters: MessageFilterParams): SubscriptionFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as SubscriptionFilters;
}
