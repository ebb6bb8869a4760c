import type { FastifyInstance } from 'fastify';
import { MESSAGE_KINDS } from '../../duis/duis-message.js';
import { USER_ROLES } from '../../reference/reference-document.js';

/*
 * JSON Schemas of the API, shared by validation (requests), serialisation (responses: fast-json-stringify
 * writes only declared fields) and the OpenAPI document (@fastify/swagger turns every `$id` into
 * `components/schemas/<id>`). One source, so the document cannot drift from what the server does.
 */

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const isoTime = { type: 'string', format: 'date-time' } as const;

export const EUI64_PATTERN = '^[0-9A-Fa-f]{2}(?:-?[0-9A-Fa-f]{2}){7}$';

const ErrorBody = {
  $id: 'Error',
  type: 'object',
  description: 'Every error answer: a stable code, a sentence naming the problem and, for inputs judged as a whole, every located problem.',
  properties: {
    error: { type: 'string', description: 'Stable code, e.g. AUTH_REQUIRED, API_INVALID_PARAMETER, API_NOT_FOUND' },
    detail: { type: 'string' },
    problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['path', 'message'] } },
  },
  required: ['error', 'detail'],
};

const MessageItem = {
  $id: 'MessageItem',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Store id (decimal); opaque' },
    kind: { type: 'string', enum: MESSAGE_KINDS },
    requestId: nullable('string', { description: 'originator:target:counter' }),
    responseId: nullable('string', { description: 'responder:recipient:counter' }),
    srv: nullable('string', { description: 'ServiceReferenceVariant as written' }),
    srvName: nullable('string', { description: 'DUIS Service Request name; null for an unknown SRV' }),
    commandVariant: nullable('integer'),
    originatorId: nullable('string'),
    originatorRole: nullable('string', { description: "The originator's User Role per the reference data; null without a RequestID or for an unknown User ID" }),
    targetId: nullable('string'),
    deviceIds: { type: 'array', items: { type: 'string' }, description: 'S(M): the subject devices' },
    responseCode: nullable('string'),
    alertCode: nullable('string', { description: 'Device alert code, or the DCC alert code of a DCC alert' }),
    time: { ...isoTime, description: 't(M)' },
    receivedAt: isoTime,
    critical: { type: 'boolean' },
    securityRelevant: { type: 'boolean' },
    own: { type: 'boolean', description: "Whether it is the caller's own traffic (rule 1)" },
  },
  required: [
    'id', 'kind', 'requestId', 'responseId', 'srv', 'srvName', 'commandVariant', 'originatorId', 'originatorRole', 'targetId', 'deviceIds',
    'responseCode', 'alertCode', 'time', 'receivedAt', 'critical', 'securityRelevant', 'own',
  ],
};

const MessagePage = {
  $id: 'MessagePage',
  type: 'object',
  properties: {
    items: { type: 'array', items: { $ref: 'MessageItem#' } },
    nextCursor: nullable('string', { description: 'Pass as `cursor` for the next page; null on the last page' }),
  },
  required: ['items', 'nextCursor'],
};

const Thread = {
  $id: 'Thread',
  type: 'object',
  properties: {
    requestId: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'acknowledged', 'rejected', 'responded-success', 'responded-error'] },
    timings: {
      type: 'object',
      properties: {
        requestAt: nullable('string', { format: 'date-time' }),
        acknowledgedAt: nullable('string', { format: 'date-time' }),
        firstResponseAt: nullable('string', { format: 'date-time' }),
        lastResponseAt: nullable('string', { format: 'date-time' }),
        requestToAcknowledgementMs: nullable('number'),
        requestToFirstResponseMs: nullable('number'),
      },
      required: ['requestAt', 'acknowledgedAt', 'firstResponseAt', 'lastResponseAt', 'requestToAcknowledgementMs', 'requestToFirstResponseMs'],
    },
    request: { anyOf: [{ $ref: 'MessageItem#' }, { type: 'null' }], description: 'The request, when captured and visible' },
    members: { type: 'array', items: { $ref: 'MessageItem#' }, description: 'Visible members, by time' },
  },
  required: ['requestId', 'status', 'timings', 'request', 'members'],
};

