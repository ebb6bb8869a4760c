import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../../errors.js';
import type { MessageStore } from '../../../store/message-store.js';
import { SESSION_COOKIE } from '../../plugins/auth-plugin.js';
import { errorResponses } from '../../schemas/api-schemas.js';

export interface SessionRoutesOptions {
  store: MessageStore;
  /** Login attempts per client address per minute (on top of the per-account backoff). */
  loginRateLimit: number;
}

const sessionBody = (p: { username: string; partyId: string; role: string; csrfToken: string; expiresAt: Date }) => ({
  username: p.username,
  partyId: p.partyId,
  role: p.role,
  csrfToken: p.csrfToken,
  expiresAt: p.expiresAt.toISOString(),
});

/**
 * Portal logins. A session is a random secret in an HttpOnly, SameSite=Lax cookie (Secure when the request came
 * over TLS, directly or through a proxy trusted with `trustProxy`; plain http://127.0.0.1 and http://localhost
 * work for local use). Unsafe requests of a session must echo its CSRF token (see auth-plugin.ts).
 */
export async function sessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): Promise<void> {
  const { store } = options;

  /**
   * `POST /api/v1/session` — log in with `username` and `password` (JSON or an HTML form). 200 with the session
   * (and its CSRF token) and the cookie set; 401 `AUTH_LOGIN_FAILED` for a wrong username or password (which one
   * is not said); 429 `AUTH_LOCKED` with Retry-After during the backoff after repeated failures.
   */
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/session',
    {
      config: { access: 'public', rateLimit: { max: options.loginRateLimit, timeWindow: 60_000 } },
      schema: {
        summary: 'Log in',
        tags: ['session'],
        security: [],
        body: {
          type: 'object',
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
          required: ['username', 'password'],
        },
        response: { 200: { $ref: 'Session#' }, ...errorResponses(400, 401, 403, 415, 429) },
      },
    },
    async (request, reply) => {
      refuseCrossSiteLogin(request);
      const result = await store.sessions.login(request.body.username, request.body.password);
      if (!result.ok) {
        if (result.reason === 'locked') {
          const seconds = Math.ceil(result.retryAfterMs / 1000);
          reply.header('retry-after', String(seconds));
          throw new AuthError('AUTH_LOCKED', `too many failed logins for this account: try again in ${seconds} s`);
        }
        throw new AuthError('AUTH_LOGIN_FAILED');
      }
      setSessionCookie(request, reply, result.session, result.principal.expiresAt);
      return sessionBody(result.principal);
    },
  );

  /** `GET /api/v1/session` — who is logged in, with the session's CSRF token. */
  app.get(
    '/api/v1/session',
    {
      config: { access: 'session' },
      schema: { summary: 'The current session', tags: ['session'], security: [{ sessionCookie: [] }], response: { 200: { $ref: 'Session#' }, ...errorResponses(401, 403) } },
    },
    async (request) => {
      const p = request.principal!;
      if (p.kind !== 'user') throw new AuthError('AUTH_FORBIDDEN');
      return sessionBody(p);
    },
  );

  /** `DELETE /api/v1/session` — log out: the session ends everywhere and the cookie is cleared. 204. */
  app.delete(
    '/api/v1/session',
    {
      config: { access: 'session' },
      schema: { summary: 'Log out', tags: ['session'], security: [{ sessionCookie: [] }], response: { 204: { description: 'Logged out', type: 'null' }, ...errorResponses(401, 403) } },
    },
    async (request, reply) => {
      const session = request.cookies[SESSION_COOKIE];
      if (session) await store.sessions.logout(session);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, session, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    expires: expiresAt,
  });
}

/**
 * Login CSRF: a browser always sends Origin on a cross-site POST; a login from another site is refused (a
 * script or curl sends no Origin and is not a browser being tricked).
 */
function refuseCrossSiteLogin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new AuthError('AUTH_CSRF', `Origin ${JSON.stringify(origin)} is not a URL`);
  }
  if (host !== request.host) throw new AuthError('AUTH_CSRF', `a login from ${origin} is not accepted by ${request.host}`);
}
