/*
 * `/search`: every filter is a URL query parameter with the API's name, so a search is a link one can share.
 * Opening the page pre-fills the form from the URL and runs the search; submitting changes the URL.
 */
import type { MessagePage, SrvSummary } from '../api-types.js';
import { ApiFailure, request } from '../api.js';
import { KINDS, loadCatalogue, ROLE_NAMES, USER_ROLES } from '../catalogue.js';
import { append, h, replace } from '../dom.js';
import { filtersFromQuery, filtersToQuery, isoToLocalInput, localInputToIso, resolveSrv, type Filters } from '../filters.js';
import { errorPage } from '../layout.js';
import { messageTable } from '../message-table.js';
import { navigate, type PageContext } from '../router.js';

const PAGE_SIZE = 50;

export async function searchPage(context: PageContext): Promise<void> {
  const { root, query } = context;
  const filters = filtersFromQuery(query);
  let catalogue: SrvSummary[] = [];
  const results = h('section', { 'aria-labelledby': 'results-heading', 'aria-live': 'polite', class: 'results' });
  const formError = h('p', { class: 'form-error', role: 'alert', id: 'search-error' });

  const text = (name: keyof Filters, label: string, attrs: Record<string, string> = {}) =>
    h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label), h('input', { id: `f-${name}`, name, value: filters[name] ?? '', ...attrs }));
  const select = (name: keyof Filters, label: string, options: Array<[string, string]>) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `f-${name}` }, label),
      h('select', { id: `f-${name}`, name }, h('option', { value: '' }, 'Any'), options.map(([v, t]) => h('option', { value: v, selected: filters[name] === v }, t))),
    );
  const datalist = h('datalist', { id: 'srv-list' });
  const form = h(
    'form',
    { class: 'search-form', role: 'search', 'aria-describedby': 'search-error' },
    h(
      'div',
      { class: 'grid' },
      text('deviceId', 'Device ID', { placeholder: '00-DB-12-34-56-78-90-A0', spellcheck: 'false' }),
      text('mpxn', 'MPAN or MPRN', { inputmode: 'numeric' }),
      text('requestId', 'Request ID', { spellcheck: 'false' }),
      h('div', { class: 'field' }, h('label', { for: 'f-srv' }, 'SRV (number or name)'), h('input', { id: 'f-srv', name: 'srv', list: 'srv-list', value: filters.srv ?? '', autocomplete: 'off' }), datalist),
      select('originatorRole', 'Originator role', USER_ROLES.map((r) => [r, `${r} — ${ROLE_NAMES[r]}`])),
      text('originatorId', 'Originator User ID', { spellcheck: 'false' }),
      select('kind', 'Kind', KINDS.map((k) => [k, k])),
      text('responseCode', 'Response code', { placeholder: 'I0, E4…' }),
      text('from', 'From (UTC)', { type: 'datetime-local', value: filters.from ? isoToLocalInput(filters.from) : '' }),
      text('to', 'To (UTC, exclusive)', { type: 'datetime-local', value: filters.to ? isoToLocalInput(filters.to) : '' }),
    ),
    h(
      'div',
      { class: 'field checkbox' },
      h('input', { type: 'checkbox', id: 'f-othersOnly', name: 'othersOnly', value: 'true', checked: filters.othersOnly === 'true' }),
      h('label', { for: 'f-othersOnly' }, "Only other users' traffic"),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Search'), h('a', { href: '/search', class: 'button secondary' }, 'Clear')),
    formError,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next: Filters = {};
    for (const [name, value] of data.entries()) if (typeof value === 'string' && value.trim()) next[name as keyof Filters] = value.trim();
    if (next.srv) {
      const variant = resolveSrv(next.srv, catalogue);
      if (!variant) {
        formError.textContent = `"${next.srv}" is not an SRV number or a catalogue name: pick one of the suggestions.`;
        form.querySelector<HTMLInputElement>('#f-srv')?.focus();
        return;
      }
      next.srv = variant;
    }
    for (const name of ['from', 'to'] as const) if (next[name]) next[name] = localInputToIso(next[name]!) ?? next[name];
    const q = filtersToQuery(next);
    navigate(q ? `/search?${q}` : '/search');
  });

  append(root, h('h1', null, 'Search messages'), form, results);
  loadCatalogue().then(
    (items) => {
      catalogue = items;
      replace(datalist, ...items.map((e) => h('option', { value: e.variant }, `${e.variant} — ${e.name}`)));
    },
    () => undefined, // suggestions are a convenience; numbers still work
  );

  // Keyset paging: the cursors of the pages before this one.
  const cursors: Array<string | undefined> = [];
  let cursor: string | undefined;
  const show = async () => {
    replace(results, h('h2', { id: 'results-heading' }, 'Results'), h('p', null, 'Searching…'));
    let page: MessagePage;
    try {
      page = await request<MessagePage>(`/api/v1/messages?${filtersToQuery(filters, { limit: String(PAGE_SIZE), cursor })}`);
    } catch (err) {
      if (err instanceof ApiFailure && err.handled) return;
      if (err instanceof ApiFailure && err.status === 400) {
        replace(results, h('h2', { id: 'results-heading' }, 'Results'), h('p', { class: 'form-error', role: 'alert' }, `The search was not accepted: ${err.detail}`));
        return;
      }
      errorPage(context, err);
      return;
    }
    const exportHref = `/api/v1/export.csv${Object.keys(filters).length ? `?${filtersToQuery(filters)}` : ''}`;
    const pageNumber = cursors.length + 1;
    const pager = h(
      'nav',
      { class: 'pager', 'aria-label': 'Result pages' },
      h('button', { type: 'button', class: 'secondary', disabled: cursors.length === 0, onclick: () => { cursor = cursors.pop(); void show(); } }, 'Previous'),
      h('span', null, `Page ${pageNumber}`),
      h('button', { type: 'button', class: 'secondary', disabled: page.nextCursor === null, onclick: () => { cursors.push(cursor); cursor = page.nextCursor ?? undefined; void show(); } }, 'Next'),
    );
    replace(results, 
      h('h2', { id: 'results-heading' }, 'Results'),
      h('p', { class: 'toolbar' }, h('a', { href: exportHref, download: 'srvv-export.csv', class: 'button secondary' }, 'Export CSV'), ' every matching message, not only this page.'),
      page.items.length === 0
        ? h('p', { class: 'empty' }, pageNumber === 1 ? 'No messages match these filters — or none that your organisation may see.' : 'No more messages.')
        : [messageTable(page.items, `Messages, page ${pageNumber}, newest first (${page.items.length} shown). Sort this page with the column buttons.`), pager],
    );
  };
  await show();
}
