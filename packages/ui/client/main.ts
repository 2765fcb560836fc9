// The viewer: a hash router over four pages, each a deep link (#/runs?…, #/run/<id>?trace=…,
// #/conversation/<id>, #/stats). Every value is rendered as text by Preact, never as markup.
import { h, render } from 'preact';
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConversationPage } from './conversation-page.js';
import { RunPage } from './run-page.js';
import { RunsPage } from './runs-page.js';
import { StatsPage } from './stats-page.js';

/** The page a hash names, with its path parts and query. */
export interface Route {
  readonly page: 'runs' | 'run' | 'conversation' | 'stats';
  readonly id: string;
  readonly query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = 'runs', ...rest] = path.split('/');
  const id = decodeURIComponent(rest.join('/'));
  const params = new URLSearchParams(query);
  if (page === 'run' || page === 'conversation' || page === 'stats') return { page, id, query: params };
  return { page: 'runs', id: '', query: params };
}

/** The hash of a page. */
export function linkTo(page: Route['page'], id = '', query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return `#/${page}${id === '' ? '' : `/${encodeURIComponent(id)}`}${text === '' ? '' : `?${text}`}`;
}

function App(): ComponentChild {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  const nav = (page: Route['page'], label: string): ComponentChild =>
    h('a', { href: linkTo(page), class: route.page === page ? 'current' : undefined, 'aria-current': route.page === page ? 'page' : undefined }, label);
  let page: ComponentChild;
  switch (route.page) {
    case 'run':
      page = h(RunPage, { runId: route.id, traceId: route.query.get('trace') ?? undefined });
      break;
    case 'conversation':
      page = h(ConversationPage, { conversationId: route.id });
      break;
    case 'stats':
      page = h(StatsPage, {});
      break;
    case 'runs':
      page = h(RunsPage, { query: route.query });
      break;
  }
  return h('div', { class: 'shell' }, [
    h('header', { class: 'top' }, [h('a', { href: '#/runs', class: 'brand' }, 'runtrace'), h('nav', { 'aria-label': 'pages' }, [nav('runs', 'Runs'), nav('stats', 'Stats')])]),
    h('main', { id: 'main' }, page),
  ]);
}

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(h(App, {}), root);
}
