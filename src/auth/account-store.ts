import type { Kysely } from 'kysely';
import { AuthError } from '../errors.js';
import type { Db } from '../store/db-schema.js';
import { hashSecret, newToken, parseToken, TOKEN_SCOPES, type TokenScope } from './api-token.js';
import { hashPassword } from './passwords.js';

/** Portal roles: `viewer`; `admin` manages its party's users and tokens; `operator` (operator parties only) sees everything. */
export const ACCOUNT_ROLES = ['viewer', 'admin', 'operator'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/;
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,99}$/;
/** Shorter passwords are refused outright (NIST SP 800-63B asks for at least 8; we ask 12). */
export const MIN_PASSWORD_LENGTH = 12;

export interface Account {
  username: string;
  partyId: string;
  role: AccountRole;
  hasPassword: boolean;
}

export interface TokenInfo {
  id: string;
  name: string;
  scope: TokenScope;
  partyId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Who a valid token speaks for. */
export interface TokenPrincipal {
  tokenId: string;
  name: string;
  scope: TokenScope;
  partyId: string | null;
}

/** What the rest of the product uses of {@link KyselyAccountStore}. */
export type AccountStore = Pick<
  KyselyAccountStore,
  'addUser' | 'removeUser' | 'listUsers' | 'createToken' | 'revokeToken' | 'listTokens' | 'authenticateToken'
>;

/**
 * Accounts and API tokens in the store's database. Every input is checked here (the CLI and, later, the API
 * call the same methods); a failed check throws `AuthError` and changes nothing.
 */
export class KyselyAccountStore {
  readonly #db: Kysely<Db>;

  constructor(db: Kysely<Db>) {
    this.#db = db;
  }

  /** Adds a portal user of a party; `password` (optional: it can be set later) is stored as an scrypt hash. */
  async addUser(input: { partyId: string; username: string; role?: AccountRole; password?: string }, now = Date.now()): Promise<Account> {
    const role = input.role ?? 'viewer';
    if (!USERNAME.test(input.username)) throw invalid('username', 'must be 3 to 64 characters: letters, digits, . _ @ -, starting with a letter or digit');
    if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) throw invalid('role', `must be one of ${ACCOUNT_ROLES.join(', ')}`);
    if (input.password !== undefined && [...input.password].length < MIN_PASSWORD_LENGTH) {
      throw invalid('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const party = await this.#party(input.partyId);
    if (role === 'operator' && !party.operator) throw invalid('role', `operator accounts belong to an operator party; ${party.id} is not one`);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('accounts').select('username').where('username', '=', input.username).executeTakeFirst();
      if (existing) throw new AuthError('AUTH_CONFLICT', `a user named ${JSON.stringify(input.username)} already exists`);
      await trx
        .insertInto('accounts')
        .values({ username: input.username, party_id: party.id, role, password_hash: passwordHash, created_at: now, failed_logins: 0, locked_until: null })
        .execute();
      return { username: input.username, partyId: party.id, role, hasPassword: passwordHash !== null };
    });
  }

