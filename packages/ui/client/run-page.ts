// The run page: the run's header and figures, a waterfall of its steps, attempts, tool calls and
// sub-runs on one time axis, and a panel with everything recorded on the selected span.
import { h } from 'preact';
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AttemptDetail, RunAnalytics, RunDetail, RunSummary, StepDetail, ToolCallDetail } from '@runtrace/store';
import { getJson } from './api.js';
import { formatCost, formatCount, formatDuration, formatTime, pretty } from './format.js';
import { linkTo } from './main.js';
import { Masked, Problem, StatusBadge, markOnce, useLoaded } from './shared.js';

type Span =
  | { readonly kind: 'step'; readonly id: string; readonly step: StepDetail }
  | { readonly kind: 'attempt'; readonly id: string; readonly attempt: AttemptDetail }
  | { readonly kind: 'tool'; readonly id: string; readonly tool: ToolCallDetail }
  | { readonly kind: 'run'; readonly id: string; readonly run: RunSummary };

interface Row {
  readonly span: Span;
  readonly depth: number;
  readonly label: string;
  readonly status: string;
  readonly start: number;
  readonly end: number | null;
  readonly note: string;
  /** When the first chunk of a streamed answer arrived (epoch ms), drawn as a mark on the bar. */
  readonly firstChunk?: number;
}

function attemptNote(attempt: AttemptDetail): string {
  const parts: string[] = [];
  if (attempt.retryClassification !== null && attempt.retryClassification !== 'none') {
    parts.push(attempt.retryDelayMs === null ? attempt.retryClassification : `${attempt.retryClassification}, retry in ${formatDuration(attempt.retryDelayMs)}`);
  }
  if (attempt.error !== null) parts.push(attempt.error);
  return parts.join(' · ');
}

function stepNote(detail: RunDetail, step: StepDetail): string {
  const parts: string[] = [];
  if (step.inputTokens + step.outputTokens > 0) parts.push(`${formatCount(step.inputTokens)}→${formatCount(step.outputTokens)} tok`);
  if (step.timeToFirstChunkMs !== null) parts.push(`first chunk ${formatDuration(step.timeToFirstChunkMs)}`);
  const close = detail.events.find((event) => event.spanId === step.stepId && event.name === 'runtrace.stream.close');
  const kind = close?.attributes['runtrace.stream.close.kind'];
  if (typeof kind === 'string' && kind !== 'completed') parts.push(`stream ${kind}`);
  if (step.status === 'error' && step.errorType !== null) parts.push(step.errorType);
  return parts.join(' · ');
}

/** The waterfall's rows: steps, run-level tools and sub-runs by start time; each step's attempts and tools under it. */
function rowsOf(detail: RunDetail): Row[] {
  const stepIds = new Set(detail.steps.map((step) => step.stepId));
  const top: Row[] = [
    ...detail.steps.map((step): Row => ({
      span: { kind: 'step', id: step.stepId, step },
      depth: 0,
      label: `step ${step.number ?? '?'} ${step.operation ?? 'chat'} ${step.responseModel ?? step.requestModel ?? ''}`.trim(),
      status: step.status,
      start: step.startTimeMs,
      end: step.endTimeMs,
      note: stepNote(detail, step),
      ...(step.timeToFirstChunkMs === null ? {} : { firstChunk: step.startTimeMs + step.timeToFirstChunkMs }),
    })),
    ...detail.toolCalls.filter((tool) => tool.stepId === null || !stepIds.has(tool.stepId)).map((tool): Row => toolRow(tool, 0)),
    ...detail.attempts.filter((attempt) => attempt.stepId === null || !stepIds.has(attempt.stepId)).map((attempt): Row => attemptRow(attempt, 0)),
    ...detail.childRuns.map((run): Row => ({ span: { kind: 'run', id: run.runId, run }, depth: 0, label: `run ${run.kind ?? ''} ${run.runId}`, status: run.status, start: run.startTimeMs, end: run.endTimeMs, note: run.label ?? '' })),
  ].sort((a, b) => a.start - b.start);
  const rows: Row[] = [];
  for (const row of top) {
    rows.push(row);
    if (row.span.kind !== 'step') continue;
    const stepId = row.span.id;
    const under = [
      ...detail.attempts.filter((attempt) => attempt.stepId === stepId).map((attempt) => attemptRow(attempt, 1)),
      ...detail.toolCalls.filter((tool) => tool.stepId === stepId).map((tool) => toolRow(tool, 1)),
    ].sort((a, b) => a.start - b.start);
    rows.push(...under);
  }
  return rows;
}

