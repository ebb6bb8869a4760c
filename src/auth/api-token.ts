import { createHash, randomBytes } from 'node:crypto';

/** What a token may be used for (issue 4): reading as a party, feeding messages, feeding reference data. */
export const TOKEN_SCOPES = ['read', 'ingest', 'reference'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * Tokens read `srvv_<id>_<secret>`: the id (12 hex digits, also shown in listings and usable to revoke) finds
 * the row; the 32-byte secret is only ever kept as its SHA-256. The prefix makes leaked tokens easy to grep
 * for in logs and repositories.
 */
export interface NewToken {
  id: string;
  token: string;
  secretHash: Buffer;
}

export function newToken(): NewToken {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `srvv_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a presented token, or `undefined` when it is not one of ours. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const match = /^srvv_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token.trim());
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Milliseconds in a duration like `90d`, `12h`, `30m`; `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,5})([dhm])$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}
