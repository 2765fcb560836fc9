// `runtrace collect` as a process: another service sends OTLP to it, Ctrl-C stops it, the runs are in the store.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeOtlpJson, type OtlpDecodeSuccess } from '@runtrace/collector';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/runtrace.js');

type ReadableSpan = OtlpDecodeSuccess['spans'][number];

/** `runs` runtrace-shaped runs of four spans each (run, step, attempt, tool call), as a remote service would send them. */
function remoteRuns(runs: number): ReadableSpan[] {
  const attributes = (values: Record<string, string | number>): unknown[] =>
    Object.entries(values).map(([key, value]) => ({ key, value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) } }));
  const hex = (width: number, value: number, salt: number): string => `${salt.toString(16)}${value.toString(16)}`.padStart(width, '0');
  const spans: unknown[] = [];
  for (let i = 0; i < runs; i++) {
    const start = 1_763_700_000_000 + i;
    const traceId = hex(32, i, 1);
    const [runId, stepId, attemptId, toolId] = [2, 3, 4, 5].map((salt) => hex(16, i, salt)) as [string, string, string, string];
    const span = (spanId: string, parentSpanId: string | undefined, name: string, values: Record<string, string | number>): unknown => ({
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name,
      kind: 1,
      startTimeUnixNano: `${start}000000`,
      endTimeUnixNano: `${start + 1}000000`,
      attributes: attributes({ [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId, ...values }),
    });
    spans.push(
      span(attemptId, stepId, 'POST', { [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT, [RuntraceAttributes.STEP_ID]: stepId, [RuntraceAttributes.ATTEMPT_NUMBER]: 1, [HttpAttributes.REQUEST_METHOD]: 'POST' }),
      span(stepId, runId, 'chat gpt-4o-mini', { [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP, [RuntraceAttributes.STEP_NUMBER]: 1, [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [GenAiAttributes.USAGE_INPUT_TOKENS]: 10 }),
      span(toolId, runId, 'execute_tool search', { [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL, [GenAiAttributes.TOOL_NAME]: 'search' }),
      span(runId, undefined, 'invoke_agent chat_turn', { [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.RUN_KIND]: 'batch', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini' }),
    );
  }
  const decoded = decodeOtlpJson(JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'batch-job' }, spans }] }] }));
  if (!decoded.ok) throw decoded.error;
  return decoded.spans;
}

/** Starts `runtrace collect` on a free port; resolves once it listens. */
async function startCollect(db: string, cwd: string, extra: readonly string[] = []): Promise<{ port: string; output: () => { stdout: string; stderr: string }; exited: Promise<number | null>; kill: (signal: NodeJS.Signals) => void }> {
  const child = spawn(process.execPath, [cli, 'collect', '--port', '0', '--db', db, ...extra], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/traces on http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
  } catch (error: unknown) {
    child.kill('SIGKILL');
    throw error;
  }
  return { port: /127\.0\.0\.1:(\d+)/.exec(stderr)?.[1] ?? '', output: () => ({ stdout, stderr }), exited, kill: (signal) => child.kill(signal) };
}

describe('runtrace collect', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-collect-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores what another service sends, counts it, and stops cleanly on SIGINT', async () => {
    const db = join(dir, 'collected.db');
    const collect = await startCollect(db, dir);
    try {
      const sent = await run(process.execPath, [join(root, 'examples/from-another-service/src/service.ts')], {
        cwd: root,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collect.port}` },
      });
      const ids = /runs to \S+: (.*)$/m.exec(sent.stdout)?.[1]?.split(' ') ?? [];
      expect(ids).toHaveLength(3);
      await expect.poll(() => collect.output().stdout, { timeout: 15_000 }).toContain('received 11 spans (total 11)');
      collect.kill('SIGINT');
      expect(await collect.exited).toBe(0);
      expect(collect.output().stderr).toContain('stopped after 11 spans in 1 requests');

      const list = await run(process.execPath, [cli, 'runs', '--db', db, '--json'], { cwd: dir });
      const { runs } = JSON.parse(list.stdout) as { runs: { runId: string; kind: string; status: string }[] };
      expect(runs.map((entry) => entry.runId).sort()).toEqual([...ids].sort());
      expect(new Set(runs.map((entry) => `${entry.kind}/${entry.status}`))).toEqual(new Set(['support_reply/completed']));
      const show = await run(process.execPath, [cli, 'show', ids[1]!, '--db', db], { cwd: dir });
      expect(show.stdout).toMatch(/attempt 1 POST 429 +error/);
      expect(show.stdout).toMatch(/attempt 2 POST 200 +completed/);
    } finally {
      collect.kill('SIGKILL');
    }
  });

  it('--grpc-port: also receives OTLP/gRPC, from the official gRPC exporter', async () => {
    const db = join(dir, 'grpc.db');
    const collect = await startCollect(db, dir, ['--grpc-port', '0']);
    try {
      await expect.poll(() => collect.output().stderr, { timeout: 15_000 }).toMatch(/OTLP\/gRPC traces on http:\/\/127\.0\.0\.1:\d+/);
      const grpcUrl = /OTLP\/gRPC traces on (http:\/\/127\.0\.0\.1:\d+)/.exec(collect.output().stderr)![1]!;
      const exporter = new GrpcExporter({ url: grpcUrl });
      const result = await new Promise<ExportResult>((resolve) => exporter.export(remoteRuns(2), resolve));
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      await expect.poll(() => collect.output().stdout, { timeout: 15_000 }).toContain('received 8 spans (total 8)');
      collect.kill('SIGINT');
      expect(await collect.exited).toBe(0);
      const list = await run(process.execPath, [cli, 'runs', '--db', db, '--json'], { cwd: dir });
      expect((JSON.parse(list.stdout) as { runs: unknown[] }).runs).toHaveLength(2);
    } finally {
      collect.kill('SIGKILL');
    }
  });

  it('commits every span of one 50,000-span request before answering 200 (or asks the sender to retry)', async () => {
    const db = join(dir, 'large.db');
    const collect = await startCollect(db, dir);
    try {
      const spans = remoteRuns(12_500);
      expect(spans).toHaveLength(50_000);
      // The real exporter retries 429 and 503 (honouring Retry-After), as any OTLP sender does.
      const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${collect.port}/v1/traces`, timeoutMillis: 120_000 });
      const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
      await exporter.shutdown();
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(ExportResultCode.SUCCESS);

      // Answered means committed: read the file while the collector still runs, without flushing it.
      const reader = new DatabaseSync(db, { readOnly: true });
      try {
        const count = (table: string): number => Number(reader.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.['n']);
        expect({ runs: count('runs'), steps: count('steps'), attempts: count('attempts'), toolCalls: count('tool_calls') }).toEqual({
          runs: 12_500,
          steps: 12_500,
          attempts: 12_500,
          toolCalls: 12_500,
        });
      } finally {
        reader.close();
      }
      collect.kill('SIGINT');
      expect(await collect.exited).toBe(0);
      expect(collect.output().stderr).toContain('stopped after 50000 spans');
    } finally {
      collect.kill('SIGKILL');
    }
  });
});

