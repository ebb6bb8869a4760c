/* The results table: sortable on the current page (header buttons with aria-sort), badges, links. */
import type { MessageItem } from './api-types.js';
import { badge, h, replace } from './dom.js';
import { formatTime, sortItems, type SortKey } from './timeline.js';

const COLUMNS: Array<{ key: SortKey | null; label: string }> = [
  { key: 'time', label: 'Time (UTC)' },
  { key: 'kind', label: 'Kind' },
  { key: 'srv', label: 'SRV' },
  { key: null, label: 'Flags' },
  { key: 'originatorId', label: 'Originator' },
  { key: 'deviceIds', label: 'Devices' },
  { key: 'responseCode', label: 'Code' },
  { key: null, label: 'Message' },
];

/** Badges for critical and security-relevant SRVs and for another user's traffic (text, not colour alone). */
export function messageBadges(m: Pick<MessageItem, 'critical' | 'securityRelevant' | 'own'>): HTMLElement[] {
  return [
    m.critical ? badge('critical', 'critical') : null,
    m.securityRelevant ? badge('security', 'security') : null,
    !m.own ? badge('other user', 'other') : null,
  ].filter((b): b is HTMLSpanElement => b !== null);
}

export function deviceLink(id: string): HTMLAnchorElement {
  return h('a', { href: `/devices/${encodeURIComponent(id)}`, class: 'mono' }, id);
}

export function messageTable(items: MessageItem[], caption: string): HTMLTableElement {
  let sort: { key: SortKey; direction: 'ascending' | 'descending' } | null = null;
  const tbody = h('tbody');
  const headers = COLUMNS.map((c) => {
    if (!c.key) return h('th', { scope: 'col' }, c.label);
    const key = c.key;
    const th = h('th', { scope: 'col' });
    th.append(
      h('button', {
        type: 'button',
        class: 'sort',
        onclick: () => {
          sort = { key, direction: sort?.key === key && sort.direction === 'ascending' ? 'descending' : 'ascending' };
          for (const other of thead.querySelectorAll('th')) other.removeAttribute('aria-sort');
          th.setAttribute('aria-sort', sort.direction);
          fill();
        },
      }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' })),
    );
    return th;
  });
  const thead = h('thead', null, h('tr', null, headers));
  const fill = () => {
    const rows = sort ? sortItems(items, sort.key, sort.direction) : items;
    replace(tbody, 
      ...rows.map((m) =>
        h(
          'tr',
          null,
          h('td', { class: 'nowrap' }, formatTime(m.time)),
          h('td', null, m.kind),
          h('td', null, m.srv ? [h('span', { class: 'mono' }, m.srv), m.srvName ? ` ${m.srvName}` : ''] : '—'),
          h('td', null, messageBadges(m)),
          h('td', null, h('span', { class: 'mono' }, m.originatorId ?? '—'), m.originatorRole ? [' ', h('span', { class: 'role' }, m.originatorRole)] : null),
          h('td', null, m.deviceIds.length ? m.deviceIds.flatMap((d, i) => (i ? [' ', deviceLink(d)] : [deviceLink(d)])) : '—'),
          h('td', { class: 'mono' }, m.responseCode ?? m.alertCode ?? '—'),
          h('td', null, h('a', { href: `/messages/${encodeURIComponent(m.id)}` }, `Open #${m.id}`)),
        ),
      ),
    );
  };
  fill();
  return h('table', { class: 'data' }, h('caption', null, caption), thead, tbody);
}
