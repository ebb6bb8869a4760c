import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, AuthError } from '../../errors.js';
import type { MessageStore, PartyView } from '../../store/message-store.js';
import { ACCESS_LEVELS, type Access, type Principal } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (see `Access`); required on every `/api/v1` route. */
    access?: Access;
  }
  interface FastifyRequest {
    /** Set by the auth plugin on every authenticated route. */
    principal?: Principal;
    /** The caller's party view, on `read` and `audit` routes. */
    view?: PartyView;
    /** The operator's stated reason (`X-Access-Reason`), when the view is an operator's. */
    accessReason?: string;
  }
}

/** The browser session cookie. HttpOnly and SameSite=Lax always; Secure whenever the request came over TLS. */
export const SESSION_COOKIE = 'srvv_session';
/**
 * An operator's stated reason, set by the portal (docs/portal.md) so that plain navigations (the CSV export
 * link) carry it too. Accepted from sessions only; `X-Access-Reason` wins when both are present.
 */
export const ACCESS_REASON_COOKIE = 'srvv_access_reason';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REASON = /^[^\p{Cc}]{3,500}$/u;

export interface AuthPluginOptions {
  store: MessageStore;
}

/**
 * Authentication and authorisation for every `/api/v1` route, by the route's `config.access`:
 * - a route under `/api/v1` without `config.access` refuses to register (nothing is open by omission);
 * - `onRequest` (before any body is read): the Bearer token or session cookie is checked, then the access level;
 *   `read`/`audit` routes get the caller's party view, and an operator view needs `X-Access-Reason` (a session may give it in the `srvv_access_reason` cookie instead);
 * - `preHandler` (after the body is parsed): unsafe methods of a session must carry its CSRF token, in the
 *   `X-CSRF-Token` header or a `_csrf` form field (synchronizer token; the SameSite cookie is the first line).
 */
export const authPlugin = fp(async (app: FastifyInstance, options: AuthPluginOptions) => {
  const { store } = options;
  await app.register(fastifyCookie);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (route.url.startsWith('/api/v1') && (access === undefined || !ACCESS_LEVELS.includes(access))) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no config.access`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    const principal = await authenticate(request, reply);
    request.principal = principal;
    authorise(principal, access, `${request.method} ${request.routeOptions.url}`);
    if (access === 'read' || access === 'audit') {
      const view = await store.forParty(principal.partyId!);
      request.view = view;
      if (view.operator) {
        const header = request.headers['x-access-reason'];
        const cookie = principal.kind === 'user' ? request.cookies[ACCESS_REASON_COOKIE] : undefined;
        const reason = typeof header === 'string' ? header : cookie;
        const text = typeof reason === 'string' ? reason.trim() : '';
        if (!REASON.test(text)) {
          throw new ApiError(
            'API_ACCESS_REASON_REQUIRED',
            text ? 'X-Access-Reason must be 3 to 500 characters without control characters' : 'operator reads need a reason: send X-Access-Reason (e.g. a ticket reference)',
          );
        }
        request.accessReason = text;
      }
    }
  });

  app.addHook('preHandler', async (request) => {
    const principal = request.principal;
    if (principal?.kind !== 'user' || SAFE_METHODS.has(request.method)) return;
    const header = request.headers['x-csrf-token'];
    const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    const presented = typeof header === 'string' ? header : typeof field === 'string' ? field : '';
    if (!sameSecret(presented, principal.csrfToken)) {
      throw new AuthError('AUTH_CSRF', 'this session must send its CSRF token (from GET /api/v1/session) in X-CSRF-Token');
    }
  });

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      const token = match ? await store.accounts.authenticateToken(match[1]!) : undefined;
      if (!token) {
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw new AuthError('AUTH_REQUIRED', match ? 'the token is not valid: unknown, expired or revoked' : 'Authorization must be "Bearer <token>"');
      }
      return { kind: 'token', tokenId: token.tokenId, name: token.name, partyId: token.partyId, scope: token.scope };
    }
    const session = request.cookies[SESSION_COOKIE];
    if (session !== undefined) {
      const user = await store.sessions.authenticate(session);
      if (user) return { kind: 'user', ...user };
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      throw new AuthError('AUTH_REQUIRED', 'the session has ended: log in again');
    }
    reply.header('www-authenticate', 'Bearer');
    throw new AuthError('AUTH_REQUIRED');
  }
});

/** Throws `AUTH_FORBIDDEN` naming what the route needs when the principal may not call it. */
function authorise(p: Principal, access: Access, route: string): void {
  const refuse = (needs: string) => {
    const has = p.kind === 'token' ? `a ${p.scope} token` : `a ${p.role} session`;
    throw new AuthError('AUTH_FORBIDDEN', `${route} needs ${needs}; this request has ${has}`);
  };
  switch (access) {
    case 'read':
      if (p.kind === 'token' && (p.scope !== 'read' || p.partyId === null)) refuse('a read token or a portal session');
      return;
    case 'ingest':
    case 'reference':
      if (p.kind !== 'token' || p.scope !== access) refuse(`a token with scope ${access}`);
      return;
    case 'session':
      if (p.kind !== 'user') refuse('a portal session');
      return;
    case 'admin':
      if (p.kind !== 'user' || p.role !== 'admin') refuse("a party admin's session");
      return;
    case 'audit':
      if (p.kind !== 'user' || (p.role !== 'admin' && p.role !== 'operator')) refuse("a party admin's or an operator's session");
      return;
    case 'public':
      return;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
