// A trace that crosses services keeps each span's resource, and span ids another trace reuses
// are other rows: sent through the collector with the real OTLP/protobuf exporter (one per
// service, as each service's SDK would), read back through the store API and `runtrace show`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const run = promisify(execFile);
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'packages/cli/bin/runtrace.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-trace-resources-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface SpanSpec {
  readonly traceId: string;
  readonly spanId: string;
  readonly parent?: string;
  readonly name: string;
  readonly kind?: number;
  readonly startMs: number;
  readonly attributes: Attributes;
  readonly error?: boolean;
  readonly events?: readonly TimedEvent[];
}

function spanOf(resource: Resource, spec: SpanSpec): ReadableSpan {
  const { traceId, spanId } = spec;
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  return {
    name: spec.name,
    kind: spec.kind ?? 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    ...(spec.parent === undefined ? {} : { parentSpanContext: { traceId, spanId: spec.parent, traceFlags: 1 } }),
    startTime: hr(spec.startMs),
    endTime: hr(spec.startMs + 500),
    status: { code: spec.error === true ? 2 : 1 },
    attributes: spec.attributes,
    links: [],
    events: [...(spec.events ?? [])],
    duration: [0, 500e6],
    ended: true,
    resource,
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function exportSpans(url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url });
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown());
}

