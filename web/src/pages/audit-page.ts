/* `/admin/audit`: the access audit (a party admin: its party's; an operator: everyone's), newest first, paged. */
import type { AuditEntry } from '../api-types.js';
import { ApiFailure, currentSession, request, withQuery } from '../api.js';
import { append, h, replace } from '../dom.js';
import { isoToLocalInput, localInputToIso } from '../filters.js';
import { handleFailure } from '../layout.js';
import type { PageContext } from '../router.js';
import { formatTime } from '../timeline.js';
import { adminOnly } from './users-page.js';

const ACTIONS = ['search', 'view', 'thread', 'device', 'export', 'audit', 'watch'];

export async function auditPage(context: PageContext): Promise<void> {
  const { root, query } = context;
  if (!adminOnly(context, ['admin', 'operator'])) return;
  const action = query.get('action') ?? '';
  const actor = query.get('actor') ?? '';
  // Times are typed and shown in UTC, as everywhere in the portal; the URL may also carry ISO-8601 instants.
  const instant = (name: string) => {
    const text = query.get(name) ?? '';
    return localInputToIso(text) ?? (text === '' ? undefined : text);
  };
  const from = instant('from');
  const to = instant('to');
  const operator = currentSession()?.role === 'operator';
  const partyId = operator ? query.get('partyId') ?? '' : '';
  const results = h('section', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form', method: 'get', action: '/admin/audit' },
    h('div', { class: 'field' }, h('label', { for: 'a-action' }, 'Action'),
      h('select', { id: 'a-action', name: 'action' }, h('option', { value: '' }, 'Any'), ACTIONS.map((a) => h('option', { value: a, selected: a === action }, a)))),
    h('div', { class: 'field' }, h('label', { for: 'a-actor' }, 'Actor (username or token id)'), h('input', { id: 'a-actor', name: 'actor', value: actor })),
    h('div', { class: 'field' }, h('label', { for: 'a-from' }, 'From (UTC)'), h('input', { id: 'a-from', name: 'from', type: 'datetime-local', value: from ? isoToLocalInput(from) : '' })),
    h('div', { class: 'field' }, h('label', { for: 'a-to' }, 'To (UTC, exclusive)'), h('input', { id: 'a-to', name: 'to', type: 'datetime-local', value: to ? isoToLocalInput(to) : '' })),
    operator ? h('div', { class: 'field' }, h('label', { for: 'a-party' }, 'Party'), h('input', { id: 'a-party', name: 'partyId', value: partyId, maxlength: 64 })) : null,
    h('button', { type: 'submit' }, 'Filter'),
  );
  append(root, h('h1', null, 'Access audit'), h('p', null, 'Every search, view, export and audit read, newest first.'), form, results);
  const cursors: Array<string | undefined> = [];
  let cursor: string | undefined;
  const show = async () => {
    let page: { items: AuditEntry[]; nextCursor: string | null };
    try {
      page = await request(withQuery('/api/v1/audit', { action, actor, from, to, partyId, limit: 50, cursor }));
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 400) {
        replace(results, h('p', { class: 'form-error', role: 'alert' }, err.detail));
        return;
      }
      handleFailure(context, err);
      return;
    }
    replace(results, 
      page.items.length === 0
        ? h('p', { class: 'empty' }, 'No audit entries match.')
        : h(
            'table',
            { class: 'data' },
            h('caption', null, `Audit entries, page ${cursors.length + 1}`),
            h('thead', null, h('tr', null, ['#', 'When (UTC)', 'Who', 'Party', 'Action', 'What', 'Rows', 'Reason'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, page.items.map((e) => h('tr', null,
              h('td', null, e.seq), h('td', { class: 'nowrap' }, formatTime(e.at)), h('td', null, `${e.actor.name} (${e.actor.kind}, ${e.actor.role})`),
              h('td', null, e.actor.partyId ?? '—'), h('td', null, e.action), h('td', { class: 'mono wrap' }, JSON.stringify(e.subject)), h('td', null, e.rows), h('td', null, e.reason ?? '—'),
            ))),
          ),
      h('nav', { class: 'pager', 'aria-label': 'Audit pages' },
        h('button', { type: 'button', class: 'secondary', disabled: cursors.length === 0, onclick: () => { cursor = cursors.pop(); void show(); } }, 'Previous'),
        h('span', null, `Page ${cursors.length + 1}`),
        h('button', { type: 'button', class: 'secondary', disabled: page.nextCursor === null, onclick: () => { cursors.push(cursor); cursor = page.nextCursor ?? undefined; void show(); } }, 'Next')),
    );
  };
  await show();
}
