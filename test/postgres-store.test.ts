// The team store: apps in several processes and two collectors write one PostgreSQL database at once (a real server), and a reader sees every run once, finished.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from './__fixtures__/postgres-server.js';
import type { PostgresServer } from './__fixtures__/postgres-server.js';
import { startStoreCollector } from './__fixtures__/store-collector.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../packages/cli/bin/runtrace.js', import.meta.url));

const PROCESSES = 6;
const RUNS_PER_PROCESS = 40;

/** An app that records runs (one step and one tool call each) into the store its RUNTRACE_DB names. */
const APP = fileURLToPath(new URL('./__fixtures__/postgres-app.mjs', import.meta.url));

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('a PostgreSQL store shared by many writers', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it(`takes ${PROCESSES} app processes starting together on a fresh database: one schema, every run once, finished`, async () => {
    const url = await server.createDatabase('apps');
    const outputs = await Promise.all(
      Array.from({ length: PROCESSES }, (_, index) =>
        run(process.execPath, [APP, String(index), String(RUNS_PER_PROCESS)], { env: { ...process.env, RUNTRACE_DB: url, OTEL_EXPORTER_OTLP_ENDPOINT: '' }, timeout: 60_000 }),
      ),
    );
    for (const { stdout, stderr } of outputs) {
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ written: RUNS_PER_PROCESS * 3, failed: 0, dropped: 0 });
      expect(stderr).not.toContain('runtrace-test'); // the password never appears
    }
    const total = PROCESSES * RUNS_PER_PROCESS;
    expect(await query(url, 'SELECT version FROM runtrace_schema')).toEqual([{ version: 4 }]);
    expect(await query(url, "SELECT status, count(*)::int AS n FROM runtrace_runs GROUP BY status")).toEqual([{ status: 'completed', n: total }]);
    expect(await query(url, "SELECT count(*)::int AS n FROM runtrace_steps WHERE status = 'completed' AND input_tokens = 100")).toEqual([{ n: total }]);
    expect(await query(url, "SELECT count(*)::int AS n FROM runtrace_tool_calls WHERE status = 'completed'")).toEqual([{ n: total }]);
    // The runs carry their summary: tokens and tool calls rolled up by the processor.
    expect(await query(url, 'SELECT sum(input_tokens)::int AS i, sum(tool_call_count)::int AS t FROM runtrace_runs')).toEqual([{ i: 100 * total, t: total }]);
  }, 120_000);

  it('takes the same OTLP request through two collectors into one database, stored once', async () => {
    const url = await server.createDatabase('collectors');
    const first = await startStoreCollector(url, { port: 0 });
    const second = await startStoreCollector(url, { port: 0 });
    try {
      const now = Date.now();
      const span = (spanId: string, name: string, attributes: Record<string, string>, parentSpanId?: string): Record<string, unknown> => ({
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId,
        ...(parentSpanId === undefined ? {} : { parentSpanId }),
        name,
        kind: 1,
        startTimeUnixNano: String(BigInt(now - 1_000) * 1_000_000n),
        endTimeUnixNano: String(BigInt(now) * 1_000_000n),
        status: { code: 1 },
        attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
      });
      const body = JSON.stringify({
        resourceSpans: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [{ scope: { name: 'test' }, spans: [
            span('eee19b7ec3c1b174', 'invoke_agent support', { 'runtrace.span.kind': 'run', 'runtrace.run.kind': 'chat_turn', 'runtrace.status': 'completed' }),
            span('aaa19b7ec3c1b174', 'chat gpt-4o-mini', { 'runtrace.span.kind': 'step', 'runtrace.status': 'completed', 'runtrace.run.id': 'eee19b7ec3c1b174' }, 'eee19b7ec3c1b174'),
          ] }],
        }],
      });
      const answers = await Promise.all([first.url!, second.url!, first.url!].map((target) => fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    } finally {
      await first.close();
      await second.close();
    }
    expect(await query(url, 'SELECT run_id, status, step_count::int AS steps FROM runtrace_runs')).toEqual([{ run_id: 'eee19b7ec3c1b174', status: 'completed', steps: 1 }]);
    expect(await query(url, 'SELECT service_name FROM runtrace_resources')).toEqual([{ service_name: 'checkout' }]);
  }, 60_000);

  it('is what `runtrace collect --db postgres://…` writes into, the password never printed', async () => {
    const url = await server.createDatabase('cli');
    const child = spawn(process.execPath, [cli, 'collect', '--port', '0', '--db', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/traces on http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
      const target = /(http:\/\/127\.0\.0\.1:\d+\/v1\/traces)/.exec(stderr)![1]!;
      const now = BigInt(Date.now()) * 1_000_000n;
      const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'cli' }, spans: [{
        traceId: '6b8efff798038103d269b633813fc60c', spanId: 'fee19b7ec3c1b174', name: 'invoke_agent batch', kind: 1,
        startTimeUnixNano: String(now - 1_000_000_000n), endTimeUnixNano: String(now), status: { code: 1 },
        attributes: [{ key: 'runtrace.span.kind', value: { stringValue: 'run' } }, { key: 'runtrace.run.kind', value: { stringValue: 'batch' } }],
      }] }] }] });
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(answer.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('postgres://runtrace:***@');
    expect(stderr).not.toContain('runtrace-test');
    expect(await query(url, 'SELECT run_id, kind, status FROM runtrace_runs')).toEqual([{ run_id: 'fee19b7ec3c1b174', kind: 'batch', status: 'completed' }]);
  }, 60_000);

  it('is read by every CLI command and by the viewer, given --db postgres://… or RUNTRACE_DB', async () => {
    const url = await server.createDatabase('readers');
    await run(process.execPath, [APP, 'reader', '3'], { env: { ...process.env, RUNTRACE_DB: url, OTEL_EXPORTER_OTLP_ENDPOINT: '' }, timeout: 60_000 });
    const cliJson = async (...args: string[]): Promise<Record<string, unknown>> => {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args, '--db', url, '--json'], { timeout: 30_000 });
      expect(stderr).not.toContain('runtrace-test');
      return JSON.parse(stdout) as Record<string, unknown>;
    };
    const { runs } = (await cliJson('runs')) as { runs: { runId: string; status: string; stepCount: number; toolCallCount: number }[] };
    expect(runs.map((entry) => [entry.status, entry.stepCount, entry.toolCallCount])).toEqual([['completed', 1, 1], ['completed', 1, 1], ['completed', 1, 1]]);
    const shown = (await cliJson('show', runs[0]!.runId.slice(0, 8))) as { run: { runId: string }; steps: unknown[]; toolCalls: unknown[]; analytics: { steps: number } };
    expect([shown.run.runId, shown.steps.length, shown.toolCalls.length, shown.analytics.steps]).toEqual([runs[0]!.runId, 1, 1, 1]);
    expect(((await cliJson('stats', '--all')) as { overview: { runs: number; inputTokens: number } }).overview).toMatchObject({ runs: 3, inputTokens: 300 });
    expect(await cliJson('sweep')).toEqual({ runs: 0, steps: 0, attempts: 0, toolCalls: 0 });
    expect(await cliJson('prune', '--older-than', '30d')).toMatchObject({ runs: 0 });
    const exported = JSON.parse((await run(process.execPath, [cli, 'export', '--db', url], { timeout: 30_000 })).stdout) as { database: string; runs: unknown[] };
    expect(exported.runs).toHaveLength(3);
    expect(exported.database).not.toContain('runtrace-test');
    // RUNTRACE_DB names it just as well.
    const listed = await run(process.execPath, [cli, 'runs', '--json'], { env: { ...process.env, RUNTRACE_DB: url }, timeout: 30_000 });
    expect((JSON.parse(listed.stdout) as { runs: unknown[] }).runs).toHaveLength(3);

    const doctor = (await cliJson('doctor')) as { checks: { name: string; status: string; summary: string }[]; configuration: Record<string, { value: string }> };
    expect(doctor.checks.filter((entry) => ['database', 'schema', 'contents'].includes(entry.name)).map((entry) => [entry.name, entry.status, entry.summary])).toEqual([
      ['database', 'ok', `${url.replace('runtrace-test', '***')} (PostgreSQL)`],
      ['schema', 'ok', 'version 4'],
      ['contents', 'ok', '3 runs'],
    ]);
    // Read-only: on an empty database it says so and makes no table.
    const empty = await server.createDatabase('doctor_empty');
    const fresh = JSON.parse((await run(process.execPath, [cli, 'doctor', '--db', empty, '--json'], { timeout: 30_000 })).stdout) as { checks: { name: string; status: string; summary: string }[] };
    expect(fresh.checks.find((entry) => entry.name === 'schema')).toMatchObject({ status: 'warn', summary: expect.stringContaining('no runtrace tables yet') });
    expect(await query(empty, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'runtrace%'")).toEqual([{ n: 0 }]);
    expect(JSON.stringify(doctor)).not.toContain('runtrace-test');

    const viewer = spawn(process.execPath, [cli, 'ui', '--port', '0', '--db', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    viewer.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => viewer.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => stdout, { timeout: 15_000 }).toMatch(/open http:\/\/127\.0\.0\.1:\d+\//);
      const address = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1]!;
      const page = (await (await fetch(`${address}api/runs`)).json()) as { runs: { runId: string }[] };
      expect(page.runs.map((entry) => entry.runId).sort()).toEqual(runs.map((entry) => entry.runId).sort());
      const detail = (await (await fetch(`${address}api/run?id=${runs[1]!.runId}`)).json()) as { detail: { steps: unknown[] } };
      expect(detail.detail.steps).toHaveLength(1);
      const stats = (await (await fetch(`${address}api/stats`)).json()) as { overview: { runs: number } };
      expect(stats.overview.runs).toBe(3);
      // Live: another process writes a run, and the open event stream says so.
      const events = (await fetch(`${address}api/events`)).body!.getReader();
      let received = '';
      const until = async (text: string): Promise<void> => {
        const deadline = Date.now() + 15_000;
        while (!received.includes(text)) {
          if (Date.now() > deadline) throw new Error(`no ${text} in ${received}`);
          const { value, done } = await events.read();
          if (done) throw new Error(`the stream ended: ${received}`);
          received += new TextDecoder().decode(value);
        }
      };
      await until('event: hello');
      await run(process.execPath, [APP, 'live', '1'], { env: { ...process.env, RUNTRACE_DB: url, OTEL_EXPORTER_OTLP_ENDPOINT: '' }, timeout: 60_000 });
      await until('event: change');
      await events.cancel();
      expect(((await (await fetch(`${address}api/runs`)).json()) as { runs: unknown[] }).runs).toHaveLength(4);
    } finally {
      viewer.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    // Retention by size: the oldest runs go until the rows fit.
    const pruned = (await cliJson('prune', '--max-size', '1b')) as { runs: number; bytesBefore: number; bytesAfter: number };
    expect(pruned.runs).toBe(4);
    expect(pruned.bytesAfter).toBeLessThan(pruned.bytesBefore);
    expect(((await cliJson('runs')) as { runs: unknown[] }).runs).toEqual([]);
  }, 90_000);
});
