/*
 * `/subscriptions/<id>`: one webhook and its delivery log, by status (pending / delivered / dead, or all; a URL
 * parameter, so a view is a link), newest first, paged; dead deliveries can be replayed.
 */
import { ApiFailure, request, withQuery } from '../api.js';
import { append, badge, definitions, h, replace } from '../dom.js';
import { failureText, handleFailure } from '../layout.js';
import type { PageContext } from '../router.js';
import {
  DELIVERY_STATUSES, describeSubscriptionFilters, lastOutcome, toDelivery, toDeliveryPage, toSubscription, type DeliveryPageView, type DeliveryStatus, type DeliveryView,
} from '../subscription-model.js';
import { formatTime } from '../timeline.js';

const PAGE_SIZE = 50;

export async function subscriptionPage(context: PageContext): Promise<void> {
  const { root, params, query } = context;
  const id = params.id!;
  const wanted = query.get('status');
  const status: DeliveryStatus | undefined = (DELIVERY_STATUSES as readonly string[]).includes(wanted ?? '') ? (wanted as DeliveryStatus) : undefined;
  const base = `/api/v1/subscriptions/${encodeURIComponent(id)}`;

  let sub;
  try {
    sub = toSubscription(await request(base));
  } catch (err) {
    handleFailure(context, err, 'This webhook');
    return;
  }

  const results = h('section', { 'aria-labelledby': 'log-heading', class: 'results' });
  const notice = h('div', { role: 'status', id: 'delivery-status' });
  const tab = (value: DeliveryStatus | undefined, label: string) =>
    h('li', null, h('a', { href: withQuery(`/subscriptions/${encodeURIComponent(id)}`, { status: value }), ...(value === status ? { 'aria-current': 'page' } : {}) }, label));

  append(
    root,
    h('h1', null, 'Webhook delivery log'),
    definitions([
      ['URL', h('span', { class: 'mono wrap' }, sub.url)],
      ['Id', h('span', { class: 'mono' }, sub.id)],
      ['Messages', describeSubscriptionFilters(sub.filters)],
      ['Created', `${formatTime(sub.createdAt)}${sub.createdBy ? ` by ${sub.createdBy}` : ''}`],
      ['Status', sub.active ? 'active' : 'stopped: its creator no longer runs it'],
    ]),
    h('p', null, h('a', { href: '/subscriptions' }, 'All webhooks')),
    h('nav', { class: 'tabs', 'aria-label': 'Deliveries by status' },
      h('ul', null, tab(undefined, 'All'), tab('pending', 'Pending'), tab('delivered', 'Delivered'), tab('dead', 'Dead'))),
    notice,
    h('p', { class: 'toolbar' }, h('button', { type: 'button', class: 'secondary', onclick: () => void show() }, 'Refresh')),
    results,
  );

  const cursors: Array<string | undefined> = [];
  let cursor: string | undefined;
  const heading = status ? `${status[0]!.toUpperCase()}${status.slice(1)} deliveries` : 'All deliveries';

  const replay = async (d: DeliveryView, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const again = toDelivery(await request(`${base}/deliveries/${encodeURIComponent(d.id)}/replay`, { method: 'POST' }));
      replace(notice, h('p', null, `Delivery ${again.id} is ${again.status} again: it will be sent shortly.`));
      await show();
    } catch (err) {
      replace(notice, h('p', { class: 'form-error' }, `Not replayed: ${failureText(err)}`));
      button.disabled = false;
    }
  };

  const row = (d: DeliveryView) => {
    const replayButton: HTMLButtonElement | null = d.status === 'dead'
      ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Replay delivery ${d.id}`, onclick: () => void replay(d, replayButton!) }, 'Replay')
      : null;
    return h('tr', { 'data-delivery': d.id },
      h('td', { class: 'nowrap' }, formatTime(d.createdAt)),
      h('td', null, d.messageId === null ? 'test event' : h('a', { href: `/messages/${encodeURIComponent(d.messageId)}` }, `Message #${d.messageId}`)),
      h('td', null, badge(d.status, `delivery-${d.status}`)),
      h('td', null, d.attempts),
      h('td', { class: 'wrap' }, lastOutcome(d)),
      h('td', { class: 'nowrap' }, d.status === 'delivered' && d.deliveredAt ? `delivered ${formatTime(d.deliveredAt)}` : d.status === 'pending' && d.nextAttemptAt ? `next try ${formatTime(d.nextAttemptAt)}` : '—'),
      h('td', null, replayButton ?? h('span', { class: 'help' }, d.status === 'dead' ? '' : '—')),
    );
  };

  const show = async (): Promise<void> => {
    let page: DeliveryPageView;
    try {
      page = toDeliveryPage(await request(withQuery(`${base}/deliveries`, { status, limit: PAGE_SIZE, cursor })));
    } catch (err) {
      if (err instanceof ApiFailure && err.handled) return;
      replace(results, h('h2', { id: 'log-heading' }, heading), h('p', { class: 'form-error', role: 'alert' }, `The log could not be read: ${failureText(err)}`),
        h('button', { type: 'button', onclick: () => void show() }, 'Try again'));
      return;
    }
    const pageNumber = cursors.length + 1;
    replace(
      results,
      h('h2', { id: 'log-heading' }, heading),
      page.items.length === 0
        ? h('p', { class: 'empty' }, pageNumber === 1 ? `No ${status ?? ''} deliveries yet.`.replace('  ', ' ') : 'No more deliveries.')
        : h(
            'table',
            { class: 'data', id: 'deliveries' },
            h('caption', null, `${heading}, newest first, page ${pageNumber}`),
            h('thead', null, h('tr', null, ['Created (UTC)', 'Message', 'Status', 'Attempts', 'Last answer', 'When', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, page.items.map(row)),
          ),
      (cursors.length > 0 || page.nextCursor !== null) &&
        h('nav', { class: 'pager', 'aria-label': 'Delivery pages' },
          h('button', { type: 'button', class: 'secondary', disabled: cursors.length === 0, onclick: () => { cursor = cursors.pop(); void show(); } }, 'Previous'),
          h('span', null, `Page ${pageNumber}`),
          h('button', { type: 'button', class: 'secondary', disabled: page.nextCursor === null, onclick: () => { cursors.push(cursor); cursor = page.nextCursor ?? undefined; void show(); } }, 'Next')),
    );
  };
  try {
    await show();
  } catch (err) {
    handleFailure(context, err);
  }
}
