// The `runtrace show` view: a run's header, then its steps, attempts and tool calls as a waterfall.
import { GenAiAttributes, RuntraceAttributes, RuntraceEvents, StreamCloseEventAttributes } from '@runtrace/core';
import type { AttemptDetail, RunAnalytics, RunDetail, RunSummary, StepDetail, ToolCallDetail } from '@runtrace/store';
import { formatBytes, formatCost, formatCount, formatDuration, formatTime, oneLine } from './format-values.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** Options of {@link formatRunDetail}. */
export interface FormatRunDetailOptions {
  readonly style: Style;
  /** Figures from the store's `runAnalytics`, shown under the header when given. */
  readonly analytics?: RunAnalytics | undefined;
  /** Print the (already redacted) request and response bodies and tool arguments/results. */
  readonly bodies?: boolean;
  /** Width of the timeline column in cells. Default 32. */
  readonly timelineWidth?: number;
  /** Current time for in-progress bars. Default: the run's last activity. */
  readonly now?: number;
  /** Most characters printed per body. Default 4,000. */
  readonly maxBodyChars?: number;
}

interface Row {
  readonly prefix: string;
  readonly label: string;
  readonly status: string;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly detail: string;
}

type Child = { readonly kind: 'step'; readonly step: StepDetail } | { readonly kind: 'tool'; readonly tool: ToolCallDetail } | { readonly kind: 'run'; readonly run: RunSummary };

function childStart(child: Child): number {
  switch (child.kind) {
    case 'step':
      return child.step.startTimeMs;
    case 'tool':
      return child.tool.startTimeMs;
    case 'run':
      return child.run.startTimeMs;
  }
}

function tokens(input: number, output: number): string {
  return input === 0 && output === 0 ? '' : `${formatCount(input)}→${formatCount(output)} tok`;
}

function stringAttribute(attributes: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' ? value : undefined;
}

function numberAttribute(attributes: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const value = attributes[key];
  return typeof value === 'number' ? value : undefined;
}

function stepRow(detail: RunDetail, step: StepDetail, prefix: string): Row {
  const parts = [tokens(step.inputTokens, step.outputTokens)];
  if (step.timeToFirstChunkMs !== null) parts.push(`first chunk ${formatDuration(step.timeToFirstChunkMs)}`);
  if (step.finishReasons.length > 0) parts.push(`finish ${step.finishReasons.join(',')}`);
  const close = detail.events.find((event) => event.spanId === step.stepId && event.name === RuntraceEvents.STREAM_CLOSE);
  const closeKind = close === undefined ? undefined : close.attributes[StreamCloseEventAttributes.KIND];
  if (typeof closeKind === 'string' && closeKind !== 'completed') parts.push(`stream ${closeKind}`);
  if (step.status === 'error' && step.errorType !== null) parts.push(step.errorType);
  const model = step.responseModel ?? step.requestModel ?? '';
  return {
    prefix,
    label: `step ${step.number ?? '?'} ${step.operation ?? 'chat'} ${model}`.trimEnd(),
    status: step.status,
    startMs: step.startTimeMs,
    endMs: step.endTimeMs,
    detail: parts.filter((part) => part !== '').join(' · '),
  };
}

function attemptRow(attempt: AttemptDetail, prefix: string): Row {
  const parts: string[] = [];
  if (attempt.retryClassification !== null && attempt.retryClassification !== 'none') {
    parts.push(attempt.retryDelayMs === null ? attempt.retryClassification : `${attempt.retryClassification}, retry in ${formatDuration(attempt.retryDelayMs)}`);
  }
  if (attempt.errorType !== null && attempt.errorType !== String(attempt.statusCode)) parts.push(attempt.errorType);
  if (attempt.error !== null) parts.push(oneLine(attempt.error, 60));
  const size = numberAttribute(attempt.attributes, RuntraceAttributes.ATTEMPT_RESPONSE_BODY_SIZE);
  if (size !== undefined) parts.push(formatBytes(size));
  const code = attempt.statusCode === null ? '' : ` ${attempt.statusCode}`;
  return {
    prefix,
    label: `attempt ${attempt.number ?? '?'} ${attempt.method ?? ''}${code}`.replace(/\s+/g, ' ').trimEnd(),
    status: attempt.status,
    startMs: attempt.startTimeMs,
    endMs: attempt.endTimeMs,
    detail: parts.join(' · '),
  };
}

