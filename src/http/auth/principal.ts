import type { AccountRole } from '../../auth/account-store.js';
import type { TokenScope } from '../../auth/api-token.js';
import type { AuditActor } from '../../audit/access-audit.js';

/** Who sent a request: a logged-in portal user (session cookie) or an API token (Bearer). */
export type Principal =
  | { kind: 'user'; username: string; partyId: string; role: AccountRole; csrfToken: string; expiresAt: Date }
  | { kind: 'token'; tokenId: string; name: string; partyId: string | null; scope: TokenScope };

/**
 * What a route needs, declared in its `config.access` (every `/api/v1` route must declare one; see
 * auth-plugin.ts):
 * - `public`: nobody needs to authenticate (the OpenAPI document, the login itself);
 * - `read`: a `read` token or any logged-in user; the request gets the party's view, and an operator view
 *   needs `X-Access-Reason`;
 * - `ingest`, `reference`: a token of that scope (machine feeds; no browser session may write them);
 * - `session`: any logged-in user (their own session);
 * - `admin`: a logged-in `admin` of a party (its users and tokens);
 * - `audit`: a logged-in `admin` (its party's accesses) or `operator` (everyone's); states a reason as `read`.
 */
export type Access = 'public' | 'read' | 'ingest' | 'reference' | 'session' | 'admin' | 'audit';

export const ACCESS_LEVELS: readonly Access[] = ['public', 'read', 'ingest', 'reference', 'session', 'admin', 'audit'];

/** Key for rate limits and logs: one bucket per token, per user. */
export function principalKey(p: Principal): string {
  return p.kind === 'user' ? `user:${p.username}` : `token:${p.tokenId}`;
}

/** How the access audit names the principal. */
export function auditActor(p: Principal): AuditActor {
  return p.kind === 'user'
    ? { kind: 'user', id: p.username, name: p.username, partyId: p.partyId, role: p.role }
    : { kind: 'token', id: p.tokenId, name: p.name, partyId: p.partyId, role: p.scope };
}