const VisibilityReason = {
  $id: 'VisibilityReason',
  type: 'object',
  description: 'Why the caller may see a message: the rule, its facts and a sentence (docs/visibility.md).',
  properties: {
    rule: { type: 'string', enum: ['own', 'responsible-supplier', 'network-operator', 'thread', 'operator'] },
    text: { type: 'string' },
  },
  required: ['rule', 'text'],
  additionalProperties: true,
};

const MessageDetail = {
  $id: 'MessageDetail',
  type: 'object',
  description: 'A message item plus its decoded header, catalogue details, original XML, thread and the reasons the caller may see it.',
  properties: {
    ...MessageItem.properties,
    header: {
      type: 'object',
      properties: {
        schemaVersion: nullable('string'),
        serviceReference: nullable('string'),
        responderId: nullable('string'),
        recipientId: nullable('string'),
        responseDateTime: nullable('string'),
        dccAlertCode: nullable('string'),
        throttledAlertSequenceId: nullable('string'),
        throttledAlertCount: nullable('integer'),
        bodyElement: nullable('string'),
        hasGbcsPayload: { type: 'boolean' },
        xmlLength: { type: 'integer' },
      },
      required: ['schemaVersion', 'serviceReference', 'responderId', 'recipientId', 'responseDateTime', 'dccAlertCode', 'bodyElement', 'hasGbcsPayload', 'xmlLength'],
    },
    catalogue: {
      type: 'object',
      properties: {
        srv: {
          anyOf: [
            {
              type: 'object',
              properties: {
                variant: { type: 'string' },
                serviceReference: { type: 'string' },
                name: { type: 'string' },
                critical: { type: 'boolean' },
                category: { type: 'string' },
                securityRelevant: { type: 'boolean' },
                securityReasons: { type: 'array', items: { type: 'string' } },
                eligibleRoles: { type: 'array', items: { type: 'string' } },
                nonDevice: { type: 'boolean' },
              },
              required: ['variant', 'serviceReference', 'name', 'critical', 'category', 'securityRelevant', 'securityReasons', 'eligibleRoles', 'nonDevice'],
            },
            { type: 'null' },
          ],
        },
        responseCode: {
          anyOf: [
            { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, meaning: { type: 'string' }, outcome: { type: 'string' } }, required: ['code', 'name', 'meaning', 'outcome'] },
            { type: 'null' },
          ],
        },
        alert: {
          anyOf: [{ type: 'object', properties: { code: { type: 'string' }, meaning: { type: 'string' } }, required: ['code', 'meaning'] }, { type: 'null' }],
        },
      },
      required: ['srv', 'responseCode', 'alert'],
    },
    xml: { type: 'string', description: 'The original document, byte for byte (UTF-8)' },
    thread: { anyOf: [{ $ref: 'Thread#' }, { type: 'null' }], description: 'As GET /api/v1/threads/{requestId}; null without a RequestID' },
    reasons: { type: 'array', items: { $ref: 'VisibilityReason#' }, minItems: 1 },
  },
  required: [...MessageItem.required, 'header', 'catalogue', 'xml', 'thread', 'reasons'],
};

const Period = {
  type: 'object',
  properties: { from: isoTime, to: nullable('string', { format: 'date-time' }) },
  required: ['from', 'to'],
};

