/*
 * The notification centre's state, without the DOM: the live feed's filters <-> the /watch query, the stored
 * per-user state ("last seen" feed position, filters), and the capped, newest-first list of events with its unread
 * count. Pure: unit-tested in test/web-unit.
 */
import type { MessageItem } from './api-types.js';

/** The filters of `GET /api/v1/watch` the centre offers. The API's defaults: othersOnly and securityRelevant on. */
export interface WatchFilters {
  othersOnly: boolean;
  securityRelevant: boolean;
  critical: boolean;
  /** A ServiceReferenceVariant (`6.15.1`), or absent. */
  srv?: string;
  /** A message kind, or absent. */
  kind?: string;
}

export const DEFAULT_WATCH_FILTERS: Readonly<WatchFilters> = Object.freeze({ othersOnly: true, securityRelevant: true, critical: false });

/** How many events the centre keeps in memory (the oldest go first). */
export const EVENT_CAP = 200;
/** A stored "last seen" older than this is not resumed from at login: the centre starts at the feed's head. */
export const CATCH_UP_MS = 24 * 60 * 60 * 1000;

const KINDS = new Set(['request', 'acknowledgement', 'response', 'device-alert', 'dcc-alert']);
const VARIANT = /^\d{1,3}(?:\.\d{1,3}){0,3}$/;
const POSITION = /^[0-9]{1,15}$/;

/**
 * The /watch query string (without `?`) for filters: othersOnly and securityRelevant always spelled out (their API
 * default is true, so `false` must be sent), critical only when on, srv and kind when set; then `extra`.
 */
export function watchQuery(filters: WatchFilters, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  params.set('othersOnly', String(filters.othersOnly));
  params.set('securityRelevant', String(filters.securityRelevant));
  if (filters.critical) params.set('critical', 'true');
  if (filters.srv) params.set('srv', filters.srv);
  if (filters.kind) params.set('kind', filters.kind);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, v);
  return params.toString();
}

/** Filters from anything stored or typed: unknown values fall back to the defaults, bad srv/kind are dropped. */
export function normaliseFilters(value: unknown): WatchFilters {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const flag = (name: 'othersOnly' | 'securityRelevant' | 'critical') =>
    typeof v[name] === 'boolean' ? (v[name] as boolean) : v[name] === 'true' ? true : v[name] === 'false' ? false : DEFAULT_WATCH_FILTERS[name];
  const filters: WatchFilters = { othersOnly: flag('othersOnly'), securityRelevant: flag('securityRelevant'), critical: flag('critical') };
  if (typeof v.srv === 'string' && VARIANT.test(v.srv.trim())) filters.srv = v.srv.trim();
  if (typeof v.kind === 'string' && KINDS.has(v.kind)) filters.kind = v.kind;
  return filters;
}

/** Words for filters, e.g. "other users' security-relevant requests for SRV 7.2". */
export function describeFilters(filters: WatchFilters): string {
  const parts: string[] = [];
  parts.push(filters.othersOnly ? "other users'" : 'all users\'');
  if (filters.critical) parts.push('critical');
  if (filters.securityRelevant) parts.push('security-relevant');
  parts.push(filters.kind ? `${filters.kind} messages` : 'messages');
  if (filters.srv) parts.push(`for SRV ${filters.srv}`);
  return parts.join(' ');
}

/** What the centre keeps per user in localStorage. */
export interface StoredState {
  /** The newest feed position the user has seen in the centre. */
  lastSeen: number | null;
  /** When it was set (epoch ms). */
  lastSeenAt: number | null;
  filters: WatchFilters;
}

/** The localStorage key of a user's centre (users of different parties may share a browser profile). */
export function storageKey(partyId: string, username: string): string {
  return `srvv.notifications.${encodeURIComponent(partyId)}.${encodeURIComponent(username)}`;
}

/** Reads stored JSON text defensively: anything unreadable is the empty state. */
export function parseStoredState(text: string | null): StoredState {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed === 'object' && parsed !== null) raw = parsed as Record<string, unknown>;
  } catch {
    // a corrupt entry is the empty state
  }
  const lastSeen = typeof raw.lastSeen === 'number' && Number.isSafeInteger(raw.lastSeen) && raw.lastSeen >= 0 ? raw.lastSeen : null;
  const lastSeenAt = typeof raw.lastSeenAt === 'number' && Number.isFinite(raw.lastSeenAt) ? raw.lastSeenAt : null;
  return { lastSeen, lastSeenAt: lastSeen === null ? null : lastSeenAt, filters: normaliseFilters(raw.filters) };
}

/** Where a new connection resumes: the stored "last seen" when it is recent enough, else the feed's head. */
export function resumePosition(state: StoredState, now: number): number | undefined {
  if (state.lastSeen === null || state.lastSeenAt === null) return undefined;
  return now - state.lastSeenAt <= CATCH_UP_MS ? state.lastSeen : undefined;
}

/** One received event: its feed position and the /messages item. */
export interface FeedEvent {
  seq: number;
  item: MessageItem;
}

/** An SSE `message` event's id and data as a FeedEvent; undefined when either is unreadable. */
export function parseFeedEvent(lastEventId: string, data: string): FeedEvent | undefined {
  if (!POSITION.test(lastEventId)) return undefined;
  try {
    const item = JSON.parse(data) as MessageItem;
    if (typeof item !== 'object' || item === null || typeof item.id !== 'string' || !Array.isArray(item.deviceIds)) return undefined;
    return { seq: Number(lastEventId), item };
  } catch {
    return undefined;
  }
}

/**
 * `events` (newest first) with `event` added in its place; a position already held is not added twice; at most
 * `cap` kept. Returns whether it was added.
 */
export function addEvent(events: FeedEvent[], event: FeedEvent, cap = EVENT_CAP): boolean {
  let at = 0;
  while (at < events.length && events[at]!.seq > event.seq) at++;
  if (at < events.length && events[at]!.seq === event.seq) return false;
  events.splice(at, 0, event);
  if (events.length > cap) events.length = cap;
  return at < events.length;
}

/** Events the user has not seen: positions after `lastSeen` (all of them when nothing was seen yet). */
export function unreadCount(events: readonly FeedEvent[], lastSeen: number | null): number {
  if (lastSeen === null) return events.length;
  let n = 0;
  for (const e of events) if (e.seq > lastSeen) n++;
  return n;
}

/** The newest position of events and `lastSeen` (what "mark all as read" stores). */
export function newestPosition(events: readonly FeedEvent[], lastSeen: number | null): number | null {
  const newest = events[0]?.seq ?? null;
  if (newest === null) return lastSeen;
  return lastSeen === null ? newest : Math.max(newest, lastSeen);
}

/** A short sentence about an event, for the live region: "request 7.2 Disable Supply by another user, device …". */
export function eventSentence(item: MessageItem): string {
  const what = [item.kind, item.srv ?? '', item.srvName ?? ''].filter(Boolean).join(' ');
  const who = item.own ? 'by your organisation' : 'by another user';
  const devices = item.deviceIds.length ? `, device ${item.deviceIds.join(', ')}` : '';
  return `${what} ${who}${devices}`;
}
