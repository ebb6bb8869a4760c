import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IngestInputError, ReferenceError } from '../../../errors.js';
import { readReferenceInput } from '../../../reference/reference-input.js';
import type { MessageStore } from '../../../store/message-store.js';
import { errorResponses } from '../../schemas/api-schemas.js';

export interface ReferenceRoutesOptions {
  store: MessageStore;
  /** Largest accepted document in bytes (413 above): a national registration feed is large. */
  maxReferenceBytes: number;
}

/**
 * Reference-data feed; needs a token with the `reference` scope.
 *
 * `PUT /api/v1/reference` — a reference document (`Content-Type: application/json`), or one section as CSV
 * (`text/csv` with `?section=parties|devices|links|registrations|certificates`). Applied all or nothing: 200
 * with what changed (`parties`, `devices`: created / updated / unchanged; `links`, `registrations`,
 * `certificates`: histories replaced / erased / unchanged) and `warnings`; 400 `{error: "REFERENCE_INVALID",
 * detail, problems: [{path, message}]}` naming every bad record, and nothing changed; 415 for other media types.
 */
export async function referenceRoutes(app: FastifyInstance, options: ReferenceRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/csv'], { parseAs: 'string', bodyLimit: options.maxReferenceBytes }, (_req, body, done) =>
    done(null, body),
  );

  app.put(
    '/api/v1/reference',
    {
      config: { access: 'reference' },
      bodyLimit: options.maxReferenceBytes,
      schema: {
        summary: 'Apply reference data',
        description:
          'A reference document (application/json), or one section as CSV (text/csv with ?section=). Applied all or nothing; docs/visibility.md describes the format.',
        tags: ['feeds'],
        security: [{ bearerAuth: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { section: { type: 'string', enum: ['parties', 'devices', 'links', 'registrations', 'certificates'] } },
        },
        response: {
          200: { description: 'What changed', type: 'object', additionalProperties: true },
          ...errorResponses(400, 401, 403, 413, 415, 429),
        },
      },
    }, async (request) => {
    const type = mediaType(request);
    const section = (request.query as Record<string, string | undefined>).section;
    if (type === 'text/csv' && section === undefined) {
      throw new ReferenceError('REFERENCE_INVALID', [{ path: 'section', message: 'a CSV body needs ?section=parties|devices|links|registrations|certificates' }]);
    }
    if (type !== 'text/csv' && type !== 'application/json') {
      throw new IngestInputError('INGEST_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type || '(none)'}: expected application/json or text/csv`);
    }
    const validation = readReferenceInput(typeof request.body === 'string' ? request.body : '', type === 'text/csv' ? section : undefined);
    if (!validation.ok) throw new ReferenceError('REFERENCE_INVALID', validation.errors);
    return options.store.reference.apply(validation.document);
  });
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