/** A runtrace run with one step, its attempt and a tool call, and a database span, in one trace. */
function agentRun(resource: Resource, traceId: string, parent: string | undefined, startMs: number, tokens: number, failed: boolean, eventName: string): ReadableSpan[] {
  const runId = 'a000000000000001';
  const stepId = 'b000000000000001';
  const status = failed ? 'error' : 'completed';
  const common = { [RuntraceAttributes.RUN_ID]: runId, [RuntraceAttributes.STATUS]: status };
  return [
    spanOf(resource, {
      traceId,
      spanId: stepId,
      parent: runId,
      name: 'chat gpt-4o-mini',
      kind: 2,
      startMs: startMs + 10,
      error: failed,
      attributes: {
        ...common,
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP,
        [RuntraceAttributes.STEP_NUMBER]: 1,
        [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        [GenAiAttributes.USAGE_INPUT_TOKENS]: tokens,
        [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 1,
      },
      events: [{ name: eventName, time: [Math.floor((startMs + 20) / 1000), ((startMs + 20) % 1000) * 1e6], attributes: {} }],
    }),
    spanOf(resource, {
      traceId,
      spanId: 'd000000000000001',
      parent: stepId,
      name: 'POST',
      kind: 2,
      startMs: startMs + 11,
      error: failed,
      attributes: { ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT, [RuntraceAttributes.STEP_ID]: stepId, [RuntraceAttributes.ATTEMPT_NUMBER]: 1, 'http.request.method': 'POST', 'http.response.status_code': failed ? 500 : 200 },
    }),
    spanOf(resource, {
      traceId,
      spanId: 'e000000000000001',
      parent: runId,
      name: 'execute_tool lookup',
      startMs: startMs + 30,
      attributes: { ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL, [GenAiAttributes.TOOL_NAME]: 'lookup', [GenAiAttributes.TOOL_CALL_ID]: 'call_1' },
    }),
    spanOf(resource, { traceId, spanId: 'f000000000000001', parent: runId, name: 'SELECT orders', kind: 2, startMs: startMs + 40, attributes: { 'db.system.name': 'postgresql' } }),
    spanOf(resource, {
      traceId,
      spanId: runId,
      ...(parent === undefined ? {} : { parent }),
      name: 'invoke_agent',
      startMs,
      error: failed,
      attributes: { ...common, [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.RUN_KIND]: 'chat_turn' },
    }),
  ];
}

describe('resources and keys of spans through the collector', () => {
  it('keeps the resource of every span of a trace that crosses services, and tells runs reusing ids apart', async () => {
    const db = join(dir, 'collector.db');
    const gateway = resourceFromAttributes({ 'service.name': 'gateway', 'service.version': '9.0.0', 'host.name': 'edge-1' });
    const agent = resourceFromAttributes({ 'service.name': 'agent', 'service.version': '1.4.0', 'deployment.environment.name': 'prod' });
    const reuser = resourceFromAttributes({ 'service.name': 'fixed-ids' });
    const crossing = '1'.repeat(32);
    const [earlier, later] = ['2'.repeat(32), '3'.repeat(32)];
    const now = Date.now();
    const hourAgo = now - 3_600_000;
    // The same ids, foreign GenAI span included, in two traces of a service whose ids repeat.
    const foreignStep = (traceId: string, startMs: number, tokens: number): ReadableSpan =>
      spanOf(reuser, {
        traceId,
        spanId: '9000000000000001',
        name: 'chat claude-haiku',
        kind: 2,
        startMs,
        attributes: { [GenAiAttributes.OPERATION_NAME]: 'chat', [GenAiAttributes.REQUEST_MODEL]: 'claude-haiku', [GenAiAttributes.USAGE_INPUT_TOKENS]: tokens, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 2 },
      });
    const collector = await startStoreCollector(db, { port: 0 });
    try {
      const sent = [
        await exportSpans(collector.url!, [spanOf(gateway, { traceId: crossing, spanId: 'c000000000000001', name: 'POST /chat', kind: 1, startMs: now - 60_000, attributes: { 'http.route': '/chat' } })]),
        await exportSpans(collector.url!, agentRun(agent, crossing, 'c000000000000001', now - 59_990, 40, false, 'crossing.event')),
        await exportSpans(collector.url!, [...agentRun(reuser, earlier, undefined, hourAgo, 10, false, 'earlier.event'), foreignStep('4'.repeat(32), hourAgo, 7)]),
        await exportSpans(collector.url!, [...agentRun(reuser, later, undefined, hourAgo + 60_000, 100, true, 'later.event'), foreignStep('5'.repeat(32), hourAgo + 60_000, 70)]),
      ];
      expect(sent.map((result) => result.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    } finally {
      await collector.close();
    }

    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      // The crossing trace: each span names its own service's resource.
      const detail = store.getRun('a000000000000001', { traceId: crossing })!;
      expect(Object.values(detail.resources).map((resource) => [resource.service, resource.serviceVersion, resource.environment]).sort()).toEqual([
        ['agent', '1.4.0', 'prod'],
        ['gateway', '9.0.0', null],
      ]);
      const serviceOf = (resourceId: string | null): string | null | undefined => (resourceId === null ? null : detail.resources[resourceId]?.service);
      expect(serviceOf(detail.resourceId)).toBe('agent');
      expect(detail.resource).toMatchObject({ 'service.name': 'agent' });
      expect([...detail.steps, ...detail.attempts, ...detail.toolCalls].map((span) => serviceOf(span.resourceId))).toEqual(['agent', 'agent', 'agent']);
      expect(detail.spans.map((span) => [span.name, serviceOf(span.resourceId)])).toEqual([
        ['POST /chat', 'gateway'],
        ['SELECT orders', 'agent'],
      ]);
      const gatewayResource = detail.resources[detail.spans[0]!.resourceId!]!;
      expect(gatewayResource.attributes).toEqual({ 'service.name': 'gateway', 'service.version': '9.0.0', 'host.name': 'edge-1' });

      // Runs of two traces with one id: two runs, each with its own steps, attempts, tools and events.
      const reused = store.listRuns({ service: 'fixed-ids', kind: 'chat_turn' }).runs;
      expect(reused.map((entry) => [entry.runId, entry.traceId, entry.status, entry.inputTokens, entry.stepCount, entry.toolCallCount])).toEqual([
        ['a000000000000001', later, 'error', 100, 1, 1],
        ['a000000000000001', earlier, 'completed', 10, 1, 1],
      ]);
      for (const [traceId, tokens, event] of [[earlier, 10, 'earlier.event'], [later, 100, 'later.event']] as const) {
        const found = store.getRun('a000000000000001', { traceId })!;
        expect(found.run.traceId).toBe(traceId);
        expect(found.steps.map((step) => step.inputTokens)).toEqual([tokens]);
        expect(found.attempts.map((attempt) => attempt.statusCode)).toEqual([tokens === 10 ? 200 : 500]);
        expect(found.toolCalls).toHaveLength(1);
        expect(found.events.map((entry) => entry.name)).toEqual([event]);
        expect(found.spans.map((span) => [span.traceId, span.name])).toEqual([[traceId, 'SELECT orders']]);
        expect(store.runAnalytics('a000000000000001', { traceId })?.attempts).toBe(1);
      }
      // Without a trace, the newest run with the id: the crossing trace's.
      expect(store.getRun('a000000000000001')!.run.traceId).toBe(crossing);
      expect(store.getRun('a000000000000001', { traceId: '6'.repeat(32) })).toBeUndefined();
      // Foreign GenAI spans with one span id in two traces: two runs of one step each.
      const foreign = store.listRuns({ service: 'fixed-ids', model: 'claude-haiku' }).runs;
      expect(foreign.map((entry) => [entry.runId, entry.stepCount, entry.inputTokens])).toEqual([
        ['5'.repeat(32), 1, 70],
        ['4'.repeat(32), 1, 7],
      ]);
    } finally {
      store.close();
    }

    const env = { ...process.env, NO_COLOR: '1' };
    const show = (await run(process.execPath, [cli, 'show', 'a000000000000001', '--trace', crossing, '--db', db], { env })).stdout;
    expect(show).toMatch(/service\s+agent \(1\.4\.0, prod\)/);
    expect(show).toMatch(/services\s+agent 1\.4\.0 5 spans · gateway 9\.0\.0 1 span/);
    const earlierShow = (await run(process.execPath, [cli, 'show', 'a000000000000001', '--trace', earlier, '--db', db, '--json'], { env })).stdout;
    expect((JSON.parse(earlierShow) as { run: { traceId: string; inputTokens: number } }).run).toMatchObject({ traceId: earlier, inputTokens: 10 });
    const missing = await run(process.execPath, [cli, 'show', 'a000000000000001', '--trace', '6'.repeat(32), '--db', db], { env }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(missing?.stderr).toContain(`no run a000000000000001 in trace ${'6'.repeat(32)}`);

    // Retention takes the hour-old runs, then the resource no span names any more.
    const pruning = openStore({ path: db, sweepOnOpen: false });
    try {
      const result = pruning.applyRetention({ maxAgeMs: 30 * 60_000 });
      expect(result.runs).toBe(4);
    } finally {
      pruning.close();
    }
    const check = new DatabaseSync(db, { readOnly: true });
    try {
      expect(check.prepare('SELECT service_name FROM resources ORDER BY service_name').all().map((row) => row.service_name)).toEqual(['agent', 'gateway']);
    } finally {
      check.close();
    }
  });
});
