/* Page paths and redirects. Pure (no DOM): unit-tested in test/web-unit. */

/**
 * Parameters of `path` against a pattern such as `/devices/:deviceId`; `undefined` when it does not match.
 * Parameters are URI-decoded; a parameter that does not decode does not match.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const have = path.replace(/\/+$/, '').split('/');
  if (pattern === '/' ) return path === '/' || path === '' ? {} : undefined;
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) {
      if (!h) return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return undefined;
      }
    } else if (w !== h) return undefined;
  }
  return params;
}

/**
 * Where to go after logging in or giving a reason: `next` when it is a path on this site (starts with one `/`,
 * not a protocol-relative `//host` or `/\host`), otherwise `fallback`. Stops open redirects through `?next=`.
 */
export function safeNext(next: string | null | undefined, fallback = '/search'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}

/** Operator reasons as the API accepts them: 3 to 500 characters without control characters, trimmed. */
export function isValidReason(text: string): boolean {
  return /^[^\p{Cc}]{3,500}$/u.test(text.trim());
}