function toolRow(tool: ToolCallDetail, prefix: string): Row {
  const parts: string[] = [];
  if (tool.callId !== null) parts.push(tool.callId);
  if (tool.status === 'error') parts.push(oneLine(tool.statusMessage ?? tool.errorType ?? 'error', 60));
  return { prefix, label: `tool ${tool.name ?? '?'}`, status: tool.status, startMs: tool.startTimeMs, endMs: tool.endTimeMs, detail: parts.join(' · ') };
}

function childRunRow(run: RunSummary, prefix: string): Row {
  return {
    prefix,
    label: `run ${run.kind ?? ''} ${run.runId}`.replace(/\s+/g, ' '),
    status: run.status,
    startMs: run.startTimeMs,
    endMs: run.endTimeMs,
    detail: [tokens(run.inputTokens, run.outputTokens), oneLine(run.label, 40)].filter((part) => part !== '').join(' · '),
  };
}

/** The rows of the tree: steps and run-level tools by start time, each step's attempts and tools under it. */
function treeRows(detail: RunDetail): Row[] {
  const stepIds = new Set(detail.steps.map((step) => step.stepId));
  const children: Child[] = [
    ...detail.steps.map((step): Child => ({ kind: 'step', step })),
    ...detail.toolCalls.filter((tool) => tool.stepId === null || !stepIds.has(tool.stepId)).map((tool): Child => ({ kind: 'tool', tool })),
    ...detail.childRuns.map((run): Child => ({ kind: 'run', run })),
  ].sort((a, b) => childStart(a) - childStart(b));
  const rows: Row[] = [];
  for (const child of children) {
    switch (child.kind) {
      case 'step': {
        rows.push(stepRow(detail, child.step, ''));
        const under = [
          ...detail.attempts.filter((attempt) => attempt.stepId === child.step.stepId).map((attempt) => ({ start: attempt.startTimeMs, row: (prefix: string) => attemptRow(attempt, prefix) })),
          ...detail.toolCalls.filter((tool) => tool.stepId === child.step.stepId).map((tool) => ({ start: tool.startTimeMs, row: (prefix: string) => toolRow(tool, prefix) })),
        ].sort((a, b) => a.start - b.start);
        under.forEach((item, index) => rows.push(item.row(index === under.length - 1 ? '└─ ' : '├─ ')));
        break;
      }
      case 'tool':
        rows.push(toolRow(child.tool, ''));
        break;
      case 'run':
        rows.push(childRunRow(child.run, ''));
        break;
    }
  }
  const orphanAttempts = detail.attempts.filter((attempt) => attempt.stepId === null || !stepIds.has(attempt.stepId));
  for (const attempt of orphanAttempts) rows.push(attemptRow(attempt, ''));
  return rows;
}

/** A bar placed on the run's timeline: `start` and `end` are mapped onto `width` cells. */
function timeline(startMs: number, endMs: number | null, t0: number, total: number, width: number, live: number): string {
  const end = endMs ?? live;
  const from = Math.min(width - 1, Math.max(0, Math.floor(((startMs - t0) / total) * width)));
  const to = Math.min(width, Math.max(from + 1, Math.round(((end - t0) / total) * width)));
  const fill = endMs === null ? '░' : '█';
  return `${' '.repeat(from)}${fill.repeat(to - from)}${' '.repeat(width - to)}`;
}

/** Resource attributes the header already shows (on its service line). */
const SHOWN_RESOURCE_KEYS: ReadonlySet<string> = new Set(['service.name', 'service.version', 'deployment.environment.name', 'deployment.environment']);

/**
 * The services the run's trace crossed, with the spans recorded under each (\`checkout 4 spans ·
 * gateway 1 span\`); empty when every span came from the run's own resource.
 */
function traceServices(detail: RunDetail): string {
  const resourceIds = [
    detail.resourceId,
    ...[detail.steps, detail.attempts, detail.toolCalls, detail.spans].flatMap((spans) => spans.map((span) => span.resourceId)),
  ];
  if (resourceIds.every((id) => id === detail.resourceId)) return '';
  const counts = new Map<string, number>();
  for (const id of resourceIds) {
    const resource = id === null ? undefined : detail.resources[id];
    const name = resource === undefined ? 'unknown' : (resource.service ?? 'unknown') + (resource.serviceVersion === null ? '' : ` ${resource.serviceVersion}`);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, spans]) => `${name} ${spans} span${spans === 1 ? '' : 's'}`).join(' · ');
}

