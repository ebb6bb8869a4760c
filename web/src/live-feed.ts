/*
 * The tab's one connection to the live feed (`GET /api/v1/watch`, Server-Sent Events): opened after login (and, for
 * an operator, after the reason: the EventSource cannot send headers, the `srvv_access_reason` cookie carries it),
 * closed at logout or when the session ends. It keeps the newest events in memory (EVENT_CAP), counts the unread
 * ones against the "last seen" position stored per user, and tells its listeners (the nav badge, the notification
 * centre) when anything changes. EventSource reconnects by itself and resends Last-Event-ID, so a dropped
 * connection loses nothing.
 */
import type { Session } from './api-types.js';
import { currentSession, loadSession } from './api.js';
import {
  addEvent, eventSentence, newestPosition, parseFeedEvent, parseStoredState, resumePosition, storageKey, unreadCount, watchQuery,
  type FeedEvent, type StoredState, type WatchFilters,
} from './notifications.js';

/**
 * `idle`: not started (logged out); `connecting`: the first connection is opening; `live`: open; `reconnecting`:
 * the connection dropped and EventSource is trying again; `ended`: the server ended it because the session
 * ended (log in again); `failed`: the server refused to open it (retried in RETRY_MS).
 */
export type FeedStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed';

const RETRY_MS = 30_000;
/** New events within this long are announced together. */
const ANNOUNCE_BATCH_MS = 1500;

type Listener = (change: { added: FeedEvent[] }) => void;

let source: EventSource | undefined;
let owner: string | undefined;
let key = '';
let state: StoredState = parseStoredState(null);
let status: FeedStatus = 'idle';
let events: FeedEvent[] = [];
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let announceTimer: ReturnType<typeof setTimeout> | undefined;
let pendingAnnouncements: FeedEvent[] = [];
/** Set while the notification centre is on screen: its announcements name the events. */
let centreOpen = false;
const listeners = new Set<Listener>();

export function feedStatus(): FeedStatus {
  return status;
}

/** The events in memory, newest first (do not modify). */
export function feedEvents(): readonly FeedEvent[] {
  return events;
}

export function feedFilters(): WatchFilters {
  return { ...state.filters };
}

export function lastSeen(): number | null {
  return state.lastSeen;
}

export function unread(): number {
  return unreadCount(events, state.lastSeen);
}

/** Calls `fn` on every change (events, status, unread); returns the unsubscribe function. */
export function onFeedChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Opens the feed for the logged-in user unless it is already open for them. */
export function startFeed(session: Session): void {
  const who = `${session.partyId}/${session.username}`;
  if (owner === who && status !== 'idle' && status !== 'ended') return;
  stopFeed();
  owner = who;
  key = storageKey(session.partyId, session.username);
  state = parseStoredState(safeGet(key));
  open(resumePosition(state, Date.now()));
}

/** Closes the feed and forgets the events (logout, session ended elsewhere). */
export function stopFeed(): void {
  source?.close();
  source = undefined;
  clearTimeout(retryTimer);
  clearTimeout(announceTimer);
  pendingAnnouncements = [];
  owner = undefined;
  events = [];
  setStatus('idle');
}

/** New filters: stored for the user, and the connection reopens with them (the events shown so far are cleared). */
export function setFeedFilters(filters: WatchFilters): void {
  state = { ...state, filters: { ...filters } };
  save();
  if (!owner) return;
  events = [];
  open(state.lastSeen ?? undefined);
}

/** The user looked at the centre: everything received so far is read. */
export function markAllSeen(): void {
  const newest = newestPosition(events, state.lastSeen);
  if (newest === state.lastSeen) return;
  state = { ...state, lastSeen: newest, lastSeenAt: Date.now() };
  save();
  emit([]);
}

/** Reconnects now (the centre's "Reconnect" button after a failure). */
export function reconnectFeed(): void {
  if (owner) open(events[0]?.seq ?? resumePosition(state, Date.now()));
}

export function setCentreOpen(value: boolean): void {
  centreOpen = value;
}

function open(resumeFrom: number | undefined): void {
  source?.close();
  clearTimeout(retryTimer);
  const url = `/api/v1/watch?${watchQuery(state.filters, { lastEventId: resumeFrom === undefined ? undefined : String(resumeFrom) })}`;
  const es = new EventSource(url);
  source = es;
  let opened = false;
  setStatus('connecting');
  es.onopen = () => {
    if (source !== es) return;
    opened = true;
    setStatus('live');
  };
  es.onmessage = (event) => {
    if (source !== es) return;
    const parsed = parseFeedEvent(event.lastEventId, String(event.data));
    if (!parsed || !addEvent(events, parsed)) return;
    queueAnnouncement(parsed);
    emit([parsed]);
  };
  es.addEventListener('end', () => {
    if (source !== es) return;
    // The server stops here because the credentials lapsed: do not let EventSource reconnect.
    es.close();
    setStatus('ended');
    // The app's idea of the session must follow, so that the login page offers the form again.
    void loadSession().catch(() => undefined);
  });
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CONNECTING) {
      setStatus('reconnecting');
      return;
    }
    // Closed: the server refused (not 200 text/event-stream): a stale resume point (400), the session is gone
    // (401), too many open watches (429), or a reason is missing.
    es.close();
    if (!opened && resumeFrom !== undefined && resumeFrom === state.lastSeen) {
      // The stored position may be ahead of this server's feed (a reset database): start at the head instead.
      state = { ...state, lastSeen: null, lastSeenAt: null };
      save();
      open(undefined);
      return;
    }
    void loadSession().then(
      (s) => {
        if (source !== es) return;
        if (!s) setStatus('ended');
        else {
          setStatus('failed');
          retryTimer = setTimeout(() => reconnectFeed(), RETRY_MS);
        }
      },
      () => {
        if (source !== es) return;
        setStatus('failed');
        retryTimer = setTimeout(() => reconnectFeed(), RETRY_MS);
      },
    );
  };
}

function setStatus(next: FeedStatus): void {
  if (status === next) return;
  status = next;
  emit([]);
}

function emit(added: FeedEvent[]): void {
  for (const fn of [...listeners]) fn({ added });
}

function save(): void {
  if (!key) return;
  try {
    localStorage.setItem(key, JSON.stringify(state));
  } catch {
    // storage full or disabled: the centre works for this tab anyway
  }
}

function safeGet(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    return null;
  }
}

/** The polite live region shared by every page (created once, outside the re-rendered header and main). */
export function announcer(): HTMLElement {
  let el = document.getElementById('live-announcer');
  if (!el) {
    el = document.createElement('div');
    el.id = 'live-announcer';
    el.className = 'visually-hidden';
    el.setAttribute('role', 'status');
    el.setAttribute('aria-live', 'polite');
    el.setAttribute('aria-atomic', 'true');
    document.body.appendChild(el);
  }
  return el;
}

function queueAnnouncement(event: FeedEvent): void {
  pendingAnnouncements.push(event);
  if (announceTimer !== undefined) return;
  announceTimer = setTimeout(() => {
    announceTimer = undefined;
    const batch = pendingAnnouncements;
    pendingAnnouncements = [];
    if (batch.length === 0 || !currentSession()) return;
    const n = unread();
    const text = centreOpen
      ? batch.length === 1
        ? `New event: ${eventSentence(batch[0]!.item)}.`
        : `${batch.length} new events.`
      : `${n} unread ${n === 1 ? 'notification' : 'notifications'}.`;
    announcer().textContent = text;
  }, ANNOUNCE_BATCH_MS);
}
