/* The header (product name, who is logged in, navigation, logout) and the shared error and not-found pages. */
import { accessReason, ApiFailure, currentSession, isOperator, logout } from './api.js';
import { h, replace } from './dom.js';
import { onFeedChange, stopFeed, unread } from './live-feed.js';
import { currentUrl, navigate, type PageContext } from './router.js';

export function renderHeader(): void {
  const header = document.getElementById('site-header')!;
  const s = currentSession();
  const path = location.pathname;
  const link = (href: string, text: string) =>
    h('li', null, h('a', { href, ...(path === href || (href === '/search' && path === '/') ? { 'aria-current': 'page' } : {}) }, text));
  const nav = s
    ? h(
        'nav',
        { 'aria-label': 'Main' },
        h(
          'ul',
          null,
          link('/search', 'Search'),
          h('li', null, notificationsLink(path === '/notifications')),
          link('/subscriptions', 'Webhooks'),
          s.role === 'admin' && [link('/admin/users', 'Users'), link('/admin/tokens', 'API tokens')],
          (s.role === 'admin' || s.role === 'operator') && link('/admin/audit', 'Access audit'),
        ),
      )
    : null;
  const reason = isOperator() ? accessReason() : null;
  replace(header, 
    h('a', { class: 'brand', href: s ? '/search' : '/login' }, 'SRV Visibility'),
    nav,
    s &&
      h(
        'div',
        { class: 'who' },
        h('span', null, `${s.username} · ${s.partyId} · ${s.role}`),
        reason && h('a', { href: `/reason?next=${encodeURIComponent(currentUrl())}`, class: 'reason-link', title: 'Change the stated reason' }, `Reason: ${reason}`),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: async () => {
              stopFeed();
              await logout().catch(() => undefined);
              renderHeader();
              navigate('/login?loggedOut=1');
            },
          },
          'Log out',
        ),
      ),
  );
}

/** The nav entry of the notification centre, with its unread count (text, kept current by the live feed). */
function notificationsLink(current: boolean): HTMLAnchorElement {
  const count = h('span', { class: 'count', id: 'unread-count' });
  fillCount(count);
  return h('a', { href: '/notifications', ...(current ? { 'aria-current': 'page' } : {}) }, 'Notifications', count);
}

function fillCount(el: HTMLElement): void {
  const n = unread();
  el.hidden = n === 0;
  replace(el, n === 0 ? '' : [' ', h('span', { class: 'badge badge-count' }, n > 99 ? '99+' : n), h('span', { class: 'visually-hidden' }, ' unread')]);
}

onFeedChange(() => {
  const el = document.getElementById('unread-count');
  if (el) fillCount(el);
});

/** The page for anything not found or not visible: the two read the same, as in the API. */
export function notFoundPage(context: Pick<PageContext, 'root'>, what = 'This page'): void {
  replace(context.root, 
    h('h1', null, 'Not found — or not visible to you'),
    h('p', null, `${what} does not exist, or the visibility rules do not let your organisation see it.`),
    h('p', null, h('a', { href: '/search' }, 'Back to search')),
  );
}

/** The page for server errors and lost connections, with a retry. */
export function errorPage(context: Pick<PageContext, 'root' | 'reload'>, err: unknown): void {
  const detail = err instanceof ApiFailure ? (err.status === 0 ? 'The server could not be reached. Check your connection.' : `${err.detail} (${err.code})`) : String(err);
  replace(context.root, 
    h('h1', null, 'Something went wrong'),
    h('p', { role: 'alert' }, detail),
    h('p', null, h('button', { type: 'button', onclick: () => context.reload() }, 'Try again'), ' ', h('a', { href: '/search' }, 'Back to search')),
  );
}

/**
 * Shared handling of a failed load: nothing when the app already went elsewhere, the not-found page for 404,
 * the error page otherwise. Returns false so pages can `return handleFailure(...)`.
 */
export function handleFailure(context: PageContext, err: unknown, what?: string): false {
  if (err instanceof ApiFailure && err.handled) return false;
  if (err instanceof ApiFailure && err.status === 404) notFoundPage(context, what);
  else errorPage(context, err);
  return false;
}

/** A message for a form: the API's detail for a 4xx, else a general sentence. */
export function failureText(err: unknown): string {
  if (err instanceof ApiFailure) return err.status === 0 ? 'The server could not be reached.' : err.detail;
  return String(err);
}

/**
 * After a change the server accepted: reloads the list, then announces `done`. The announcement never precedes
 * the list it describes, and a reload that fails is reported as such, not as a failed change.
 */
export async function reloadThenAnnounce(load: () => Promise<void>, announce: (text: string) => void, done: string): Promise<void> {
  try {
    await load();
    announce(done);
  } catch (err) {
    announce(`${done} The list could not be refreshed: ${failureText(err)}`);
  }
}
