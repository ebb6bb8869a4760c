/* `/reason`: an operator states why it looks, once per browser tab; every API call then carries it. */
import { accessReason, isOperator, setAccessReason } from '../api.js';
import { append, h } from '../dom.js';
import { renderHeader } from '../layout.js';
import { isValidReason, safeNext } from '../paths.js';
import { navigate, type PageContext } from '../router.js';

export function reasonPage({ root, query }: PageContext): void {
  const next = safeNext(query.get('next'));
  if (!isOperator()) {
    navigate(next, { replace: true });
    return;
  }
  const error = h('p', { class: 'form-error', role: 'alert', id: 'reason-error' });
  const input = h('input', {
    id: 'reason', name: 'reason', required: true, minlength: 3, maxlength: 500, value: accessReason() ?? '',
    'aria-describedby': 'reason-help reason-error', autocomplete: 'off',
  });
  const form = h(
    'form',
    { class: 'narrow' },
    h('div', { class: 'field' }, h('label', { for: 'reason' }, 'Reason for access'), input,
      h('p', { id: 'reason-help', class: 'help' }, 'For example a ticket reference. 3 to 500 characters. It is written into the access audit with every search, view and export.')),
    h('button', { type: 'submit' }, 'Continue'),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!isValidReason(text)) {
      error.textContent = 'Give a reason of 3 to 500 characters, on one line.';
      input.focus();
      return;
    }
    setAccessReason(text);
    renderHeader();
    navigate(next, { replace: true });
  });
  append(root, 
    h('h1', null, 'Why are you looking?'),
    h('p', null, "You are logged in as a DCC operator, which sees every party's traffic. State why before any search or view."),
    form,
  );
}
