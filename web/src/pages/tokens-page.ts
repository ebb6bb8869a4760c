/* `/admin/tokens`: a party admin's API tokens: list, create (the secret is shown once), revoke. */
import type { Token } from '../api-types.js';
import { request } from '../api.js';
import { append, h, replace } from '../dom.js';
import { failureText, handleFailure, reloadThenAnnounce } from '../layout.js';
import type { PageContext } from '../router.js';
import { formatTime } from '../timeline.js';
import { adminOnly } from './users-page.js';

export async function tokensPage(context: PageContext): Promise<void> {
  const { root } = context;
  if (!adminOnly(context)) return;
  const list = h('div');
  const status = h('div', { role: 'status', id: 'token-status' });
  const load = async () => {
    const { items } = await request<{ items: Token[] }>('/api/v1/tokens');
    replace(list, 
      items.length === 0
        ? h('p', { class: 'empty' }, 'No tokens yet.')
        : h(
            'table',
            { class: 'data' },
            h('caption', null, 'API tokens (secrets are never shown again)'),
            h('thead', null, h('tr', null, ['Name', 'Id', 'Scope', 'Created', 'Expires', 'Status', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, items.map((t) => h('tr', null,
              h('td', null, t.name), h('td', { class: 'mono' }, t.id), h('td', null, t.scope), h('td', null, formatTime(t.createdAt)),
              h('td', null, t.expiresAt ? formatTime(t.expiresAt) : 'never'), h('td', null, t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active'),
              h('td', null, t.revokedAt ? '' : h('button', {
                type: 'button', class: 'danger', 'aria-label': `Revoke ${t.name}`,
                onclick: async () => {
                  if (!confirm(`Revoke the token ${t.name}? Scripts using it stop working at once.`)) return;
                  try {
                    await request(`/api/v1/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
                  } catch (err) {
                    replace(status, h('p', { class: 'form-error' }, `Not revoked: ${failureText(err)}`));
                    return;
                  }
                  await reloadThenAnnounce(load, (text) => replace(status, h('p', null, text)), `Revoked ${t.name}.`);
                },
              }, 'Revoke')),
            ))),
          ),
    );
  };
  const name = h('input', { id: 'token-name', name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
  const scope = h('select', { id: 'token-scope', name: 'scope' }, ['read', 'ingest', 'reference'].map((s) => h('option', { value: s }, s)));
  const expires = h('input', { id: 'token-expires', name: 'expires', placeholder: '90d', pattern: '[1-9][0-9]{0,5}[dhm]', 'aria-describedby': 'expires-help' });
  const form = h(
    'form',
    { class: 'inline-form' },
    h('div', { class: 'field' }, h('label', { for: 'token-name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'token-scope' }, 'Scope'), scope),
    h('div', { class: 'field' }, h('label', { for: 'token-expires' }, 'Expires after'), expires, h('p', { id: 'expires-help', class: 'help' }, 'e.g. 90d, 12h, 30m; empty: never')),
    h('button', { type: 'submit' }, 'Create token'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = await request<{ token: string; name: string }>('/api/v1/tokens', {
        method: 'POST',
        json: { name: name.value.trim(), scope: scope.value, ...(expires.value.trim() ? { expires: expires.value.trim() } : {}) },
      });
      const secret = h('code', { class: 'secret', id: 'token-secret' }, created.token);
      replace(status, 
        h('p', null, `Created ${name.value.trim()}. Copy the token now: it is shown only this once.`),
        h('p', null, secret, ' ', h('button', { type: 'button', class: 'secondary', onclick: () => void navigator.clipboard.writeText(created.token).catch(() => undefined) }, 'Copy')),
      );
      form.reset();
      await load();
    } catch (err) {
      replace(status, h('p', { class: 'form-error' }, `Not created: ${failureText(err)}`));
    }
  });
  append(root, h('h1', null, 'API tokens'), list, h('h2', null, 'Create a token'), form, status);
  try {
    await load();
  } catch (err) {
    handleFailure(context, err);
  }
}
