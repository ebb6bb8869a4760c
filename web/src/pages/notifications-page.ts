/*
 * `/notifications`: the notification centre. The tab's live feed (live-feed.ts) holds the events; this page shows
 * them newest first, adds new ones at the top as they arrive, marks those after the "last seen" position as new,
 * and lets the user change the feed's filters. Opening the page marks everything received so far as read (the
 * badge counts what arrived since, on this page too, until "Mark all as read" or the next visit).
 */
import { append, badge, h, replace } from '../dom.js';
import {
  announcer, feedEvents, feedFilters, feedStatus, lastSeen, markAllSeen, onFeedChange, reconnectFeed, setCentreOpen, setFeedFilters, type FeedStatus,
} from '../live-feed.js';
import { deviceLink, messageBadges } from '../message-table.js';
import { describeFilters, EVENT_CAP, type FeedEvent } from '../notifications.js';
import type { PageContext } from '../router.js';
import { formatTime } from '../timeline.js';
import { watchFields } from '../watch-fields.js';

const STATUS_TEXT: Record<FeedStatus, string> = {
  idle: 'Not connected.',
  connecting: 'opening the live feed…',
  live: 'new events appear here as they are stored.',
  reconnecting: 'the connection dropped; nothing is lost, the feed resumes where it stopped.',
  ended: 'the live feed stopped because your session ended.',
  failed: 'the server did not open the live feed; trying again in 30 seconds.',
};

export function notificationsPage(context: PageContext): void {
  const { root } = context;
  // Everything up to now counts as seen; what arrives while the page is open is marked new.
  const baseline = lastSeen();
  markAllSeen();
  setCentreOpen(true);

  const statusBox = h('div', { class: 'feed-status', id: 'feed-status' });
  const caption = h('caption');
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'data', id: 'events' },
    caption,
    h('thead', null, h('tr', null, ['Time (UTC)', 'Event', 'Flags', 'Originator', 'Devices', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody,
  );
  const empty = h('p', { class: 'empty' });
  const filterError = h('p', { class: 'form-error', role: 'alert', id: 'watch-filter-error' });

  const isNew = (e: FeedEvent) => baseline === null || e.seq > baseline;
  const row = (e: FeedEvent) => {
    const m = e.item;
    return h(
      'tr',
      { 'data-seq': e.seq, class: isNew(e) ? 'new-event' : null },
      h('td', { class: 'nowrap' }, formatTime(m.time)),
      h('td', null, isNew(e) && badge('new', 'new'), `${m.kind} `, m.srv ? [h('span', { class: 'mono' }, m.srv), m.srvName ? ` ${m.srvName}` : ''] : null),
      h('td', null, messageBadges(m)),
      h('td', null, h('span', { class: 'mono' }, m.originatorId ?? '—'), m.originatorRole ? [' ', h('span', { class: 'role' }, m.originatorRole)] : null),
      h('td', null, m.deviceIds.length ? m.deviceIds.flatMap((d, i) => (i ? [' ', deviceLink(d)] : [deviceLink(d)])) : '—'),
      h('td', null, h('a', { href: `/messages/${encodeURIComponent(m.id)}` }, `Open #${m.id}`)),
    );
  };
  const fillAll = () => replace(tbody, feedEvents().map(row));
  const showCounts = () => {
    const n = feedEvents().length;
    caption.textContent = `Recent events, newest first (${n} of at most ${EVENT_CAP} kept in this tab)`;
    table.hidden = n === 0;
    empty.hidden = n > 0;
    empty.textContent = `No events yet: ${describeFilters(feedFilters())} that your organisation may see appear here as they are stored.`;
  };
  const showStatus = () => {
    const status = feedStatus();
    replace(
      statusBox,
      h('span', { class: `status-dot status-${status}`, 'aria-hidden': 'true' }),
      h('strong', null, status === 'live' ? 'Live' : status === 'reconnecting' ? 'Reconnecting' : status === 'ended' ? 'Ended' : status === 'failed' ? 'Not connected' : 'Connecting'),
      ' — ',
      STATUS_TEXT[status],
      status === 'ended' && [' ', h('a', { href: `/login?ended=1&next=${encodeURIComponent('/notifications')}` }, 'Log in again')],
      status === 'failed' && [' ', h('button', { type: 'button', class: 'secondary', onclick: () => reconnectFeed() }, 'Reconnect now')],
    );
  };

  // The filter form: the /watch query parameters.
  const fields = watchFields('w', feedFilters());
  const form = h(
    'form',
    { class: 'watch-form', 'aria-labelledby': 'watch-filters-heading', 'aria-describedby': 'watch-filter-error' },
    h('h2', { id: 'watch-filters-heading' }, 'What to watch'),
    fields.element,
    h('button', { type: 'submit' }, 'Apply filters'),
    filterError,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = fields.read();
    filterError.textContent = typeof next === 'string' ? next : '';
    if (typeof next === 'string') return;
    setFeedFilters(next);
    fillAll();
    showCounts();
    announcer().textContent = `Now watching ${describeFilters(next)}.`;
  });

  append(
    root,
    h('h1', null, 'Notifications'),
    h('p', null, 'Messages to your organisation’s devices, as they are stored, that match the filters below. ',
      'They are kept in this browser tab only; for deliveries to your own systems, set up a ', h('a', { href: '/subscriptions' }, 'webhook'), '.'),
    statusBox,
    h('p', { class: 'toolbar' }, h('button', { type: 'button', class: 'secondary', onclick: () => { markAllSeen(); } }, 'Mark all as read')),
    h('section', { 'aria-labelledby': 'events-heading' }, h('h2', { id: 'events-heading' }, 'Recent events'), empty, table),
    form,
  );
  fillAll();
  showCounts();
  showStatus();

  const unsubscribe = onFeedChange(({ added }) => {
    if (!root.isConnected) {
      // The user went to another page.
      unsubscribe();
      setCentreOpen(false);
      return;
    }
    if (added.length) {
      // New rows go in their place (newest first) without redrawing the rest: focus and reading position stay.
      for (const e of added) {
        const index = feedEvents().indexOf(e);
        const before = tbody.children[index] ?? null;
        tbody.insertBefore(row(e), before);
      }
      while (tbody.children.length > feedEvents().length) tbody.lastElementChild?.remove();
    }
    showCounts();
    showStatus();
  });
}