  /**
   * Removes a portal user and ends their sessions at once, in every process (a leaver's access goes with the
   * account). With `partyId`, a user of another party reads as not found. What the user did stays in the
   * access audit under their name; webhook subscriptions they created stop (they run only while their creator
   * belongs to the party). Returns the removed account.
   */
  async removeUser(username: string, partyId?: string): Promise<Account> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('accounts')
        .select(['username', 'party_id', 'role', 'password_hash'])
        .where('username', '=', username)
        .$if(partyId !== undefined, (qb) => qb.where('party_id', '=', partyId!))
        .executeTakeFirst();
      if (!row) throw new AuthError('AUTH_NOT_FOUND', `no user ${JSON.stringify(username)}${partyId === undefined ? '' : ` in party ${partyId}`}`);
      // Explicitly, not through ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
      await trx.deleteFrom('sessions').where('username', '=', username).execute();
      await trx.deleteFrom('accounts').where('username', '=', username).execute();
      return { username: row.username, partyId: row.party_id, role: row.role as AccountRole, hasPassword: row.password_hash !== null };
    });
  }

  /** Every user (never the password hashes), optionally of one party, by username. */
  async listUsers(partyId?: string): Promise<Account[]> {
    const rows = await this.#db
      .selectFrom('accounts')
      .select(['username', 'party_id', 'role', 'password_hash'])
      .$if(partyId !== undefined, (qb) => qb.where('party_id', '=', partyId!))
      .orderBy('username')
      .execute();
    return rows.map((r) => ({ username: r.username, partyId: r.party_id, role: r.role as AccountRole, hasPassword: r.password_hash !== null }));
  }

  /**
   * Creates a token and returns it with the secret, the only time it is ever shown. `read` tokens belong to a
   * party (they see what it sees); `ingest` and `reference` tokens may name the party whose feed they carry.
   */
  async createToken(
    input: { name: string; scope: TokenScope; partyId?: string; expiresInMs?: number },
    now = Date.now(),
  ): Promise<TokenInfo & { token: string }> {
    if (!TOKEN_NAME.test(input.name)) throw invalid('name', 'must be 1 to 100 characters: letters, digits, space . _ : @ -');
    if (!(TOKEN_SCOPES as readonly string[]).includes(input.scope)) throw invalid('scope', `must be one of ${TOKEN_SCOPES.join(', ')}`);
    if (input.scope === 'read' && input.partyId === undefined) throw invalid('party', 'a read token belongs to a party: give --party');
    if (input.expiresInMs !== undefined && !(input.expiresInMs > 0)) throw invalid('expires', 'must be a positive duration');
    const partyId = input.partyId === undefined ? null : (await this.#party(input.partyId)).id;
    const { id, token, secretHash } = newToken();
    const expiresAt = input.expiresInMs === undefined ? null : now + input.expiresInMs;
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('api_tokens').select('id').where('name', '=', input.name).executeTakeFirst();
      if (existing) throw new AuthError('AUTH_CONFLICT', `a token named ${JSON.stringify(input.name)} already exists`);
      await trx
        .insertInto('api_tokens')
        .values({ id, name: input.name, scope: input.scope, party_id: partyId, secret_hash: secretHash, created_at: now, expires_at: expiresAt, revoked_at: null })
        .execute();
      return { id, name: input.name, scope: input.scope, partyId, createdAt: new Date(now), expiresAt: expiresAt === null ? null : new Date(expiresAt), revokedAt: null, token };
    });
  }

  /** Revokes a token by name or id (idempotent: revoking twice keeps the first time). */
  async revokeToken(nameOrId: string, now = Date.now()): Promise<TokenInfo> {
    const row = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', nameOrId), eb('name', '=', nameOrId)]))
      .executeTakeFirst();
    if (!row) throw new AuthError('AUTH_NOT_FOUND', `no token named or with id ${JSON.stringify(nameOrId)}`);
    if (row.revoked_at === null) await this.#db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', row.id).execute();
    return toInfo({ ...row, revoked_at: row.revoked_at ?? now });
  }

  /** Every token (never the secrets), optionally of one party, newest first. */
  async listTokens(partyId?: string): Promise<TokenInfo[]> {
    const rows = await this.#db
      .selectFrom('api_tokens')
      .selectAll()
      .$if(partyId !== undefined, (qb) => qb.where('party_id', '=', partyId!))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toInfo);
  }

  /** Who a presented token speaks for, or `undefined` when it is malformed, unknown, revoked or expired. */
  async authenticateToken(token: string, now = Date.now()): Promise<TokenPrincipal | undefined> {
    const parsed = parseToken(token);
    if (!parsed) return undefined;
    const row = await this.#db.selectFrom('api_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst();
    if (!row || row.revoked_at !== null || (row.expires_at !== null && Number(row.expires_at) <= now)) return undefined;
    // Both are SHA-256 digests of equal length: comparing them leaks nothing about the secret.
    if (!hashSecret(parsed.secret).equals(Buffer.from(row.secret_hash))) return undefined;
    return { tokenId: row.id, name: row.name, scope: row.scope as TokenScope, partyId: row.party_id };
  }

  async #party(partyId: string): Promise<{ id: string; operator: boolean }> {
    const party = await this.#db.selectFrom('parties').select(['id', 'operator']).where('id', '=', partyId).executeTakeFirst();
    if (!party) throw invalid('party', `no party ${JSON.stringify(partyId)} (import it with srvv reference import first)`);
    return { id: party.id, operator: Boolean(party.operator) };
  }
}

function invalid(field: string, message: string): AuthError {
  return new AuthError('AUTH_INVALID_INPUT', `${field}: ${message}`);
}

function toInfo(row: { id: string; name: string; scope: string; party_id: string | null; created_at: unknown; expires_at: unknown; revoked_at: unknown }): TokenInfo {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as TokenScope,
    partyId: row.party_id,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: date(row.expires_at),
    revokedAt: date(row.revoked_at),
  };
}