function header(detail: RunDetail, options: FormatRunDetailOptions): string {
  const { run } = detail;
  const style = options.style;
  const lines: string[] = [];
  const duration = run.durationMs === null ? `running for ${formatDuration(Math.max(0, (options.now ?? run.lastActivityMs) - run.startTimeMs))}` : formatDuration(run.durationMs);
  lines.push(`${style.bold(`run ${run.runId}`)}  ${run.kind ?? ''}  ${style.status(run.status)}${run.stale ? style.yellow(' (stale)') : ''}  ${duration}`.replace(/ {3,}/g, '  '));
  const field = (name: string, value: string): void => {
    if (value !== '') lines.push(`  ${style.dim(name.padEnd(13))}${value}`);
  };
  field('label', oneLine(run.label, 200));
  field('model', run.model === null ? '' : run.provider === null ? run.model : `${run.model} (${run.provider})`);
  const serviceDetails = [run.serviceVersion, run.environment].filter((part): part is string => part !== null);
  field('service', run.service === null ? '' : serviceDetails.length === 0 ? run.service : `${run.service} (${serviceDetails.join(', ')})`);
  // The rest of the resource the run was recorded under: host, process, SDK, deployment…
  const resource = Object.entries(detail.resource ?? {})
    .filter(([key]) => !SHOWN_RESOURCE_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  field('resource', oneLine(resource.join(' · '), 300));
  // Links from any span of the run to other spans (another trace's request, a batch's items…).
  const linked = [
    { name: 'run', otel: detail.otel },
    ...detail.steps.map((step) => ({ name: `step ${step.number ?? '?'}`, otel: step.otel })),
    ...detail.attempts.map((attempt) => ({ name: `attempt ${attempt.number ?? '?'}`, otel: attempt.otel })),
    ...detail.toolCalls.map((tool) => ({ name: `tool ${tool.name ?? '?'}`, otel: tool.otel })),
    ...detail.spans.map((span) => ({ name: span.name, otel: span.otel })),
  ].flatMap(({ name, otel }) => otel.links.map((link) => `${name} → ${link.traceId}/${link.spanId}`));
  field('links', oneLine(linked.join(' · '), 300));
  field('services', oneLine(traceServices(detail), 300));
  field('conversation', run.conversationId ?? '');
  if (run.parentRunId !== null) field('parent run', run.parentRunId);
  field('trace', run.traceId);
  field('started', `${formatTime(run.startTimeMs)} UTC`);
  const tokenParts = [`in ${formatCount(run.inputTokens)}`, `out ${formatCount(run.outputTokens)}`];
  if (run.reasoningTokens > 0) tokenParts.push(`reasoning ${formatCount(run.reasoningTokens)}`);
  if (run.cacheReadTokens > 0) tokenParts.push(`cache read ${formatCount(run.cacheReadTokens)}`);
  if (run.cacheCreationTokens > 0) tokenParts.push(`cache write ${formatCount(run.cacheCreationTokens)}`);
  tokenParts.push(`total ${formatCount(run.totalTokens)}`);
  field('tokens', tokenParts.join(' · '));
  const problems = [
    run.failedStepCount > 0 ? `${run.failedStepCount} failed` : '',
    run.interruptedStepCount > 0 ? `${run.interruptedStepCount} interrupted` : '',
  ].filter((part) => part !== '');
  if (problems.length > 0) field('steps', `${run.stepCount} (${problems.join(', ')})`);
  const why = detail.costUnknownReasons.length > 0 ? detail.costUnknownReasons.join('; ') : 'no price for the model';
  field('cost', run.costUnknown && run.costUsd === null ? `unknown (${why})` : formatCost(run.costUsd, run.costUnknown));
  field('endpoint', run.endpoint ?? '');
  if (run.status === 'error' || run.statusMessage !== null) {
    field(run.status === 'error' ? 'error' : 'status', [run.errorType, run.statusMessage].filter((part) => part !== null).join(': '));
  }
  const analytics = options.analytics;
  if (analytics !== undefined) {
    const parts = [
      `${analytics.steps} step${analytics.steps === 1 ? '' : 's'}`,
      `${analytics.attempts} attempt${analytics.attempts === 1 ? '' : 's'} (${analytics.retries} retr${analytics.retries === 1 ? 'y' : 'ies'})`,
      `${analytics.toolCalls} tool call${analytics.toolCalls === 1 ? '' : 's'}`,
    ];
    if (analytics.timeToFirstTokenMs !== null) parts.push(`first token ${formatDuration(analytics.timeToFirstTokenMs)}`);
    if (analytics.tokensPerSecond !== null) parts.push(`${analytics.tokensPerSecond.toFixed(1)} tok/s`);
    if (analytics.longestPauseMs > 0) parts.push(`longest pause ${formatDuration(analytics.longestPauseMs)}`);
    field('figures', parts.join(' · '));
  }
  return lines.join('\n') + '\n';
}

function indentBlock(text: string, max: number): string {
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text) as unknown, null, 2);
  } catch {
    // Not JSON (an event stream, text): shown as recorded.
  }
  const chars = [...shown];
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}\n… (${chars.length - max} more characters)` : shown;
  return cut
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function bodies(detail: RunDetail, options: FormatRunDetailOptions): string {
  const style = options.style;
  const max = options.maxBodyChars ?? 4000;
  const stepNumber = new Map(detail.steps.map((step) => [step.stepId, step.number]));
  const out: string[] = [];
  for (const attempt of detail.attempts) {
    const where = attempt.stepId === null ? '' : `step ${stepNumber.get(attempt.stepId) ?? '?'} · `;
    out.push(style.bold(`${where}attempt ${attempt.number ?? '?'} · ${attempt.method ?? ''} ${attempt.url ?? ''} → ${attempt.statusCode ?? attempt.errorType ?? '—'}`));
    for (const [title, bodyKey, sizeKey] of [
      ['request body', RuntraceAttributes.ATTEMPT_REQUEST_BODY, RuntraceAttributes.ATTEMPT_REQUEST_BODY_SIZE],
      ['response body', RuntraceAttributes.ATTEMPT_RESPONSE_BODY, RuntraceAttributes.ATTEMPT_RESPONSE_BODY_SIZE],
    ] as const) {
      const body = stringAttribute(attempt.attributes, bodyKey);
      const size = numberAttribute(attempt.attributes, sizeKey);
      const sizeText = size === undefined ? '' : ` (${formatBytes(size)})`;
      out.push(`  ${style.dim(`${title}${sizeText}:`)}`);
      out.push(body === undefined ? `    ${style.dim('not recorded (content policy)')}` : indentBlock(body, max));
    }
  }
  for (const tool of detail.toolCalls) {
    out.push(style.bold(`tool ${tool.name ?? '?'}${tool.callId === null ? '' : ` · ${tool.callId}`}`));
    for (const [title, key] of [
      ['arguments', GenAiAttributes.TOOL_CALL_ARGUMENTS],
      ['result', GenAiAttributes.TOOL_CALL_RESULT],
    ] as const) {
      const value = stringAttribute(tool.attributes, key);
      out.push(`  ${style.dim(`${title}:`)}`);
      out.push(value === undefined ? `    ${style.dim('not recorded (content policy)')}` : indentBlock(value, max));
    }
  }
  if (out.length === 0) return '';
  return `\n${style.bold('bodies')} ${style.dim('(as stored: redacted and bounded)')}\n${out.join('\n')}\n`;
}

/**
 * Renders one run: a header (status, model, tokens, cost, figures) and a waterfall of its steps,
 * attempts and tool calls with their durations drawn on the run's timeline.
 */
export function formatRunDetail(detail: RunDetail, options: FormatRunDetailOptions): string {
  const style = options.style;
  const width = options.timelineWidth ?? 32;
  const rows = treeRows(detail);
  const t0 = detail.run.startTimeMs;
  const live = options.now ?? detail.run.lastActivityMs;
  let t1 = detail.run.endTimeMs ?? live;
  for (const row of rows) t1 = Math.max(t1, row.endMs ?? live);
  const total = Math.max(1, t1 - t0);
  let out = header(detail, options);
  if (rows.length === 0) {
    out += `\n${style.dim('no steps or tool calls recorded')}\n`;
  } else {
    const scale = ` 0${' '.repeat(Math.max(1, width - 1 - formatDuration(total).length))}${formatDuration(total)}`;
    const table = renderTable(
      [{ header: '', maxWidth: 56 }, { header: 'STATUS' }, { header: 'DURATION', align: 'right' }, { header: scale }, { header: '' }],
      rows.map((row) => [
        `${style.dim(row.prefix)}${row.label}`,
        style.status(row.status),
        row.endMs === null ? style.cyan('…') : formatDuration(row.endMs - row.startMs),
        `${style.dim('│')}${style.status(row.status, timeline(row.startMs, row.endMs, t0, total, width, live))}${style.dim('│')}`,
        style.dim(row.detail),
      ]),
      style.dim,
    );
    out += `\n${table}`;
  }
  if (options.bodies === true) out += bodies(detail, options);
  return out;
}
