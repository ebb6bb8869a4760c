import { isIP } from 'node:net';

/** Longest accepted webhook URL, characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Why `text` cannot be a webhook URL, or `undefined` when it can: `https://` to any host, or plain `http://`
 * only to a loopback address (127.0.0.0/8, ::1, `localhost`), for local testing. No credentials in the URL
 * (the signature authenticates the sender; the receiver needs no password in a URL that listings show), no
 * fragment.
 */
export function webhookUrlProblem(text: string): string | undefined {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.hash !== '' || text.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:') return url.hostname === '' ? 'has no host' : undefined;
  if (url.protocol === 'http:') {
    return isLoopback(url.hostname) ? undefined : 'must use https:// (plain http:// only to a loopback address: 127.0.0.0/8, [::1], localhost)';
  }
  return `must use https:// (not ${url.protocol}//)`;
}

/** The hostname as `URL` gives it (IPv6 in brackets; IPv4 already normalised, `127.1` -> `127.0.0.1`). */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost') return true;
  if (host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
