// The runs page: the runs table with the store's filters, sorting and cursor paging, live.
import { h } from 'preact';
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { RunPage as RunPageData, RunSummary } from '@runtrace/store';
import { getJson } from './api.js';
import { formatCost, formatCount, formatDuration, formatTime } from './format.js';
import { linkTo } from './main.js';
import { Masked, Problem, StatusBadge, markOnce, useLoaded } from './shared.js';

const FILTERS = ['status', 'kind', 'model', 'provider', 'service', 'conversation', 'label', 'since', 'from', 'to'] as const;
const SINCE: Readonly<Record<string, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** The API parameters of the page's query (`since` becomes `from`). */
function apiParams(query: URLSearchParams): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = {};
  for (const name of FILTERS) params[name] = query.get(name) ?? undefined;
  const since = params['since'];
  delete params['since'];
  if (since !== undefined && SINCE[since] !== undefined) params['from'] = String(Date.now() - SINCE[since]);
  // A range typed in (local time in the inputs, epoch milliseconds in the query).
  for (const name of ['from', 'to'] as const) {
    const value = query.get(name);
    if (value !== null && value !== '' && (name === 'to' || since === undefined)) params[name] = String(new Date(value).getTime());
  }
  params['sort'] = query.get('sort') ?? undefined;
  params['direction'] = query.get('direction') ?? undefined;
  return params;
}

function setQuery(query: URLSearchParams, name: string, value: string): void {
  const next = new URLSearchParams(query);
  if (value === '') next.delete(name);
  else next.set(name, value);
  window.location.hash = `#/runs${next.toString() === '' ? '' : `?${next.toString()}`}`;
}

export function RunRow({ run, now }: { run: RunSummary; now: number }): ComponentChild {
  const live = run.status === 'in_progress';
  const duration = run.durationMs ?? (live ? Math.max(0, now - run.startTimeMs) : null);
  return h('tr', { class: live ? 'live' : undefined, 'data-run-id': run.runId }, [
    h('td', {}, h(StatusBadge, { status: run.status, stale: run.stale })),
    h('td', {}, h('a', { href: linkTo('run', run.runId, { trace: run.traceId }), class: 'run-link' }, run.runId)),
    h('td', {}, run.kind ?? ''),
    h('td', {}, run.model ?? ''),
    h('td', {}, run.service ?? ''),
    h('td', {}, formatTime(run.startTimeMs)),
    h('td', { class: 'number' }, `${formatDuration(duration)}${live ? ' …' : ''}`),
    h('td', { class: 'number' }, formatCount(run.totalTokens)),
    h('td', { class: 'number' }, formatCost(run.costUsd, run.costUnknown)),
    h('td', { class: 'label' }, h(Masked, { text: run.label ?? '' })),
  ]);
}

export function RunsTable({ runs }: { runs: readonly RunSummary[] }): ComponentChild {
  const now = Date.now();
  // A mark the first time rows are on screen, for the benchmark (and the browser's performance tools).
  useEffect(() => markOnce('runtrace:runs-drawn'), []);
  return h('table', { class: 'runs' }, [
    h('caption', { class: 'visually-hidden' }, 'runs'),
    h('thead', {}, h('tr', {}, ['status', 'run', 'kind', 'model', 'service', 'started (UTC)', 'duration', 'tokens', 'cost', 'label'].map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, runs.map((run) => h(RunRow, { key: `${run.traceId}/${run.runId}`, run, now }))),
  ]);
}

export function RunsPage({ query }: { query: URLSearchParams }): ComponentChild {
  const params = apiParams(query);
  const key = JSON.stringify(params);
  // Pages after the first, loaded with "more"; the first page reloads live.
  const [more, setMore] = useState<{ key: string; runs: RunSummary[]; cursor: string | null }>({ key: '', runs: [], cursor: null });
  const first = useLoaded(() => getJson<RunPageData>('runs', params), [key]);
  const extra = more.key === key ? more : { key, runs: [], cursor: null };
  const cursor = extra.runs.length > 0 ? extra.cursor : (first.data?.nextCursor ?? null);
  const loadMore = (): void => {
    if (cursor === null) return;
    void getJson<RunPageData>('runs', { ...params, cursor }).then((page) => setMore({ key, runs: [...extra.runs, ...page.runs], cursor: page.nextCursor }));
  };
  const field = (name: string, label: string, input: ComponentChild): ComponentChild => h('label', { class: 'filter' }, [h('span', {}, label), input]);
  const text = (name: string, label: string): ComponentChild =>
    field(name, label, h('input', { type: 'search', name, value: query.get(name) ?? '', onChange: (event: Event) => setQuery(query, name, (event.target as HTMLInputElement).value.trim()) }));
  const select = (name: string, label: string, options: readonly string[]): ComponentChild =>
    field(
      name,
      label,
      h(
        'select',
        { name, value: query.get(name) ?? '', onChange: (event: Event) => setQuery(query, name, (event.target as HTMLSelectElement).value) },
        ['', ...options].map((option) => h('option', { value: option }, option === '' ? 'any' : option)),
      ),
    );
  return h('section', { class: 'page' }, [
    h('h1', {}, 'Runs'),
    h('form', { class: 'filters', role: 'search', onSubmit: (event: Event) => event.preventDefault() }, [
      select('status', 'status', ['in_progress', 'completed', 'interrupted', 'error']),
      text('kind', 'kind'),
      text('model', 'model'),
      text('provider', 'provider'),
      text('service', 'service'),
      text('conversation', 'conversation'),
      text('label', 'label contains'),
      select('since', 'since', Object.keys(SINCE)),
      field('from', 'from', h('input', { type: 'datetime-local', name: 'from', value: query.get('from') ?? '', onChange: (event: Event) => setQuery(query, 'from', (event.target as HTMLInputElement).value) })),
      field('to', 'to', h('input', { type: 'datetime-local', name: 'to', value: query.get('to') ?? '', onChange: (event: Event) => setQuery(query, 'to', (event.target as HTMLInputElement).value) })),
      select('sort', 'sort', ['start', 'duration', 'tokens', 'cost']),
    ]),
    first.error !== undefined ? h(Problem, { message: first.error }) : null,
    first.data === undefined
      ? h('p', { class: 'loading' }, 'Loading runs…')
      : first.data.runs.length === 0
        ? h('p', { class: 'empty' }, 'No runs match.')
        : h(RunsTable, { runs: [...first.data.runs, ...extra.runs] }),
    cursor !== null ? h('button', { type: 'button', class: 'more', onClick: loadMore }, 'Load more') : null,
  ]);
}
