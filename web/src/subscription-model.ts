/*
 * The webhook subscriptions API (docs/api.md, "Webhooks") as the portal reads it: the one place that knows its
 * field names. Pure (no DOM): unit-tested in test/web-unit.
 */
import { describeFilters, normaliseFilters, watchQuery, type WatchFilters } from './notifications.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead'];

export interface SubscriptionView {
  id: string;
  url: string;
  /** The stored /watch filters, as the API gives them. */
  filters: Record<string, string | boolean>;
  createdAt: string;
  /** Whoever created it (a username or token name), when the API says. */
  createdBy: string | null;
  /** False when its creator's token or account no longer runs it. */
  active: boolean;
}

export interface DeliveryView {
  id: string;
  /** Null for a test event. */
  messageId: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

export interface DeliveryPageView {
  items: DeliveryView[];
  nextCursor: string | null;
}

type Raw = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const time = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? new Date(v).toISOString() : null);

export function toSubscription(raw: unknown): SubscriptionView {
  const r = (raw ?? {}) as Raw;
  const by = r.createdBy as Raw | string | null | undefined;
  return {
    id: str(r.id) ?? '',
    url: str(r.url) ?? '',
    filters: rawFilters(r.filters),
    createdAt: time(r.createdAt) ?? '',
    createdBy: typeof by === 'string' ? by : by && typeof by === 'object' ? str(by.name) ?? str(by.id) : null,
    active: r.active !== false,
  };
}

function rawFilters(v: unknown): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v as Raw)) if (typeof x === 'string' || typeof x === 'boolean') out[k] = x;
  return out;
}

const FLAGS = ['othersOnly', 'securityRelevant', 'critical'] as const;

/**
 * Stored filters in words. The API keeps what was given (its defaults only when no filters were given at all),
 * so a flag that is absent is off: `{}` is everything the party may see.
 */
export function describeSubscriptionFilters(filters: Record<string, string | boolean>): string {
  const flags: Record<string, boolean> = {};
  for (const f of FLAGS) flags[f] = filters[f] === true || filters[f] === 'true';
  const text = describeFilters(normaliseFilters({ ...flags, srv: filters.srv, kind: filters.kind }));
  const extra = Object.entries(filters)
    .filter(([k]) => !(FLAGS as readonly string[]).includes(k) && k !== 'srv' && k !== 'kind')
    .map(([k, v]) => `${k} ${String(v)}`);
  return extra.length ? `${text}; ${extra.join(', ')}` : text;
}

export function toDelivery(raw: unknown): DeliveryView {
  const r = (raw ?? {}) as Raw;
  const status = str(r.status);
  return {
    id: str(r.id) ?? '',
    messageId: str(r.messageId),
    status: status === 'delivered' || status === 'dead' ? status : 'pending',
    attempts: num(r.attempts) ?? 0,
    lastStatus: num(r.lastStatus),
    lastError: str(r.lastError),
    createdAt: time(r.createdAt) ?? '',
    deliveredAt: time(r.deliveredAt),
    nextAttemptAt: time(r.nextAttemptAt),
  };
}

export function toDeliveryPage(raw: unknown): DeliveryPageView {
  const r = (raw ?? {}) as Raw;
  return { items: Array.isArray(r.items) ? r.items.map(toDelivery) : [], nextCursor: str(r.nextCursor) };
}

/** The list answer: `{items}` (or a bare array). */
export function toSubscriptionList(raw: unknown): SubscriptionView[] {
  const items = Array.isArray(raw) ? raw : Array.isArray((raw as Raw | null)?.items) ? ((raw as Raw).items as unknown[]) : [];
  return items.map(toSubscription);
}

/** The test endpoint's answer: the queued delivery, bare or as `{delivery}`. */
export function toTestResult(raw: unknown): DeliveryView | null {
  const r = (raw ?? {}) as Raw;
  const d = typeof r.delivery === 'object' && r.delivery !== null ? r.delivery : r;
  return typeof (d as Raw).id === 'string' ? toDelivery(d) : null;
}

/** The filters as the API stores them: the `/watch` query parameters (booleans as booleans). */
export function filtersBody(filters: WatchFilters): Record<string, string | boolean> {
  const body: Record<string, string | boolean> = {};
  for (const [k, v] of new URLSearchParams(watchQuery(filters))) body[k] = v === 'true' ? true : v === 'false' ? false : v;
  return body;
}

/** `POST /api/v1/subscriptions`'s body. */
export function createBody(url: string, secret: string, filters: WatchFilters): { url: string; secret: string; filters: Record<string, string | boolean> } {
  return { url: url.trim(), secret, filters: filtersBody(filters) };
}

/** A hex secret from random bytes (32 bytes: 64 characters). */
export function hexSecret(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** "HTTP 200", "HTTP 500: Internal Server Error", "connection refused", or "—". */
export function lastOutcome(d: Pick<DeliveryView, 'lastStatus' | 'lastError'>): string {
  // The error often restates the status ("HTTP 500"): said once.
  if (d.lastStatus !== null && d.lastError && !d.lastError.startsWith(`HTTP ${d.lastStatus}`)) return `HTTP ${d.lastStatus}: ${d.lastError}`;
  if (d.lastError) return d.lastError;
  if (d.lastStatus !== null) return `HTTP ${d.lastStatus}`;
  return '—';
}

/** What a queued test delivery came to, in words, or undefined while it is still on its way. */
export function testOutcome(d: DeliveryView): string | undefined {
  if (d.status === 'delivered') return `Test event delivered (${lastOutcome(d)}).`;
  if (d.status === 'dead') return `Test event failed for good: ${lastOutcome(d)}.`;
  if (d.attempts > 0 && (d.lastStatus !== null || d.lastError)) return `Test event not delivered yet: ${lastOutcome(d)}; it will be retried.`;
  return undefined;
}
