import { MESSAGE_KINDS } from '../../../duis/duis-message.js';
import { errorResponses } from '../../schemas/api-schemas.js';


const outcome = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: MESSAGE_KINDS },
    duplicate: { type: 'boolean' },
  },
  required: ['id', 'kind', 'duplicate'],
} as const;

/** `POST /api/v1/messages`. */
export const postMessageSchema = {
  summary: 'Ingest one DUIS message',
  description: 'Body: the DUIS XML document (Content-Type application/xml or text/xml).',
  tags: ['feeds'],
  security: [{ bearerAuth: [] }],
  headers: {
    type: 'object',
    properties: { 'x-received-at': { type: 'string', description: 'ISO-8601 receipt time; default: now' } },
  },
  response: { 200: outcome, 201: outcome, ...errorResponses(400, 401, 403, 413, 415, 429) },
} as const;

/** `POST /api/v1/messages:batch`. */
export const postBatchSchema = {
  summary: 'Ingest a batch of DUIS messages',
  description: 'Body: NDJSON (application/x-ndjson), one {"receivedAt", "xml"} object per line.',
  tags: ['feeds'],
  security: [{ bearerAuth: [] }],
  response: {
    200: {
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              line: { type: 'integer' },
              id: { type: 'string' },
              kind: { type: 'string', enum: MESSAGE_KINDS },
              duplicate: { type: 'boolean' },
              error: { type: 'string' },
              detail: { type: 'string' },
            },
            required: ['line'],
          },
        },
      },
      required: ['results'],
    },
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
} as const;