function attemptRow(attempt: AttemptDetail, depth: number): Row {
  const code = attempt.statusCode === null ? (attempt.errorType ?? '') : String(attempt.statusCode);
  return { span: { kind: 'attempt', id: attempt.attemptId, attempt }, depth, label: `attempt ${attempt.number ?? '?'} ${attempt.method ?? ''} ${code}`.replace(/\s+/g, ' ').trim(), status: attempt.status, start: attempt.startTimeMs, end: attempt.endTimeMs, note: attemptNote(attempt) };
}

function toolRow(tool: ToolCallDetail, depth: number): Row {
  return { span: { kind: 'tool', id: tool.toolCallSpanId, tool }, depth, label: `tool ${tool.name ?? '?'}`, status: tool.status, start: tool.startTimeMs, end: tool.endTimeMs, note: tool.status === 'error' ? (tool.statusMessage ?? tool.errorType ?? 'error') : (tool.callId ?? '') };
}

function Waterfall({ detail, selected, select }: { detail: RunDetail; selected: string | undefined; select: (id: string) => void }): ComponentChild {
  const rows = rowsOf(detail);
  const now = Date.now();
  const t0 = detail.run.startTimeMs;
  let t1 = detail.run.endTimeMs ?? now;
  for (const row of rows) t1 = Math.max(t1, row.end ?? now);
  const total = Math.max(1, t1 - t0);
  useEffect(() => markOnce('runtrace:waterfall-drawn'), []);
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No steps or tool calls recorded.');
  return h('table', { class: 'waterfall' }, [
    h('caption', { class: 'visually-hidden' }, 'waterfall of the run'),
    h('thead', {}, h('tr', {}, [h('th', { scope: 'col' }, 'span'), h('th', { scope: 'col' }, 'status'), h('th', { scope: 'col' }, 'duration'), h('th', { scope: 'col', class: 'axis' }, `0 — ${formatDuration(total)}`), h('th', { scope: 'col' }, '')])),
    h(
      'tbody',
      {},
      rows.map((row) => {
        const end = row.end ?? now;
        const left = ((row.start - t0) / total) * 100;
        const width = Math.max(0.4, ((end - row.start) / total) * 100);
        return h('tr', { key: row.span.id, class: `${row.span.id === selected ? 'selected' : ''} kind-${row.span.kind}`, 'data-span-id': row.span.id }, [
          h('td', { class: `span-label depth-${row.depth}` }, h('button', { type: 'button', class: 'span-button', onClick: () => select(row.span.id), 'aria-pressed': row.span.id === selected }, row.label)),
          h('td', {}, h(StatusBadge, { status: row.status })),
          h('td', { class: 'number' }, row.end === null ? '…' : formatDuration(end - row.start)),
          h(
            'td',
            { class: 'axis' },
            h('div', { class: 'track' }, [
              h('div', { class: `bar status-${row.status}`, style: { left: `${left}%`, width: `${Math.min(width, 100 - left)}%` } }),
              row.firstChunk === undefined ? null : h('div', { class: 'first-chunk', title: `first chunk at ${formatDuration(row.firstChunk - row.start)}`, style: { left: `${((row.firstChunk - t0) / total) * 100}%` } }),
            ]),
          ),
          h('td', { class: 'note' }, h(Masked, { text: row.note })),
        ]);
      }),
    ),
  ]);
}

function Attributes({ attributes }: { attributes: Readonly<Record<string, unknown>> }): ComponentChild {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  return h('dl', { class: 'attributes' }, entries.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, h('pre', {}, h(Masked, { text: pretty(value) })))]));
}

function Body({ title, value }: { title: string; value: unknown }): ComponentChild {
  return h('div', { class: 'body' }, [h('h4', {}, title), typeof value === 'string' ? h('pre', { class: 'body-text' }, h(Masked, { text: pretty(value) })) : h('p', { class: 'dim' }, 'not recorded (content policy)')]);
}

