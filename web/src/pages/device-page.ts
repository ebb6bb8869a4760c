/*
 * `/devices/{deviceId}`: the summary as the caller sees it, a timeline of threads (request, acknowledgement,
 * responses and alerts together) coloured by originator role, and messages per day by originator role.
 * Roles come with each item (`originatorRole`).
 */
import type { DeviceSummary, MessageItem, MessagePage } from '../api-types.js';
import { request, withQuery } from '../api.js';
import { ROLE_NAMES, USER_ROLES } from '../catalogue.js';
import { stackedBarChart } from '../chart.js';
import { append, badge, definitions, h, replace } from '../dom.js';
import { handleFailure, notFoundPage } from '../layout.js';
import { messageBadges } from '../message-table.js';
import type { PageContext } from '../router.js';
import { countPerDay, formatTime, groupThreads } from '../timeline.js';

const LIMIT = 200;
/** Distinguishable colours (Okabe–Ito), each also named in the legend and on every card. */
const ROLE_COLOURS: Record<string, string> = {
  IS: '#0072B2', ES: '#56B4E9', GS: '#009E73', ED: '#E69F00', GT: '#D55E00', OU: '#CC79A7', RSA: '#7F6A00', none: '#6B6B6B', unknown: '#333333',
};
const colourOf = (role: string) => ROLE_COLOURS[role] ?? '#333333';
const labelOf = (role: string) => (role === 'none' || role === 'unknown' ? ROLE_NAMES[role]! : `${role} ${ROLE_NAMES[role] ?? ''}`.trim());

export async function devicePage(context: PageContext): Promise<void> {
  const { root, params } = context;
  const deviceId = params.deviceId ?? '';
  if (!/^[0-9A-Fa-f]{2}(?:-?[0-9A-Fa-f]{2}){7}$/.test(deviceId)) return notFoundPage(context, 'This device');
  append(root, h('h1', null, `Device ${deviceId}`), h('p', null, 'Loading…'));
  let summary: DeviceSummary;
  let page: MessagePage;
  try {
    [summary, page] = await Promise.all([
      request<DeviceSummary>(`/api/v1/devices/${encodeURIComponent(deviceId)}`),
      request<MessagePage>(withQuery('/api/v1/messages', { deviceId, limit: LIMIT })),
    ]);
  } catch (err) {
    handleFailure(context, err, 'This device');
    return;
  }
  const roleOf = (m: MessageItem) => m.originatorRole ?? (m.originatorId === null ? 'none' : 'unknown');
  const entries = groupThreads(page.items);
  const period = (p: { from: string | null; to: string | null }) => `${p.from ? formatTime(p.from) : 'always'} – ${p.to ? formatTime(p.to) : 'now'}`;

  replace(root, 
    h('h1', null, `${summary.type ?? 'Device'} ${summary.deviceId}`),
    h(
      'section',
      { 'aria-labelledby': 'summary' },
      h('h2', { id: 'summary' }, 'Summary'),
      definitions([
        ['Type', summary.type],
        ['Messages you may see', String(summary.counts.total)],
        ['By kind', Object.entries(summary.counts.byKind).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')],
        ['By originator role', Object.entries(summary.counts.byOriginatorRole).map(([k, n]) => `${labelOf(k)} ${n}`).join(', ')],
        ['Your windows', summary.windows.map((w) => `${w.basis}: ${period(w)}`).join('; ')],
      ]),
      h('h3', null, 'MPxN links'),
      summary.links.length
        ? h('ul', null, summary.links.map((l) => h('li', null, h('a', { href: `/search?mpxn=${encodeURIComponent(l.mpxn)}`, class: 'mono' }, l.mpxn), ` ${period(l)}`)))
        : h('p', { class: 'empty' }, 'No links within your windows.'),
      h('h3', null, 'Responsible parties over time'),
      summary.responsible.length
        ? h(
            'table',
            { class: 'data compact' },
            h('caption', null, 'Responsible parties, as far as your windows show them'),
            h('thead', null, h('tr', null, ['Party', 'Basis', 'Role', 'MPxN', 'Period'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, summary.responsible.map((r) => h('tr', null, h('td', null, r.partyId), h('td', null, r.basis), h('td', null, r.role), h('td', { class: 'mono' }, r.mpxn ?? '—'), h('td', null, period(r))))),
          )
        : h('p', { class: 'empty' }, 'None within your windows.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'per-day' },
      h('h2', { id: 'per-day' }, 'Messages per day by originator role'),
      page.items.length
        ? stackedBarChart(countPerDay(page.items, roleOf, [...USER_ROLES, 'unknown', 'none']), { title: `Messages per day by originator role (newest ${page.items.length})`, colourOf, labelOf })
        : h('p', { class: 'empty' }, 'No messages you may see.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'timeline' },
      h('h2', { id: 'timeline' }, 'Timeline'),
      h('p', null, `Threads and alerts, newest first${page.nextCursor ? `, from the newest ${LIMIT} messages` : ''}. `, h('a', { href: `/search?deviceId=${encodeURIComponent(deviceId)}` }, 'All messages in search')),
      entries.length === 0 ? h('p', { class: 'empty' }, 'No messages you may see.') : h('ol', { class: 'timeline' }, entries.map((e) => threadCard(e.requestId, e.members, roleOf))),
    ),
  );
}

function threadCard(requestId: string | null, members: MessageItem[], roleOf: (m: MessageItem) => string): HTMLLIElement {
  const first = members[0]!;
  const head = members.find((m) => m.kind === 'request') ?? first;
  const role = roleOf(head);
  const title = head.srv ? `SRV ${head.srv}${head.srvName ? ` ${head.srvName}` : ''}` : head.alertCode ? `${head.kind} ${head.alertCode}` : head.kind;
  const card = h(
    'li',
    { class: 'card', 'data-role': role },
    h('h3', null, title, ' ', messageBadges(head)),
    h('p', { class: 'meta' }, badge(labelOf(role), 'role'), requestId ? [' Request ', h('span', { class: 'mono' }, requestId)] : ' No Request ID'),
    h('ul', { class: 'members' }, members.map((m) =>
      h('li', null, h('a', { href: `/messages/${m.id}` }, m.kind), ` ${formatTime(m.time)}`, m.responseCode ? ` · ${m.responseCode}` : '', m.alertCode ? ` · alert ${m.alertCode}` : ''),
    )),
  );
  card.style.borderLeftColor = colourOf(role);
  return card;
}
