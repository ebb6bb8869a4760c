/* `/login`: a real form (username, password) posted to /api/v1/session as JSON. */
import { ApiFailure, currentSession, login } from '../api.js';
import { append, h } from '../dom.js';
import { renderHeader } from '../layout.js';
import { safeNext } from '../paths.js';
import { navigate, type PageContext } from '../router.js';

export function loginPage({ root, query }: PageContext): void {
  const next = safeNext(query.get('next'));
  if (currentSession()) {
    navigate(next, { replace: true });
    return;
  }
  const status = h('p', { class: 'form-error', role: 'alert', id: 'login-status' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, maxlength: 64 });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const submit = h('button', { type: 'submit' }, 'Log in');
  const form = h(
    'form',
    { method: 'post', action: '/api/v1/session', class: 'narrow', 'aria-describedby': 'login-status' },
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    submit,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    submit.disabled = true;
    try {
      await login(username.value, password.value);
      renderHeader();
      navigate(next, { replace: true });
    } catch (err) {
      status.textContent =
        err instanceof ApiFailure && err.status === 401
          ? 'Wrong username or password.'
          : err instanceof ApiFailure && err.status === 429
            ? `Too many attempts, wait ${err.retryAfter ?? 60} s.`
            : err instanceof ApiFailure && err.status === 0
              ? 'The server could not be reached.'
              : `Login failed: ${err instanceof ApiFailure ? err.detail : String(err)}`;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  append(root, 
    h('h1', null, 'Log in'),
    query.has('ended') && h('p', { class: 'notice', role: 'status' }, 'Your session has ended. Log in again to continue.'),
    query.has('loggedOut') && h('p', { class: 'notice', role: 'status' }, 'You have logged out.'),
    h('p', null, 'See every DUIS message sent to the devices your organisation is responsible for (SEC MP141).'),
    form,
  );
  username.focus();
}
