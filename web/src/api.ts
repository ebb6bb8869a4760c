/*
 * The portal's only way to the server: `fetch` to /api/v1 with the session cookie. It adds the CSRF token to
 * unsafe requests and the operator's reason to every request, and handles the answers every page shares:
 * 401 -> the login page ("your session has ended"), 400 API_ACCESS_REASON_REQUIRED -> the reason page.
 */
import type { Session } from './api-types.js';
import { currentUrl, navigate } from './router.js';

/** An answer that is not 2xx (or no answer: `status` 0), with the API's `{error, detail}`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** Seconds, from Retry-After on a 429. */
    readonly retryAfter: number | undefined = undefined,
    /** The app already went elsewhere (login or reason page): the page should just stop. */
    readonly handled = false,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

const REASON_KEY = 'srvv.accessReason';
/** Read by the server for sessions only (src/http/plugins/auth-plugin.ts); lets the CSV export link carry the reason. */
const REASON_COOKIE = 'srvv_access_reason';

let session: Session | null = null;

export function currentSession(): Session | null {
  return session;
}

/** Asks the server who is logged in (and gets the CSRF token); null when nobody is. */
export async function loadSession(): Promise<Session | null> {
  try {
    session = await request<Session>('/api/v1/session', { quiet401: true });
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) session = null;
    else throw err;
  }
  return session;
}

export async function login(username: string, password: string): Promise<Session> {
  // A reason belongs to one operator's session: a new login states its own.
  clearReason();
  session = await request<Session>('/api/v1/session', { method: 'POST', json: { username, password }, quiet401: true });
  return session;
}

export async function logout(): Promise<void> {
  try {
    await request('/api/v1/session', { method: 'DELETE', quiet401: true });
  } finally {
    session = null;
    clearReason();
  }
}

/** Operators only: the reason given on /reason for this browser tab. */
export function accessReason(): string | null {
  return sessionStorage.getItem(REASON_KEY);
}

export function setAccessReason(reason: string): void {
  sessionStorage.setItem(REASON_KEY, reason);
  document.cookie = `${REASON_COOKIE}=${encodeURIComponent(reason)}; path=/; SameSite=Strict`;
}

export function clearReason(): void {
  sessionStorage.removeItem(REASON_KEY);
  document.cookie = `${REASON_COOKIE}=; path=/; SameSite=Strict; max-age=0`;
}

export function isOperator(): boolean {
  return session?.role === 'operator';
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  json?: unknown;
  /** A 401 is the caller's to handle (login form, session probe), not a redirect. */
  quiet401?: boolean;
}

/** One API call; the parsed JSON body (undefined for 204). Throws ApiFailure. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session) headers['x-csrf-token'] = session.csrfToken;
  const reason = accessReason();
  if (reason) headers['x-access-reason'] = reason;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'the server could not be reached');
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => undefined)) as { error?: string; detail?: string } | undefined;
  if (res.ok) return body as T;
  const code = body?.error ?? `HTTP_${res.status}`;
  const detail = body?.detail ?? res.statusText;
  const retry = Number(res.headers.get('retry-after') ?? NaN);
  if (res.status === 401 && !options.quiet401) {
    session = null;
    navigate(`/login?ended=1&next=${encodeURIComponent(currentUrl())}`, { replace: true });
    throw new ApiFailure(401, code, detail, undefined, true);
  }
  if (code === 'API_ACCESS_REASON_REQUIRED') {
    clearReason();
    navigate(`/reason?next=${encodeURIComponent(currentUrl())}`, { replace: true });
    throw new ApiFailure(res.status, code, detail, undefined, true);
  }
  throw new ApiFailure(res.status, code, detail, Number.isFinite(retry) ? retry : undefined);
}

/** `path` with a query string from the defined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}
