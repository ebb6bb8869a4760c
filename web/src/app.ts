/*
 * The portal's entry module (docs/portal.md). Loaded by index.html as `/assets/app.js`; each page is a module in
 * pages/. Every page but the login page needs a session; an operator must give a reason first. Once both are
 * there, the tab's live feed (live-feed.ts) runs until logout.
 */
import { accessReason, currentSession, isOperator, loadSession } from './api.js';
import { errorPage, notFoundPage, renderHeader } from './layout.js';
import { startFeed, stopFeed } from './live-feed.js';
import { auditPage } from './pages/audit-page.js';
import { devicePage } from './pages/device-page.js';
import { loginPage } from './pages/login-page.js';
import { messagePage } from './pages/message-page.js';
import { notificationsPage } from './pages/notifications-page.js';
import { reasonPage } from './pages/reason-page.js';
import { searchPage } from './pages/search-page.js';
import { subscriptionPage } from './pages/subscription-page.js';
import { subscriptionsPage } from './pages/subscriptions-page.js';
import { tokensPage } from './pages/tokens-page.js';
import { usersPage } from './pages/users-page.js';
import { currentUrl, navigate, startRouter, type Route } from './router.js';

const ROUTES: Route[] = [
  { pattern: '/', render: () => navigate('/search', { replace: true }) },
  { pattern: '/login', render: loginPage },
  { pattern: '/reason', render: reasonPage },
  { pattern: '/search', render: searchPage },
  { pattern: '/devices/:deviceId', render: devicePage },
  { pattern: '/messages/:id', render: messagePage },
  { pattern: '/notifications', render: notificationsPage },
  { pattern: '/subscriptions', render: subscriptionsPage },
  { pattern: '/subscriptions/:id', render: subscriptionPage },
  { pattern: '/admin/users', render: usersPage },
  { pattern: '/admin/tokens', render: tokensPage },
  { pattern: '/admin/audit', render: auditPage },
];

/** Runs before every page: a session is needed everywhere but /login, and an operator's reason before any read. */
async function guard(path: string): Promise<boolean> {
  if (path === '/login') {
    // Already logged in (a reload, a bookmark): the login page moves on to `next`.
    if (!currentSession()) await loadSession().catch(() => undefined);
    if (!currentSession()) stopFeed();
    renderHeader();
    return true;
  }
  if (!currentSession()) {
    try {
      await loadSession();
    } catch (err) {
      const main = document.getElementById('main')!;
      const root = document.createElement('div');
      main.replaceChildren(root);
      errorPage({ root, reload: () => location.reload() }, err);
      return false;
    }
  }
  if (!currentSession()) {
    stopFeed();
    navigate(`/login?next=${encodeURIComponent(currentUrl())}`, { replace: true });
    return false;
  }
  if (isOperator() && !accessReason() && path !== '/reason') {
    navigate(`/reason?next=${encodeURIComponent(currentUrl())}`, { replace: true });
    return false;
  }
  // One live feed per tab, for the logged-in user (an operator's reason travels in its cookie).
  if (!isOperator() || accessReason()) startFeed(currentSession()!);
  renderHeader();
  return true;
}

startRouter(ROUTES, (context) => notFoundPage(context), guard);
