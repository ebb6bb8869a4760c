import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IngestInputError } from '../../../errors.js';
import { parseReceivedAt } from '../../../ingest/ndjson-line.js';
import { prepareBatch } from '../../../ingest/prepare-batch.js';
import { runPrepareJob } from '../../../ingest/prepare-job.js';
import type { ServiceMetrics } from '../../../metrics/service-metrics.js';
import type { MessageStore } from '../../../store/message-store.js';
import { postBatchSchema, postMessageSchema } from './ingest-schemas.js';

export interface IngestRoutesOptions {
  store: MessageStore;
  /** Largest accepted DUIS document in bytes (413 above). */
  maxMessageBytes: number;
  /** Largest accepted NDJSON batch body in bytes (413 above). */
  maxBatchBytes: number;
  /** Counts what was stored, duplicated and refused. */
  metrics?: ServiceMetrics;
}

type BatchResult =
  | { line: number; id: string; kind: string; duplicate: boolean }
  | { line: number; error: string; detail: string };

// Messages per store transaction when a batch body is large.
const WRITE_SLICE = 2000;

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function requireMediaType(request: FastifyRequest, accepted: readonly string[]): void {
  const type = mediaType(request);
  if (!accepted.includes(type)) {
    throw new IngestInputError('INGEST_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type || '(none)'}: expected ${accepted.join(' or ')}`);
  }
}

/** Ingestion endpoints for capture feeds; they need a token with the `ingest` scope (see auth-plugin.ts). */
export async function ingestRoutes(app: FastifyInstance, options: IngestRoutesOptions): Promise<void> {
  const { store } = options;
  const raw = (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
  // Only our media types: a JSON or text body must be refused with 415, not parsed and then misreported.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: options.maxMessageBytes }, raw);
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer', bodyLimit: options.maxBatchBytes }, raw);

  /**
   * `POST /api/v1/messages` — one DUIS document (`Content-Type: application/xml`), received now or at the
   * `X-Received-At` header. 201 `{id, kind, duplicate: false}` once committed; 200 with `duplicate: true` when
   * the same bytes were stored before; 400/413/415 `{error, detail}` and nothing stored otherwise.
   */
  app.post('/api/v1/messages', { config: { access: 'ingest' }, schema: postMessageSchema, bodyLimit: options.maxMessageBytes }, async (request, reply) => {
    requireMediaType(request, ['application/xml', 'text/xml']);
    const header = request.headers['x-received-at'];
    const receivedAt = header === undefined ? Date.now() : parseReceivedAt(header, 'X-Received-At');
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const prepared = prepareBatch([{ xml: body, receivedAt }], { maxBytes: options.maxMessageBytes });
    const rejection = prepared.rejections[0];
    if (rejection) options.metrics?.countIngest([], [rejection.code]);
    if (rejection) return reply.status(rejection.code === 'DUIS_TOO_LARGE' ? 413 : 400).send({ error: rejection.code, detail: rejection.detail });
    const [outcome] = await store.ingest(prepared.batch);
    options.metrics?.countIngest([outcome!]);
    return reply.status(outcome!.duplicate ? 200 : 201).send(outcome);
  });

  /**
   * `POST /api/v1/messages:batch` — NDJSON (`application/x-ndjson`), one `{"receivedAt", "xml"}` object per
   * line. Stores every valid line and answers 200 `{results: [...]}` in line order (lines counted from 1): each
   * `{line, id, kind, duplicate}` (committed) or `{line, error, detail}` (rejected, nothing stored).
   */
  app.post('/api/v1/messages::batch', { config: { access: 'ingest' }, schema: postBatchSchema, bodyLimit: options.maxBatchBytes }, async (request) => {
    requireMediaType(request, ['application/x-ndjson']);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const results: BatchResult[] = [];
    // One transaction per slice of lines keeps each write (and its compressed chunk) bounded.
    for (const part of sliceLines(body, WRITE_SLICE)) {
      const job = runPrepareJob({ type: 'ndjson', source: 'body', ...part }, { maxBytes: options.maxMessageBytes });
      for (const r of job.rejections) results.push({ line: r.origin.line!, error: r.code, detail: r.detail });
      options.metrics?.countIngest([], job.rejections.map((r) => r.code));
      if (job.batch.messages.length === 0) continue;
      const outcomes = await store.ingest(job.batch);
      options.metrics?.countIngest(outcomes);
      outcomes.forEach((o, i) => results.push({ line: job.origins[i]!.line!, ...o }));
    }
    results.sort((a, b) => a.line - b.line);
    return { results };
  });
}

/** Cuts NDJSON bytes into runs of at most `maxLines` lines, keeping line numbers. */
function* sliceLines(body: Buffer, maxLines: number): Generator<{ firstLine: number; data: Buffer }> {
  let start = 0;
  let line = 1;
  while (start < body.length) {
    let end = start;
    let lines = 0;
    while (lines < maxLines && end < body.length) {
      const nl = body.indexOf(10, end);
      end = nl === -1 ? body.length : nl + 1;
      lines++;
    }
    yield { firstLine: line, data: body.subarray(start, end) };
    line += lines;
    start = end;
  }
}
