// The `runtrace stats` view: an overview (totals, status, cost by model) and analytics drawn as bars.
import type { Analytics, Bucket, Overview, OverviewFigures } from '@runtrace/store';
import { formatCost, formatCount, formatDuration, formatPercent, formatTime } from './format-values.js';
import type { Style } from './style.js';
import { bar, renderTable } from './table.js';

const BAR_WIDTH = 30;

function change(current: number, previous: number | undefined): string {
  if (previous === undefined) return '';
  if (previous === 0) return current === 0 ? ' (=)' : ' (new)';
  const ratio = (current - previous) / previous;
  return ratio === 0 ? ' (=)' : ` (${ratio > 0 ? '+' : ''}${Math.round(ratio * 100)}%)`;
}

/** Change of a rate in percentage points; nothing when there is nothing to compare with. */
function pointsChange(current: number | null, previous: OverviewFigures | undefined): string {
  if (previous === undefined || previous.runs === 0 || current === null || previous.successRate === null) return '';
  const points = Math.round((current - previous.successRate) * 100);
  return points === 0 ? ' (=)' : ` (${points > 0 ? '+' : ''}${points} pts)`;
}

function section(title: string, style: Style): string {
  return `\n${style.bold(title)}\n`;
}

function bars(rows: readonly { readonly label: string; readonly value: number; readonly note?: string }[], style: Style): string {
  const max = Math.max(0, ...rows.map((row) => row.value));
  const labelWidth = Math.max(0, ...rows.map((row) => row.label.length));
  return rows
    .map((row) => `  ${row.label.padEnd(labelWidth)}  ${style.cyan(bar(row.value, max, BAR_WIDTH).padEnd(BAR_WIDTH))}  ${formatCount(row.value)}${row.note === undefined ? '' : style.dim(`  ${row.note}`)}`.trimEnd())
    .join('\n') + '\n';
}

function bucketBars(buckets: readonly Bucket[], style: Style): string {
  return bars(buckets.map((bucket) => ({ label: bucket.label, value: bucket.count })), style);
}

function figures(current: OverviewFigures, previous: OverviewFigures | null, style: Style): string {
  const prev = previous ?? undefined;
  const lines = [
    ['runs', `${formatCount(current.runs)}${change(current.runs, prev?.runs)}`],
    [
      'status',
      [
        style.green(`${current.byStatus.completed} completed`),
        style.red(`${current.byStatus.error} error`),
        style.yellow(`${current.byStatus.interrupted} interrupted`),
        style.cyan(`${current.byStatus.in_progress} in progress`),
      ].join(' · '),
    ],
    ['success rate', `${formatPercent(current.successRate)}${pointsChange(current.successRate, prev)}`],
    ['tokens', `in ${formatCount(current.inputTokens)} · out ${formatCount(current.outputTokens)} · total ${formatCount(current.totalTokens)}${change(current.totalTokens, prev?.totalTokens)}`],
    ['cost', `${formatCost(current.costUsd)}${change(current.costUsd, prev?.costUsd)}${current.costUnknownRuns > 0 ? style.dim(` (+ ${current.costUnknownRuns} runs of unpriced models)`) : ''}`],
    ['time in runs', formatDuration(current.durationMs)],
    ['tool calls', formatCount(current.toolCalls)],
  ] as const;
  let text = lines.map(([name, value]) => `  ${style.dim(name.padEnd(13))}${value}`).join('\n') + '\n';
  if (prev !== undefined) {
    const before = [`${formatCount(prev.runs)} runs`, `${formatCount(prev.totalTokens)} tokens`, formatCost(prev.costUsd), ...(prev.runs > 0 ? [`${formatPercent(prev.successRate)} success`] : [])];
    text += `  ${style.dim('previous'.padEnd(13))}${style.dim(before.join(' · '))}\n`;
  }
  return text;
}

