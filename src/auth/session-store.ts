import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../store/db-schema.js';
import type { AccountRole } from './account-store.js';
import { hashSecret } from './api-token.js';
import { hashPassword, verifyPassword } from './passwords.js';

/** Sessions end after this long without a request… */
export const SESSION_IDLE_MS = 30 * 60_000;
/** …and this long after login, whatever happens. */
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
/** `last_seen_at` is written at most this often, so a busy session does not cost a write per request. */
const TOUCH_EVERY_MS = 60_000;

/** Failures allowed before backoff starts; then each failure doubles the wait, from 1 s up to {@link MAX_LOCK_MS}. */
export const FREE_LOGIN_FAILURES = 5;
export const MAX_LOCK_MS = 15 * 60_000;

/** A logged-in portal user, as a request sees them. */
export interface SessionPrincipal {
  username: string;
  partyId: string;
  role: AccountRole;
  /** The synchronizer token unsafe requests of this session must echo (`X-CSRF-Token` or a `_csrf` form field). */
  csrfToken: string;
  expiresAt: Date;
}

export type LoginResult =
  | { ok: true; session: string; principal: SessionPrincipal }
  /** Wrong username or password: deliberately not saying which. */
  | { ok: false; reason: 'invalid' }
  /** Too many failures: no password is checked until `retryAfterMs` has passed. */
  | { ok: false; reason: 'locked'; retryAfterMs: number };

// Verifying against this when the username is unknown makes both failures cost the same time.
let dummyHash: Promise<string> | undefined;

/**
 * Password logins with backoff, and browser sessions kept in the database (shared by every process; logout
 * and expiry apply everywhere at once). The session secret goes to the browser in a cookie; only its SHA-256
 * is stored.
 */
export class KyselySessionStore {
  readonly #db: Kysely<Db>;

  constructor(db: Kysely<Db>) {
    this.#db = db;
  }

  /**
   * Checks a password and opens a session. After {@link FREE_LOGIN_FAILURES} consecutive failures an account
   * is locked for 1 s, then 2 s, 4 s … up to {@link MAX_LOCK_MS}; while locked, no password is even checked,
   * so guessing gains nothing. A success resets the count. The count lives in the account row, so the
   * backoff holds across processes.
   */
  async login(username: string, password: string, now = Date.now()): Promise<LoginResult> {
    const account = await this.#db.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
    if (!account || account.password_hash === null) {
      await verifyPassword(password, await (dummyHash ??= hashPassword('not a password of anyone')));
      return { ok: false, reason: 'invalid' };
    }
    const lockedUntil = account.locked_until === null ? 0 : Number(account.locked_until);
    if (lockedUntil > now) return { ok: false, reason: 'locked', retryAfterMs: lockedUntil - now };
    if (!(await verifyPassword(password, account.password_hash))) {
      const failures = account.failed_logins + 1;
      const lockMs = failures > FREE_LOGIN_FAILURES ? Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_LOGIN_FAILURES - 1)) : 0;
      await this.#db
        .updateTable('accounts')
        .set({ failed_logins: failures, locked_until: lockMs ? now + lockMs : null })
        .where('username', '=', username)
        .execute();
      return lockMs ? { ok: false, reason: 'locked', retryAfterMs: lockMs } : { ok: false, reason: 'invalid' };
    }
    const session = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = now + SESSION_ABSOLUTE_MS;
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('accounts').set({ failed_logins: 0, locked_until: null }).where('username', '=', username).execute();
      // Housekeeping: every session that can no longer be used, of anyone: past its absolute lifetime or idle
      // too long (`last_seen_at` may lag a request by up to TOUCH_EVERY_MS, never by the idle limit).
      await trx
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - SESSION_IDLE_MS)]))
        .execute();
      await trx
        .insertInto('sessions')
        .values({ id_hash: hashSecret(session), username, csrf_token: csrfToken, created_at: now, last_seen_at: now, expires_at: expiresAt })
        .execute();
    });
    return {
      ok: true,
      session,
      principal: { username, partyId: account.party_id, role: account.role as AccountRole, csrfToken, expiresAt: new Date(expiresAt) },
    };
  }

  /** Who a session cookie speaks for, or `undefined` when it is unknown, idle too long or past its lifetime. */
  async authenticate(session: string, now = Date.now()): Promise<SessionPrincipal | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(session)) return undefined;
    const idHash = hashSecret(session);
    const row = await this.#db
      .selectFrom('sessions as s')
      .innerJoin('accounts as a', 'a.username', 's.username')
      .select(['s.username', 's.csrf_token', 's.last_seen_at', 's.expires_at', 'a.party_id', 'a.role'])
      .where('s.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const lastSeen = Number(row.last_seen_at);
    const expiresAt = Math.min(Number(row.expires_at), lastSeen + SESSION_IDLE_MS);
    if (expiresAt <= now) {
      await this.#db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
      return undefined;
    }
    if (now - lastSeen >= TOUCH_EVERY_MS) await this.#db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
    return {
      username: row.username,
      partyId: row.party_id,
      role: row.role as AccountRole,
      csrfToken: row.csrf_token,
      expiresAt: new Date(Math.min(Number(row.expires_at), now + SESSION_IDLE_MS)),
    };
  }

  /** Ends a session (idempotent). */
  async logout(session: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(session)) return;
    await this.#db.deleteFrom('sessions').where('id_hash', '=', hashSecret(session)).execute();
  }
}

/** What the rest of the product uses of {@link KyselySessionStore}. */
export type SessionStore = Pick<KyselySessionStore, 'login' | 'authenticate' | 'logout'>;
