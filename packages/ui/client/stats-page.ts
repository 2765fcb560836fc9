// The stats page: the overview with the previous period, and the analytics as charts and tables.
import { h } from 'preact';
import type { ComponentChild } from 'preact';
import type { Analytics, Bucket, Overview } from '@runtrace/store';
import { getJson } from './api.js';
import { formatCost, formatCount, formatDuration } from './format.js';
import { Problem, useLoaded } from './shared.js';

const DAY = 86_400_000;

/** Bars of labelled values as an SVG chart, with the values as text for screen readers too. */
function BarChart({ title, bars }: { title: string; bars: readonly { label: string; value: number }[] }): ComponentChild {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const width = Math.max(240, bars.length * 28);
  const height = 120;
  const slot = width / Math.max(1, bars.length);
  return h('figure', { class: 'chart' }, [
    h('figcaption', {}, title),
    h(
      'svg',
      { viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-label': `${title}: ${bars.map((bar) => `${bar.label} ${bar.value}`).join(', ')}` },
      bars.flatMap((bar, index) => {
        const barHeight = (bar.value / max) * height;
        return [
          h('rect', { x: index * slot + slot * 0.15, y: height - barHeight, width: slot * 0.7, height: barHeight, class: 'bar-rect' }, h('title', {}, `${bar.label}: ${bar.value}`)),
          h('text', { x: index * slot + slot / 2, y: height + 14, 'text-anchor': 'middle', class: 'bar-label' }, bar.label),
        ];
      }),
    ),
  ]);
}

function change(current: number, previous: number | undefined): string {
  if (previous === undefined || previous === 0) return '';
  const ratio = (current - previous) / previous;
  return ` (${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(0)}% vs previous)`;
}

function buckets(title: string, list: readonly Bucket[]): ComponentChild {
  return h(BarChart, { title, bars: list.map((bucket) => ({ label: bucket.label, value: bucket.count })) });
}

export function StatsPage(): ComponentChild {
  const loaded = useLoaded(() => {
    const to = Date.now();
    return getJson<{ overview: Overview; analytics: Analytics }>('stats', { from: String(to - 7 * DAY), to: String(to) });
  }, []);
  if (loaded.data === undefined) return h('section', { class: 'page' }, loaded.error !== undefined ? h(Problem, { message: loaded.error }) : h('p', { class: 'loading' }, 'Loading stats…'));
  const { overview, analytics } = loaded.data;
  const previous = overview.previousPeriod ?? undefined;
  const figure = (name: string, value: string): ComponentChild => h('div', { class: 'figure' }, [h('dt', {}, name), h('dd', {}, value)]);
  return h('section', { class: 'page stats' }, [
    h('h1', {}, 'Stats: the last 7 days'),
    h('dl', { class: 'figures' }, [
      figure('runs', `${formatCount(overview.runs)}${change(overview.runs, previous?.runs)}`),
      figure('tokens', `${formatCount(overview.totalTokens)}${change(overview.totalTokens, previous?.totalTokens)}`),
      figure('cost', `${formatCost(overview.costUsd, overview.costUnknownRuns > 0)}${change(overview.costUsd, previous?.costUsd)}`),
      figure('success rate', overview.successRate === null ? '—' : `${(overview.successRate * 100).toFixed(1)}%`),
      figure('errors', formatCount(overview.byStatus.error)),
      figure('in progress', formatCount(overview.byStatus.in_progress)),
    ]),
    h('div', { class: 'charts' }, [
      h(BarChart, { title: 'runs by day', bars: analytics.activityByDay.map((day) => ({ label: day.date.slice(5), value: day.runs })) }),
      buckets('runs by duration', analytics.durationBuckets),
      buckets('runs by cost', analytics.costBuckets),
    ]),
    h('h2', {}, 'Models'),
    h('table', { class: 'models' }, [
      h('thead', {}, h('tr', {}, ['model', 'provider', 'runs', 'success', 'avg duration', 'avg tokens', 'cost'].map((name) => h('th', { scope: 'col' }, name)))),
      h(
        'tbody',
        {},
        analytics.modelPerformance.map((model) =>
          h('tr', {}, [
            h('td', {}, model.model),
            h('td', {}, model.provider ?? ''),
            h('td', { class: 'number' }, formatCount(model.runs)),
            h('td', { class: 'number' }, model.successRate === null ? '—' : `${(model.successRate * 100).toFixed(0)}%`),
            h('td', { class: 'number' }, formatDuration(model.averageDurationMs)),
            h('td', { class: 'number' }, formatCount(Math.round(model.averageTokens))),
            h('td', { class: 'number' }, formatCost(model.totalCostUsd, false)),
          ]),
        ),
      ),
    ]),
    h('h2', {}, 'Providers'),
    h(BarChart, { title: 'runs by provider', bars: analytics.providerBreakdown.map((provider) => ({ label: provider.provider, value: provider.runs })) }),
    analytics.serviceBreakdown.length > 1 ? h(BarChart, { title: 'runs by service', bars: analytics.serviceBreakdown.map((service) => ({ label: service.service, value: service.runs })) }) : null,
    h('h2', {}, 'Top tools'),
    analytics.topTools.length === 0
      ? h('p', { class: 'empty' }, 'No tool calls.')
      : h('ul', { class: 'tools' }, analytics.topTools.map((tool) => h('li', {}, `${tool.name}: ${formatCount(tool.calls)} calls, ${formatCount(tool.errors)} errors, ${formatDuration(tool.averageDurationMs)} on average`))),
  ]);
}
