// Two services sending to one collector (the real OTLP/protobuf exporter, a resource each): their
// runs are told apart in the store (service, version, environment), by listRuns, analytics and
// the CLI (`runs --service`, `stats`, `show`).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const run = promisify(execFile);
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'packages/cli/bin/runtrace.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-services-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One runtrace run (run span and a step) of `service`, as its SDK would export it. */
function runOf(service: Record<string, string>, index: number, failed: boolean): ReadableSpan[] {
  const traceId = `${index.toString(16).padStart(2, '0')}`.repeat(16);
  const runId = `a${index.toString(16).padStart(15, '0')}`;
  const stepId = `b${index.toString(16).padStart(15, '0')}`;
  const start = Date.now() - 60_000 + index * 1_000;
  const resource = resourceFromAttributes(service);
  const span = (spanId: string, parent: string | undefined, name: string, attributes: Record<string, string | number>): ReadableSpan =>
    ({
      name,
      kind: 0,
      spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
      ...(parent === undefined ? {} : { parentSpanContext: { traceId, spanId: parent, traceFlags: 1 } }),
      startTime: [Math.floor(start / 1000), (start % 1000) * 1e6],
      endTime: [Math.floor(start / 1000) + 1, (start % 1000) * 1e6],
      status: { code: failed ? 2 : 1 },
      attributes: { [RuntraceAttributes.RUN_ID]: runId, [RuntraceAttributes.STATUS]: failed ? 'error' : 'completed', ...attributes },
      links: [],
      events: [],
      duration: [1, 0],
      ended: true,
      resource,
      instrumentationScope: { name: 'test' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  return [
    span(stepId, runId, 'chat gpt-4o-mini', { [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP, [RuntraceAttributes.STEP_NUMBER]: 1, [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini' }),
    span(runId, undefined, 'invoke_agent', { [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.RUN_KIND]: 'chat_turn', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini' }),
  ];
}

function exportSpans(url: string, spans: ReadableSpan[]): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url });
  return new Promise((resolve) => exporter.export(spans, resolve)).finally(() => exporter.shutdown()) as Promise<ExportResult>;
}

describe('two services through one collector', () => {
  it('are told apart by listRuns, analytics and the CLI', async () => {
    const db = join(dir, 'collector.db');
    const collector = await startStoreCollector(db, { port: 0 });
    const commandLine = `node app.js --api-key=${['sk', 'proj', 'Qw9'.repeat(16)].join('-')}`;
    const checkout = { 'service.name': 'checkout', 'service.version': '2.1.0', 'deployment.environment.name': 'staging', 'host.name': 'web-1', 'process.command_line': commandLine };
    const search = { 'service.name': 'search' };
    try {
      expect((await exportSpans(collector.url!, [...runOf(checkout, 1, false), ...runOf(checkout, 2, true)])).code).toBe(ExportResultCode.SUCCESS);
      expect((await exportSpans(collector.url!, runOf(search, 3, false))).code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await collector.close();
    }

    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      const checkoutRuns = store.listRuns({ service: 'checkout' }).runs;
      expect(checkoutRuns.map((entry) => [entry.service, entry.serviceVersion, entry.environment])).toEqual([
        ['checkout', '2.1.0', 'staging'],
        ['checkout', '2.1.0', 'staging'],
      ]);
      expect(store.listRuns({ service: 'search' }).runs.map((entry) => [entry.service, entry.serviceVersion, entry.environment])).toEqual([['search', null, null]]);
      expect(store.analytics().serviceBreakdown.map(({ service, runs, errors }) => ({ service, runs, errors }))).toEqual([
        { service: 'checkout', runs: 2, errors: 1 },
        { service: 'search', runs: 1, errors: 0 },
      ]);
      expect(store.overview({ service: 'search' }).runs).toBe(1);
      // The run's whole resource is kept, redacted like span attributes.
      const resource = store.getRun('a000000000000001')!.resource!;
      expect(resource).toMatchObject({ 'service.name': 'checkout', 'host.name': 'web-1' });
      expect(String(resource['process.command_line'])).toContain('node app.js');
      expect(JSON.stringify(resource)).not.toContain('Qw9Qw9');
      expect(store.getRun('a000000000000003')!.resource).toMatchObject({ 'service.name': 'search' });
    } finally {
      store.close();
    }

    const env = { ...process.env, NO_COLOR: '1' };
    const runs = (await run(process.execPath, [cli, 'runs', '--db', db, '--service', 'search'], { env })).stdout;
    expect(runs).toContain('a000000000000003');
    expect(runs).not.toContain('a000000000000001');
    const stats = (await run(process.execPath, [cli, 'stats', '--db', db], { env })).stdout;
    expect(stats).toMatch(/services/);
    expect(stats).toMatch(/checkout/);
    expect(stats).toMatch(/search/);
    const show = (await run(process.execPath, [cli, 'show', 'a000000000000001', '--db', db], { env })).stdout;
    expect(show).toMatch(/service\s+checkout \(2\.1\.0, staging\)/);
    expect(show).toMatch(/resource\s+.*host\.name=web-1/);
    expect(show).not.toContain('Qw9Qw9');
  });
});