const DeviceSummary = {
  $id: 'DeviceSummary',
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    type: nullable('string'),
    links: { type: 'array', items: { type: 'object', properties: { mpxn: { type: 'string' }, ...Period.properties }, required: ['mpxn', 'from', 'to'] } },
    responsible: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          partyId: { type: 'string' },
          basis: { type: 'string', enum: ['responsible-supplier', 'network-operator'] },
          role: { type: 'string' },
          mpxn: nullable('string'),
          ...Period.properties,
        },
        required: ['partyId', 'basis', 'role', 'mpxn', 'from', 'to'],
      },
    },
    windows: {
      type: 'array',
      description: "The caller's own windows on the device: when the rules give it the device's traffic",
      items: {
        type: 'object',
        properties: {
          basis: { type: 'string', enum: ['responsible-supplier', 'network-operator', 'operator'] },
          from: nullable('string', { format: 'date-time', description: 'null: since always (an operator)' }),
          to: nullable('string', { format: 'date-time' }),
        },
        required: ['basis', 'from', 'to'],
      },
    },
    counts: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        byKind: { type: 'object', properties: Object.fromEntries(MESSAGE_KINDS.map((k) => [k, { type: 'integer' }])), required: [...MESSAGE_KINDS] },
        byOriginatorRole: { type: 'object', additionalProperties: { type: 'integer' }, description: `User role (${USER_ROLES.join(', ')}), "unknown" or "none"` },
      },
      required: ['total', 'byKind', 'byOriginatorRole'],
    },
  },
  required: ['deviceId', 'type', 'links', 'responsible', 'windows', 'counts'],
};

const AuditEntry = {
  $id: 'AuditEntry',
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: isoTime,
    actor: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['user', 'token', 'cli'] }, id: { type: 'string' }, name: { type: 'string' }, partyId: nullable('string'), role: { type: 'string' } },
      required: ['kind', 'id', 'name', 'partyId', 'role'],
    },
    action: { type: 'string' },
    subject: { type: 'object', additionalProperties: true },
    rows: { type: 'integer' },
    reason: nullable('string'),
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
  required: ['seq', 'at', 'actor', 'action', 'subject', 'rows', 'reason', 'prevHash', 'hash'],
};

const Session = {
  $id: 'Session',
  type: 'object',
  properties: {
    username: { type: 'string' },
    partyId: { type: 'string' },
    role: { type: 'string', enum: ['viewer', 'admin', 'operator'] },
    csrfToken: { type: 'string', description: 'Send back in X-CSRF-Token on every POST, PUT and DELETE of this session' },
    expiresAt: isoTime,
  },
  required: ['username', 'partyId', 'role', 'csrfToken', 'expiresAt'],
};

const User = {
  $id: 'User',
  type: 'object',
  properties: { username: { type: 'string' }, partyId: { type: 'string' }, role: { type: 'string', enum: ['viewer', 'admin', 'operator'] }, hasPassword: { type: 'boolean' } },
  required: ['username', 'partyId', 'role', 'hasPassword'],
};

/** The properties of a token as the API shows it (also in `POST /api/v1/tokens`'s answer, with the secret). */
export const TOKEN_PROPERTIES = {
  id: { type: 'string' },
  name: { type: 'string' },
  scope: { type: 'string', enum: ['read', 'ingest', 'reference'] },
  partyId: nullable('string'),
  createdAt: isoTime,
  expiresAt: nullable('string', { format: 'date-time' }),
  revokedAt: nullable('string', { format: 'date-time' }),
};

const Token = {
  $id: 'Token',
  type: 'object',
  properties: TOKEN_PROPERTIES,
  required: ['id', 'name', 'scope', 'partyId', 'createdAt', 'expiresAt', 'revokedAt'],
};

const Subscription = {
  $id: 'Subscription',
  type: 'object',
  description: 'A webhook subscription of the caller\'s party (its secret is never shown after creation)',
  properties: {
    id: { type: 'string', description: 'sub_<24 hex>' },
    partyId: { type: 'string' },
    url: { type: 'string', description: 'Where deliveries are POSTed' },
    filters: {
      type: 'object',
      additionalProperties: { type: ['string', 'boolean'] },
      description: 'The /watch filters in effect (default othersOnly=true and securityRelevant=true)',
    },
    createdBy: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['user', 'token'] }, id: { type: 'string' }, name: { type: 'string' } },
      required: ['kind', 'id', 'name'],
    },
    createdAt: isoTime,
    active: {
      type: 'boolean',
      description: 'false once its creator no longer stands behind it (the token is revoked or expired, the account left the party): nothing is created or sent',
    },
  },
  required: ['id', 'partyId', 'url', 'filters', 'createdBy', 'createdAt', 'active'],
};