interface MessagePart {
  readonly type?: unknown;
  readonly content?: unknown;
  readonly name?: unknown;
  readonly arguments?: unknown;
  readonly response?: unknown;
  readonly id?: unknown;
}

/** The GenAI messages of a step (`gen_ai.input.messages` then `gen_ai.output.messages`), or undefined when unreadable. */
function messagesOf(step: StepDetail): { role: string; parts: MessagePart[] }[] | undefined {
  const messages: { role: string; parts: MessagePart[] }[] = [];
  for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages']) {
    const value = step.attributes[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    try {
      const parsed = JSON.parse(value) as unknown;
      if (!Array.isArray(parsed)) return undefined;
      for (const message of parsed as { role?: unknown; parts?: unknown }[]) {
        messages.push({ role: typeof message.role === 'string' ? message.role : '?', parts: Array.isArray(message.parts) ? (message.parts as MessagePart[]) : [] });
      }
    } catch {
      return undefined;
    }
  }
  return messages.length === 0 ? undefined : messages;
}

function partText(part: MessagePart): string {
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return text(part.content);
    case 'tool_call':
      return `→ ${text(part.name)}(${text(part.arguments)})`;
    case 'tool_call_response':
      return `← ${text(part.response)}`;
    default:
      return `[${text(part.type)}]`;
  }
}

/** The step's conversation as a chat transcript: one bubble per message, its parts as text. */
function Transcript({ step }: { step: StepDetail }): ComponentChild {
  const messages = messagesOf(step);
  if (messages === undefined) return null;
  return h('div', { class: 'transcript' }, [
    h('h4', {}, 'conversation'),
    h(
      'ol',
      { class: 'messages' },
      messages.map((message) =>
        h('li', { class: `message role-${message.role.replace(/[^a-z_]/g, '')}` }, [h('span', { class: 'role' }, message.role), ...message.parts.map((part) => h('p', { class: `part part-${String(part.type)}` }, h(Masked, { text: partText(part) })))]),
      ),
    ),
  ]);
}

function Panel({ detail, selected }: { detail: RunDetail; selected: string }): ComponentChild {
  const step = detail.steps.find((entry) => entry.stepId === selected);
  const attempt = detail.attempts.find((entry) => entry.attemptId === selected);
  const tool = detail.toolCalls.find((entry) => entry.toolCallSpanId === selected);
  const child = detail.childRuns.find((entry) => entry.runId === selected);
  const events = detail.events.filter((event) => event.spanId === selected);
  const eventList = events.length === 0 ? null : h('div', {}, [h('h4', {}, 'events'), h('ul', { class: 'events' }, events.map((event) => h('li', {}, `${formatTime(event.timeMs)} ${event.name}`)))]);
  if (attempt !== undefined) {
    return h('aside', { class: 'panel', tabIndex: 0, 'aria-label': 'selected attempt' }, [
      h('h3', {}, `attempt ${attempt.number ?? '?'} · ${attempt.method ?? ''} ${attempt.statusCode ?? attempt.errorType ?? ''}`),
      h('p', { class: 'url' }, h(Masked, { text: attempt.url ?? '' })),
      h(Body, { title: 'request body', value: attempt.attributes['runtrace.attempt.request_body'] }),
      h(Body, { title: 'response body', value: attempt.attributes['runtrace.attempt.response_body'] }),
      eventList,
      h('h4', {}, 'attributes'),
      h(Attributes, { attributes: attempt.attributes }),
    ]);
  }
  if (step !== undefined) {
    return h('aside', { class: 'panel', tabIndex: 0, 'aria-label': 'selected step' }, [
      h('h3', {}, `step ${step.number ?? '?'} · ${step.responseModel ?? step.requestModel ?? ''}`),
      h('p', {}, `${formatCount(step.inputTokens)} in · ${formatCount(step.outputTokens)} out · ${formatCost(step.costUsd, step.costUnknown)}${step.costUnknownReason === null ? '' : ` (${step.costUnknownReason})`}`),
      h(Transcript, { step }),
      h(Body, { title: 'input messages', value: step.attributes['gen_ai.input.messages'] }),
      h(Body, { title: 'output messages', value: step.attributes['gen_ai.output.messages'] }),
      eventList,
      h('h4', {}, 'attributes'),
      h(Attributes, { attributes: step.attributes }),
    ]);
  }
  if (tool !== undefined) {
    return h('aside', { class: 'panel', tabIndex: 0, 'aria-label': 'selected tool call' }, [
      h('h3', {}, `tool ${tool.name ?? '?'}`),
      h(Body, { title: 'arguments', value: tool.attributes['gen_ai.tool.call.arguments'] }),
      h(Body, { title: 'result', value: tool.attributes['gen_ai.tool.call.result'] }),
      eventList,
      h('h4', {}, 'attributes'),
      h(Attributes, { attributes: tool.attributes }),
    ]);
  }
  if (child !== undefined) {
    return h('aside', { class: 'panel', tabIndex: 0, 'aria-label': 'selected sub-run' }, [h('h3', {}, `run ${child.runId}`), h('a', { href: linkTo('run', child.runId, { trace: child.traceId }) }, 'open this run')]);
  }
  return null;
}