/** Renders an overview and analytics of the same filters as text with bars. */
export function formatStats(overview: Overview, analytics: Analytics, style: Style): string {
  let out = style.bold('overview');
  if (overview.from !== null || overview.to !== null) out += style.dim(`  ${formatTime(overview.from)} → ${formatTime(overview.to)} UTC`);
  if (overview.previousPeriod !== null) out += style.dim('  (change against the period before)');
  out += '\n' + figures(overview, overview.previousPeriod, style);
  if (overview.runs === 0) return out;

  if (overview.costByModel.length > 0) {
    out += section('cost by model', style);
    out += renderTable(
      [{ header: '  MODEL' }, { header: 'PROVIDER' }, { header: 'RUNS', align: 'right' }, { header: 'IN', align: 'right' }, { header: 'OUT', align: 'right' }, { header: 'COST', align: 'right' }],
      overview.costByModel.map((model) => [
        `  ${model.model}`,
        model.provider ?? '—',
        String(model.runs),
        formatCount(model.inputTokens),
        formatCount(model.outputTokens),
        formatCost(model.costUsd, model.costUnknownRuns > 0),
      ]),
      style.dim,
    );
  }
  const days = analytics.activityByDay.slice(-14);
  if (days.length > 0) {
    out += section(analytics.activityByDay.length > days.length ? 'runs by day (last 14 days)' : 'runs by day', style);
    out += bars(days.map((day) => ({ label: day.date, value: day.runs, note: `${day.errors} err · ${formatCount(day.totalTokens)} tok · ${formatCost(day.costUsd)}` })), style);
  }
  out += section(`duration${analytics.averageDurationMs === null ? '' : `  (average ${formatDuration(analytics.averageDurationMs)})`}`, style);
  out += bucketBars(analytics.durationBuckets, style);
  out += section(`cost per run${analytics.averageCostUsd === null ? '' : `  (average ${formatCost(analytics.averageCostUsd)})`}`, style);
  out += bucketBars(analytics.costBuckets, style);
  if (analytics.costUnknownRuns > 0) out += style.dim(`  ${analytics.costUnknownRuns} runs with an unknown cost are not counted\n`);
  if (analytics.modelPerformance.length > 0) {
    out += section('models', style);
    out += renderTable(
      [{ header: '  MODEL' }, { header: 'RUNS', align: 'right' }, { header: 'SUCCESS', align: 'right' }, { header: 'AVG DURATION', align: 'right' }, { header: 'AVG TOKENS', align: 'right' }, { header: 'AVG COST', align: 'right' }],
      analytics.modelPerformance.map((model) => [
        `  ${model.model}`,
        String(model.runs),
        formatPercent(model.successRate),
        formatDuration(model.averageDurationMs),
        formatCount(model.averageTokens),
        formatCost(model.averageCostUsd),
      ]),
      style.dim,
    );
  }
  // Services are listed once there is more than one (a collector's store, or apps sharing a file).
  if (analytics.serviceBreakdown.length > 1) {
    out += section('services', style);
    out += bars(
      analytics.serviceBreakdown.map((service) => ({ label: service.service, value: service.runs, note: `${formatCount(service.errors)} errors · ${formatCount(service.totalTokens)} tok · ${formatCost(service.costUsd)}` })),
      style,
    );
  }
  if (analytics.providerBreakdown.length > 0) {
    out += section('providers', style);
    out += bars(analytics.providerBreakdown.map((provider) => ({ label: provider.provider, value: provider.runs, note: `${formatCount(provider.totalTokens)} tok · ${formatCost(provider.costUsd)}` })), style);
  }
  if (analytics.topTools.length > 0) {
    out += section('top tools', style);
    out += bars(
      analytics.topTools.map((tool) => ({
        label: tool.name,
        value: tool.calls,
        note: `${tool.errors} err · avg ${formatDuration(tool.averageDurationMs)}`,
      })),
      style,
    );
  }
  return out;
}
