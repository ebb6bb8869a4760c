import type { FastifyInstance } from 'fastify';
import { ACCOUNT_ROLES, type TokenInfo } from '../../../auth/account-store.js';
import { parseDuration, TOKEN_SCOPES, type TokenScope } from '../../../auth/api-token.js';
import { ApiError, AuthError } from '../../../errors.js';
import type { MessageStore } from '../../../store/message-store.js';
import { isoOrNull } from '../../../views/message-views.js';
import { errorResponses, TOKEN_PROPERTIES } from '../../schemas/api-schemas.js';

export interface AdminRoutesOptions {
  store: MessageStore;
}

const ADMIN = { access: 'admin' as const };
const security = [{ sessionCookie: [] }];

function tokenBody(t: TokenInfo) {
  return { id: t.id, name: t.name, scope: t.scope, partyId: t.partyId, createdAt: t.createdAt.toISOString(), expiresAt: isoOrNull(t.expiresAt), revokedAt: isoOrNull(t.revokedAt) };
}

/**
 * A party admin manages its own party's users and tokens (portal sessions only: a token cannot mint tokens).
 * Everything is confined to the admin's party; another party's token reads as not found.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { store } = options;
  const partyOf = (request: { principal?: { partyId: string | null } }) => request.principal!.partyId!;

  /** `GET /api/v1/users` — the users of the admin's party. */
  app.get(
    '/api/v1/users',
    {
      config: ADMIN,
      schema: {
        summary: "The party's users",
        tags: ['administration'],
        security,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'User#' } } }, required: ['items'] }, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ items: await store.accounts.listUsers(partyOf(request)) }),
  );

  /** `POST /api/v1/users` — adds a `viewer` or `admin` to the admin's party. 201; 409 when the username is taken. */
  app.post<{ Body: { username: string; role?: 'viewer' | 'admin'; password: string } }>(
    '/api/v1/users',
    {
      config: ADMIN,
      schema: {
        summary: 'Add a user to the party',
        tags: ['administration'],
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 3, maxLength: 64 },
            role: { type: 'string', enum: ACCOUNT_ROLES.filter((r) => r !== 'operator'), default: 'viewer' },
            password: { type: 'string', minLength: 12, maxLength: 1024 },
          },
          required: ['username', 'password'],
        },
        response: { 201: { $ref: 'User#' }, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const user = await store.accounts.addUser({ partyId: partyOf(request), username: request.body.username, role: request.body.role ?? 'viewer', password: request.body.password });
      return reply.status(201).send(user);
    },
  );

  /**
   * `DELETE /api/v1/users/{username}` — removes a user of the admin's party; their sessions end at once. 200 with
   * the removed user; 404 for a user of any other party; 409 for the admin's own account (another admin of the
   * party, or `srvv users remove`, can do that), so a party is never left without an admin by accident.
   */
  app.delete<{ Params: { username: string } }>(
    '/api/v1/users/:username',
    {
      config: ADMIN,
      schema: {
        summary: 'Remove a user of the party',
        tags: ['administration'],
        security,
        params: { type: 'object', properties: { username: { type: 'string', minLength: 3, maxLength: 64 } }, required: ['username'] },
        response: { 200: { $ref: 'User#' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const principal = request.principal!;
      if (principal.kind === 'user' && request.params.username === principal.username) {
        throw new AuthError('AUTH_CONFLICT', 'an admin cannot remove their own account: ask another admin of the party');
      }
      return store.accounts.removeUser(request.params.username, partyOf(request));
    },
  );

  /** `GET /api/v1/tokens` — the party's tokens (never their secrets). */
  app.get(
    '/api/v1/tokens',
    {
      config: ADMIN,
      schema: {
        summary: "The party's API tokens",
        tags: ['administration'],
        security,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Token#' } } }, required: ['items'] }, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ items: (await store.accounts.listTokens(partyOf(request))).map(tokenBody) }),
  );

  /**
   * `POST /api/v1/tokens` — a new token of the admin's party: `{name, scope, expires?}` (`90d`, `12h`, `30m`).
   * 201 with the token's secret in `token`, the only time it is ever shown.
   */
  app.post<{ Body: { name: string; scope: TokenScope; expires?: string } }>(
    '/api/v1/tokens',
    {
      config: ADMIN,
      schema: {
        summary: 'Create an API token',
        tags: ['administration'],
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scope: { type: 'string', enum: [...TOKEN_SCOPES] },
            expires: { type: 'string', pattern: '^[1-9][0-9]{0,5}[dhm]$', description: 'Lifetime, e.g. 90d, 12h, 30m; none: no expiry' },
          },
          required: ['name', 'scope'],
        },
        response: {
          201: { type: 'object', properties: { token: { type: 'string', description: 'The secret: shown once' }, ...TOKEN_PROPERTIES }, required: ['token', 'id', 'name', 'scope', 'partyId', 'createdAt', 'expiresAt', 'revokedAt'] },
          ...errorResponses(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const expiresInMs = request.body.expires === undefined ? undefined : parseDuration(request.body.expires);
      if (request.body.expires !== undefined && expiresInMs === undefined) throw new ApiError('API_INVALID_PARAMETER', `expires: ${request.body.expires} is not a duration`);
      const created = await store.accounts.createToken({
        name: request.body.name,
        scope: request.body.scope,
        partyId: partyOf(request),
        ...(expiresInMs !== undefined ? { expiresInMs } : {}),
      });
      return reply.status(201).send({ token: created.token, ...tokenBody(created) });
    },
  );

  /** `DELETE /api/v1/tokens/{id}` — revokes one of the party's tokens (idempotent); 404 for any other token. */
  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: ADMIN,
      schema: {
        summary: 'Revoke an API token',
        tags: ['administration'],
        security,
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{12}$' } }, required: ['id'] },
        response: { 200: { $ref: 'Token#' }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const own = (await store.accounts.listTokens(partyOf(request))).some((t) => t.id === request.params.id);
      if (!own) throw new AuthError('AUTH_NOT_FOUND', `no token ${request.params.id} in party ${partyOf(request)}`);
      return tokenBody(await store.accounts.revokeToken(request.params.id));
    },
  );
}