function Header({ detail, analytics }: { detail: RunDetail; analytics: RunAnalytics | null }): ComponentChild {
  const { run } = detail;
  const field = (name: string, value: ComponentChild): ComponentChild => (value === null || value === '' ? null : h('div', { class: 'field' }, [h('dt', {}, name), h('dd', {}, value)]));
  return h('div', { class: 'run-header' }, [
    h('h1', {}, [`run ${run.runId} `, h(StatusBadge, { status: run.status, stale: run.stale })]),
    h('dl', { class: 'fields' }, [
      field('kind', run.kind),
      field('label', run.label === null ? null : h(Masked, { text: run.label })),
      field('model', run.model === null ? null : run.provider === null ? run.model : `${run.model} (${run.provider})`),
      field('service', run.service),
      field('conversation', run.conversationId === null ? null : h('a', { href: linkTo('conversation', run.conversationId) }, run.conversationId)),
      field('trace', run.traceId),
      field('started', `${formatTime(run.startTimeMs)} UTC`),
      field('duration', run.durationMs === null ? 'running' : formatDuration(run.durationMs)),
      field('tokens', `${formatCount(run.inputTokens)} in · ${formatCount(run.outputTokens)} out · ${formatCount(run.totalTokens)} total`),
      field('cost', run.costUnknown && run.costUsd === null ? `unknown (${detail.costUnknownReasons.join('; ') || 'no price for the model'})` : formatCost(run.costUsd, run.costUnknown)),
      field('error', run.status === 'error' ? [run.errorType, run.statusMessage].filter((part) => part !== null).join(': ') : null),
      analytics === null
        ? null
        : field(
            'figures',
            [
              `${analytics.steps} steps`,
              `${analytics.attempts} attempts (${analytics.retries} retries)`,
              `${analytics.toolCalls} tool calls`,
              analytics.timeToFirstTokenMs === null ? '' : `first token ${formatDuration(analytics.timeToFirstTokenMs)}`,
              analytics.tokensPerSecond === null ? '' : `${analytics.tokensPerSecond.toFixed(1)} tok/s`,
            ]
              .filter((part) => part !== '')
              .join(' · '),
          ),
    ]),
  ]);
}

export function RunPage({ runId, traceId }: { runId: string; traceId: string | undefined }): ComponentChild {
  const loaded = useLoaded(() => getJson<{ detail: RunDetail; analytics: RunAnalytics | null }>('run', { id: runId, trace: traceId }), [runId, traceId]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  if (loaded.data === undefined) return h('section', { class: 'page' }, loaded.error !== undefined ? h(Problem, { message: loaded.error }) : h('p', { class: 'loading' }, 'Loading the run…'));
  const { detail, analytics } = loaded.data;
  return h('section', { class: 'page run-page' }, [
    h('p', {}, h('a', { href: '#/runs' }, '← runs')),
    h(Header, { detail, analytics }),
    loaded.error !== undefined ? h(Problem, { message: loaded.error }) : null,
    h('div', { class: selected === undefined ? 'run-body' : 'run-body with-panel' }, [
      h(Waterfall, { detail, selected, select: setSelected }),
      selected === undefined ? null : h(Panel, { detail, selected }),
    ]),
  ]);
}