const WebhookDelivery = {
  $id: 'WebhookDelivery',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'dlv_<32 hex>: the idempotency key the receiver gets as deliveryId and X-Srvv-Delivery' },
    subscriptionId: { type: 'string' },
    messageId: nullable('string', { description: 'The message delivered; null for a test event' }),
    test: { type: 'boolean' },
    status: { type: 'string', enum: ['pending', 'delivered', 'dead'] },
    attempts: { type: 'integer' },
    nextAttemptAt: nullable('string', { format: 'date-time', description: 'When a pending delivery is tried next' }),
    lastStatus: nullable('integer', { description: "The receiver's HTTP status at the last attempt; null when it did not answer" }),
    lastError: nullable('string'),
    createdAt: isoTime,
    deliveredAt: nullable('string', { format: 'date-time' }),
  },
  required: ['id', 'subscriptionId', 'messageId', 'test', 'status', 'attempts', 'nextAttemptAt', 'lastStatus', 'lastError', 'createdAt', 'deliveredAt'],
};

export const SHARED_SCHEMAS = [
  ErrorBody, MessageItem, MessagePage, Thread, VisibilityReason, MessageDetail, DeviceSummary, AuditEntry, Session, User, Token, Subscription, WebhookDelivery,
];

export function addSharedSchemas(app: FastifyInstance): void {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
}

/** `{status: {$ref: Error}}` for each error status a route can answer. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, { description: string; $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [s, { description: ERROR_DESCRIPTIONS[s] ?? 'Error', $ref: 'Error#' }])) as Record<S, { description: string; $ref: string }>;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameters (or, for an operator, no X-Access-Reason)',
  401: 'No valid token or session',
  403: 'The token or session may not call this endpoint (scope, role or CSRF token)',
  404: 'Not found, or not visible to the caller: the two read the same',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported Content-Type',
  429: 'Rate limit or login backoff: see Retry-After',
};

/** The filters of `GET /api/v1/messages` and `GET /api/v1/export.csv`. */
export const MESSAGE_FILTERS = {
  deviceId: { type: 'string', pattern: EUI64_PATTERN, description: 'Messages with this device in S(M); any EUI-64 spelling' },
  mpxn: { type: 'string', pattern: '^(?:[0-9]{13}|[0-9]{6,10})$', description: 'MPAN (13 digits) or MPRN (6-10 digits): devices linked to it at t(M)' },
  requestId: { type: 'string', minLength: 1, maxLength: 120, description: 'originator:target:counter (any accepted spelling)' },
  srv: { type: 'string', pattern: '^[0-9]{1,3}(?:\\.[0-9]{1,3}){0,3}$', description: 'ServiceReferenceVariant, e.g. 7.2 or 4.1.1' },
  originatorId: { type: 'string', pattern: EUI64_PATTERN, description: "The RequestID's originator User ID" },
  originatorRole: { type: 'string', enum: [...USER_ROLES], description: "The originator's User Role per the reference data" },
  kind: { type: 'string', enum: MESSAGE_KINDS },
  responseCode: { type: 'string', pattern: '^[A-Za-z0-9]{1,10}$', description: 'ResponseCode, e.g. I0, E4' },
  from: { type: 'string', format: 'date-time', description: 't(M) at or after (ISO-8601 with a time zone)' },
  to: { type: 'string', format: 'date-time', description: 't(M) before (half-open)' },
  othersOnly: { type: 'boolean', description: "Only other users' traffic: U(M) is not one of the caller's User IDs" },
  securityRelevant: {
    type: 'boolean',
    description: 'Only messages naming an SRV the catalogue flags security relevant (requests, and responses naming their SRV; alerts name none). false: no restriction',
  },
  critical: { type: 'boolean', description: 'Only messages naming an SRV DUIS marks critical. false: no restriction' },
} as const;
