/* `/admin/users`: a party admin's users, a form to add one, and removal (never of the admin's own account). */
import type { User } from '../api-types.js';
import { currentSession, request } from '../api.js';
import { append, h, replace } from '../dom.js';
import { failureText, handleFailure, reloadThenAnnounce } from '../layout.js';
import type { PageContext } from '../router.js';

export function adminOnly(context: PageContext, roles: readonly string[] = ['admin']): boolean {
  if (roles.includes(currentSession()?.role ?? '')) return true;
  replace(context.root, h('h1', null, 'Not available'), h('p', null, `This page is for ${roles.join(' and ')} accounts.`), h('p', null, h('a', { href: '/search' }, 'Back to search')));
  return false;
}

export async function usersPage(context: PageContext): Promise<void> {
  const { root } = context;
  if (!adminOnly(context)) return;
  const list = h('div');
  const status = h('p', { role: 'status', id: 'user-status' });
  const load = async () => {
    const { items } = await request<{ items: User[] }>('/api/v1/users');
    replace(list, 
      items.length === 0
        ? h('p', { class: 'empty' }, 'No users yet.')
        : h(
            'table',
            { class: 'data' },
            h('caption', null, `Users of ${currentSession()?.partyId ?? 'your party'}`),
            h('thead', null, h('tr', null, ['Username', 'Role', 'Password set', 'Action'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, items.map((u) => h('tr', null,
              h('td', null, u.username), h('td', null, u.role), h('td', null, u.hasPassword ? 'yes' : 'no'),
              h('td', null, u.username === currentSession()?.username ? '' : h('button', {
                type: 'button', class: 'danger', 'aria-label': `Remove ${u.username}`,
                onclick: async () => {
                  if (!confirm(`Remove the user ${u.username}? They are logged out at once.`)) return;
                  try {
                    await request(`/api/v1/users/${encodeURIComponent(u.username)}`, { method: 'DELETE' });
                  } catch (err) {
                    status.textContent = `Not removed: ${failureText(err)}`;
                    return;
                  }
                  await reloadThenAnnounce(load, say, `Removed ${u.username}.`);
                },
              }, 'Remove')),
            ))),
          ),
    );
  };
  const say = (text: string): void => {
    status.textContent = text;
  };
  const username = h('input', { id: 'new-username', name: 'username', required: true, minlength: 3, maxlength: 64, autocomplete: 'off' });
  const role = h('select', { id: 'new-role', name: 'role' }, h('option', { value: 'viewer' }, 'viewer'), h('option', { value: 'admin' }, 'admin'));
  const password = h('input', { id: 'new-password', name: 'password', type: 'password', required: true, minlength: 12, autocomplete: 'new-password', 'aria-describedby': 'pw-help' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-describedby': 'user-status' },
    h('div', { class: 'field' }, h('label', { for: 'new-username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, 'Role'), role),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'Password'), password, h('p', { id: 'pw-help', class: 'help' }, 'At least 12 characters.')),
    h('button', { type: 'submit' }, 'Add user'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await request('/api/v1/users', { method: 'POST', json: { username: username.value.trim(), role: role.value, password: password.value } });
    } catch (err) {
      status.textContent = `Not added: ${failureText(err)}`;
      return;
    }
    const added = username.value.trim();
    form.reset();
    await reloadThenAnnounce(load, say, `Added ${added}.`);
  });
  append(root, h('h1', null, 'Users'), list, h('h2', null, 'Add a user'), form, status);
  try {
    await load();
  } catch (err) {
    handleFailure(context, err);
  }
}
