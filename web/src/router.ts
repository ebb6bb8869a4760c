/*
 * History-API routing: the server answers the same HTML shell for every page path (src/http/routes/web), and
 * this picks the page. Links to page paths are followed without a reload; `/api/`, `/assets/` and `/docs` links
 * are left to the browser (the CSV export is a plain navigation).
 */
import { matchPath } from './paths.js';

export interface PageContext {
  /** Path parameters, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The page's own container, already in <main>; a page renders into it. */
  root: HTMLElement;
  /** Renders the current URL again (a retry button). */
  reload(): void;
}

export interface Route {
  pattern: string;
  render(context: PageContext): void | Promise<void>;
}

let routes: Route[] = [];
let fallback: Route['render'] = () => {};
let before: (path: string) => Promise<boolean> = async () => true;

/** Where the app goes now: pushes (or replaces) the history entry and renders. */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

/** The current path and query, for `?next=`. */
export function currentUrl(): string {
  return location.pathname + location.search;
}

export function startRouter(table: Route[], notFound: Route['render'], guard: (path: string) => Promise<boolean>): void {
  routes = table;
  fallback = notFound;
  before = guard;
  window.addEventListener('popstate', () => void render());
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as Element | null)?.closest('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || /^\/(api|assets|docs)(\/|$)/.test(url.pathname)) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  void render();
}

async function render(): Promise<void> {
  const path = location.pathname;
  if (!(await before(path))) return;
  const main = document.getElementById('main')!;
  const root = document.createElement('div');
  root.className = 'page';
  main.replaceChildren(root);
  const context = (params: Record<string, string>): PageContext => ({ params, query: new URLSearchParams(location.search), root, reload: () => void render() });
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params) {
      await route.render(context(params));
      focusHeading(root);
      return;
    }
  }
  await fallback(context({}));
  focusHeading(root);
}

/** After a page change, focus moves to its heading (screen readers announce the new page) and the title follows it. */
function focusHeading(root: HTMLElement): void {
  const h1 = root.querySelector('h1');
  if (!h1) return;
  document.title = `${h1.textContent ?? ''} — SRV Visibility`;
  h1.setAttribute('tabindex', '-1');
  if (!root.isConnected) return;
  h1.focus({ preventScroll: false });
}
