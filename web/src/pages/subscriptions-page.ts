/*
 * `/subscriptions`: the party's webhook subscriptions (docs/api.md, "Webhooks"): list, create (URL, secret with a
 * generator, filters), send a test event, delete. Each links to its delivery log (`/subscriptions/<id>`).
 */
import { request } from '../api.js';
import { append, badge, h, replace } from '../dom.js';
import { failureText, handleFailure, reloadThenAnnounce } from '../layout.js';
import { DEFAULT_WATCH_FILTERS } from '../notifications.js';
import type { PageContext } from '../router.js';
import {
  createBody, describeSubscriptionFilters, hexSecret, testOutcome, toDeliveryPage, toSubscription, toSubscriptionList, toTestResult, type SubscriptionView,
} from '../subscription-model.js';
import { formatTime } from '../timeline.js';
import { watchFields } from '../watch-fields.js';

/** How long "Send test event" follows its delivery before saying it is still pending. */
const TEST_WAIT_MS = 15_000;

export async function subscriptionsPage(context: PageContext): Promise<void> {
  const { root } = context;
  const list = h('div');
  const status = h('div', { role: 'status', id: 'subscription-status' });

  const say = (...children: Array<Node | string>) => replace(status, h('p', null, ...children));
  const sayError = (text: string) => replace(status, h('p', { class: 'form-error' }, text));

  const sendTest = async (s: SubscriptionView, button: HTMLButtonElement) => {
    button.disabled = true;
    say(`Sending a test event to ${s.url}…`);
    try {
      const queued = toTestResult(await request(`/api/v1/subscriptions/${encodeURIComponent(s.id)}/test`, { method: 'POST' }));
      if (!queued) {
        say('Test event queued.');
        return;
      }
      // The dispatcher sends it in the background: follow it in the delivery log for a while.
      const deadline = Date.now() + TEST_WAIT_MS;
      for (;;) {
        const page = toDeliveryPage(await request(`/api/v1/subscriptions/${encodeURIComponent(s.id)}/deliveries?limit=20`));
        const found = page.items.find((d) => d.id === queued.id);
        const outcome = found && testOutcome(found);
        if (outcome) {
          if (found.status === 'delivered') say(outcome, ' ', h('a', { href: `/subscriptions/${encodeURIComponent(s.id)}?status=delivered` }, 'Delivery log'));
          else sayError(outcome);
          return;
        }
        if (Date.now() > deadline) {
          say('Test event queued; not delivered yet. ', h('a', { href: `/subscriptions/${encodeURIComponent(s.id)}?status=pending` }, 'Follow it in the delivery log'));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } catch (err) {
      sayError(`Test event not sent: ${failureText(err)}`);
    } finally {
      button.disabled = false;
    }
  };

  const load = async () => {
    const items = toSubscriptionList(await request('/api/v1/subscriptions'));
    replace(
      list,
      items.length === 0
        ? h('p', { class: 'empty' }, 'No webhooks yet.')
        : h(
            'table',
            { class: 'data' },
            h('caption', null, 'Webhook subscriptions of your organisation (secrets are never shown again)'),
            h('thead', null, h('tr', null, ['URL', 'Messages', 'Created', 'Status', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, items.map((s) => {
              const test: HTMLButtonElement = h('button', { type: 'button', class: 'secondary', 'aria-label': `Send test event to ${s.url}`, onclick: () => void sendTest(s, test) }, 'Send test event');
              return h('tr', null,
                h('td', { class: 'mono wrap' }, s.url, h('br'), h('span', { class: 'help' }, s.id)),
                h('td', null, describeSubscriptionFilters(s.filters)),
                h('td', { class: 'nowrap' }, formatTime(s.createdAt), s.createdBy ? [h('br'), h('span', { class: 'help' }, `by ${s.createdBy}`)] : null),
                h('td', null, s.active ? 'active' : [badge('stopped', 'critical'), ' its creator no longer runs it']),
                h('td', { class: 'row-actions' },
                  h('a', { href: `/subscriptions/${encodeURIComponent(s.id)}`, 'aria-label': `Delivery log of ${s.url}` }, 'Delivery log'),
                  test,
                  h('button', {
                    type: 'button', class: 'danger', 'aria-label': `Delete webhook ${s.url}`,
                    onclick: async () => {
                      if (!confirm(`Delete the webhook to ${s.url}? Nothing more is sent to it, including deliveries still pending.`)) return;
                      try {
                        await request(`/api/v1/subscriptions/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
                      } catch (err) {
                        sayError(`Not deleted: ${failureText(err)}`);
                        return;
                      }
                      await reloadThenAnnounce(load, say, `Deleted the webhook to ${s.url}.`);
                    },
                  }, 'Delete'),
                ),
              );
            })),
          ),
    );
  };

  // The create form.
  const url = h('input', { id: 'sub-url', name: 'url', type: 'url', required: true, maxlength: 2048, placeholder: 'https://example.com/hooks/srvv', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'sub-url-help' });
  const secret = h('input', { id: 'sub-secret', name: 'secret', required: true, minlength: 16, maxlength: 256, autocomplete: 'off', spellcheck: 'false', class: 'mono', 'aria-describedby': 'sub-secret-help' });
  const fields = watchFields('sub', DEFAULT_WATCH_FILTERS);
  const formError = h('p', { class: 'form-error', role: 'alert', id: 'sub-form-error' });
  const form = h(
    'form',
    { class: 'subscription-form', 'aria-labelledby': 'create-heading', 'aria-describedby': 'sub-form-error' },
    h('div', { class: 'field wide' }, h('label', { for: 'sub-url' }, 'URL'), url,
      h('p', { id: 'sub-url-help', class: 'help' }, 'https://, or http:// to a loopback address only. Each new matching message is POSTed to it as JSON.')),
    h('div', { class: 'field wide' }, h('label', { for: 'sub-secret' }, 'Signing secret'),
      h('div', { class: 'with-button' }, secret, h('button', {
        type: 'button', class: 'secondary',
        onclick: () => {
          secret.value = hexSecret(crypto.getRandomValues(new Uint8Array(32)));
          secret.focus();
          secret.select();
        },
      }, 'Generate')),
      h('p', { id: 'sub-secret-help', class: 'help' }, '16 to 256 characters. Every delivery is signed with it (HMAC-SHA256); copy it to your receiver now: it is never shown again.')),
    fields.element,
    h('button', { type: 'submit' }, 'Create webhook'),
    formError,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    const filters = fields.read();
    if (typeof filters === 'string') {
      formError.textContent = filters;
      return;
    }
    try {
      const created = toSubscription(await request('/api/v1/subscriptions', { method: 'POST', json: createBody(url.value, secret.value, filters) }));
      say(`Created the webhook to ${created.url} (${created.id}). `, h('a', { href: `/subscriptions/${encodeURIComponent(created.id)}` }, 'Open its delivery log'));
      url.value = '';
      secret.value = '';
      await load();
    } catch (err) {
      formError.textContent = `Not created: ${failureText(err)}`;
    }
  });

  append(
    root,
    h('h1', null, 'Webhooks'),
    h('p', null, 'Your systems can be told of new messages as they are stored: each matching message your organisation may see is POSTed, signed, to the URL, and retried until it is taken. See docs/api.md, “Webhooks”, for the payload and the signature.'),
    list,
    status,
    h('h2', { id: 'create-heading' }, 'Create a webhook'),
    form,
  );
  try {
    await load();
  } catch (err) {
    handleFailure(context, err);
  }
}
