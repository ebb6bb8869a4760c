import { MESSAGE_KINDS } from '../../../duis/duis-message.js';

const errorBody = {
  type: 'object',
  properties: { error: { type: 'string' }, detail: { type: 'string' } },
  required: ['error', 'detail'],
} as const;

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
  headers: {
    type: 'object',
    properties: { 'x-received-at': { type: 'string', description: 'ISO-8601 receipt time; default: now' } },
  },
  response: { 200: outcome, 201: outcome, 400: errorBody, 413: errorBody, 415: errorBody },
} as const;

/** `POST /api/v1/messages:batch`. */
export const postBatchSchema = {
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
    400: errorBody,
    413: errorBody,
    415: errorBody,
  },
} as const;
