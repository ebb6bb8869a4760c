import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface WebRoutesOptions {
  /** Where the compiled portal modules are (`tsc -p web/tsconfig.json`). Default `<package>/dist/web`. */
  scriptRoot?: string;
  /** Where `index.html` and the stylesheet are. Default `<package>/web/static`. */
  staticRoot?: string;
}

/** The portal's page paths: each answers the same HTML shell, and the app routes in the browser (web/src/router.ts). */
export const PAGE_PATHS = [
  '/', '/login', '/search', '/devices/:deviceId', '/messages/:id', '/admin/users', '/admin/tokens', '/admin/audit', '/reason',
  '/notifications', '/subscriptions', '/subscriptions/:id',
] as const;

// The same relative path works from src/http/routes/web (tsx) and dist/http/routes/web (compiled): both are four
// levels below the package root.
const PACKAGE_ROOT = new URL('../../../../', import.meta.url);
const DEFAULT_SCRIPT_ROOT = fileURLToPath(new URL('dist/web/', PACKAGE_ROOT));
const DEFAULT_STATIC_ROOT = fileURLToPath(new URL('web/static/', PACKAGE_ROOT));

/**
 * The SSI portal (docs/portal.md): a single-page app that uses only `/api/v1`. Its files are served under
 * `/assets/` (compiled modules first, then the hand-written HTML and CSS), and every page path answers the
 * HTML shell. No `config.access`: the pages hold no data, the API checks every call. Anything else stays the
 * JSON 404.
 */
export async function webRoutes(app: FastifyInstance, options: WebRoutesOptions = {}): Promise<void> {
  const scriptRoot = options.scriptRoot ?? DEFAULT_SCRIPT_ROOT;
  const staticRoot = options.staticRoot ?? DEFAULT_STATIC_ROOT;
  const shell = readFileSync(`${staticRoot}/index.html`, 'utf8');

  await app.register(fastifyStatic, {
    root: [scriptRoot, staticRoot],
    prefix: '/assets/',
    // Swagger UI registers @fastify/static too; this instance needs no reply.sendFile.
    decorateReply: false,
    index: false,
    // Modules change with every build; the browser revalidates (ETag) instead of guessing.
    cacheControl: true,
    maxAge: 0,
    schemaHide: true,
  });

  for (const path of PAGE_PATHS) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell),
    );
  }
}
