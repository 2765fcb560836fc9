// With the OTLP backend down (connection refused, silent, or answering 503), shutdown and process exit stay bounded, one line says what did not arrive, and the local store is complete.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import { register } from 'runtrace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNode } from './__fixtures__/run-node.js';
import { closedPortUrl, startMockOtlpBackend } from '@runtrace/testkit';
import type { MockOtlpBackend } from '@runtrace/testkit';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = fileURLToPath(new URL('./__fixtures__/register-faults-app.mjs', import.meta.url));
const inFlightApp = fileURLToPath(new URL('./__fixtures__/export-in-flight-app.mjs', import.meta.url));
const flushApp = fileURLToPath(new URL('./__fixtures__/flush-then-exit-app.mjs', import.meta.url));
/** Loose on purpose (a shared machine): the default timeout is 2 s, and an unbounded exit takes 8.5–10 s. */
const BOUND_MS = 4_000;

type Down = 'refused' | 'silent' | '503';

/** A traces URL for the backend state, and a way to stop it. */
async function downBackend(state: Down): Promise<{ url: string; cause: RegExp; backend?: MockOtlpBackend }> {
  if (state === 'refused') return { url: await closedPortUrl(), cause: /\(last error: connection refused \(ECONNREFUSED\)\)/ };
  const backend = await startMockOtlpBackend(state === 'silent' ? 'silent' : { status: 503 });
  return { url: backend.url, backend, cause: state === 'silent' ? /\(the endpoint did not answer\)/ : /\(last error: 503 Service Unavailable\)/ };
}

function storedRuns(path: string): string[] {
  const store = openStore({ path, sweepOnOpen: false });
  try {
    return store.listRuns({ limit: 100 }).runs.map((run) => `${run.status}:${run.stepCount}`);
  } finally {
    store.close();
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-shutdown-'));
});
afterEach(async () => {
  trace.disable();
  await rm(dir, { recursive: true, force: true });
});

describe('shutdown() with the OTLP backend down', () => {
  for (const state of ['refused', 'silent', '503'] as const) {
    it(`${state}: finishes within the default timeout, reports the spans that did not arrive, keeps the store complete`, async () => {
      const { url, cause, backend } = await downBackend(state);
      const path = join(dir, 'runtrace.db');
      const lines: string[] = [];
      try {
        const runtrace = register({ store: path, otlp: { endpoint: url }, fetch: false, env: {}, diagnosticSink: (line) => lines.push(line) });
        for (let index = 0; index < 10; index++) {
          await runtrace.recorder.run({ kind: 'chat_turn', label: `run ${index}` }, (run) => run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => index));
        }
        const started = performance.now();
        await runtrace.shutdown();
        const elapsed = performance.now() - started;
        expect(elapsed).toBeLessThan(BOUND_MS);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^runtrace: 20 spans did not reach OTLP at ${url} within the 2000 ms shutdown timeout `));
        expect(lines[0]).toMatch(cause);
        expect(lines[0]).toContain('; the local store has them: check that the endpoint is up, or raise RUNTRACE_SHUTDOWN_TIMEOUT');
        expect(runtrace.stats().otlp).toMatchObject({ exportedSpans: 0, failedSpans: 20, queuedSpans: 0 });
        expect(storedRuns(path)).toEqual(Array(10).fill('completed:1'));
      } finally {
        await backend?.close();
      }
    });
  }

  it('takes its bound from shutdownTimeoutMs', async () => {
    const { url, backend } = await downBackend('silent');
    const lines: string[] = [];
    try {
      const runtrace = register({ store: join(dir, 'runtrace.db'), otlp: { endpoint: url }, fetch: false, env: {}, shutdownTimeoutMs: 300, diagnosticSink: (line) => lines.push(line) });
      await runtrace.recorder.run({ kind: 'chat_turn' }, () => undefined);
      const started = performance.now();
      await runtrace.shutdown();
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(lines).toEqual([expect.stringContaining('1 span did not reach OTLP') as string]);
      expect(lines[0]).toContain('within the 300 ms shutdown timeout');
    } finally {
      await backend?.close();
    }
  });
});

interface AppExit {
  readonly code: number | null;
  /** From the application's last line to the process's exit. */
  readonly exitAfterAppMs: number;
  readonly stderr: string;
}

async function runApp(env: Record<string, string>, args: readonly string[] = ['--import', 'runtrace/register', app]): Promise<AppExit> {
  const { code, stdout, stderr, exitedAt } = await runNode(args, { RUNTRACE_LOG: '', RUNTRACE_SHUTDOWN_TIMEOUT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', ...env });
  const done = /app done (?:42 )?(\d+)/.exec(stdout);
  return { code, stderr, exitAfterAppMs: done === null ? Number.NaN : exitedAt - Number(done[1]) };
}

describe('process exit under node --import runtrace/register with the OTLP backend down', () => {
  for (const state of ['refused', 'silent', '503'] as const) {
    it(`${state}: the process exits soon after the app's work, with one line, and the store has the run`, async () => {
      const { url, cause, backend } = await downBackend(state);
      const db = join(dir, 'runtrace.db');
      try {
        // The generic endpoint variable is a base URL: runtrace appends /v1/traces.
        const result = await runApp({ RUNTRACE_DB: db, OTEL_EXPORTER_OTLP_ENDPOINT: url.replace(/\/v1\/traces$/, '') });
        expect(result.code).toBe(0);
        expect(result.exitAfterAppMs).toBeLessThan(BOUND_MS);
        const lines = result.stderr.split('\n').filter((line) => line.startsWith('runtrace:'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^runtrace: 2 spans did not reach OTLP at ${url} within the 2000 ms shutdown timeout `));
        expect(lines[0]).toMatch(cause);
        expect(storedRuns(db)).toEqual(['completed:0']);
      } finally {
        await backend?.close();
      }
    });
  }

  for (const state of ['refused', '503'] as const) {
    it(`${state}: an export already in flight (retrying) when the app's work ends does not hold the exit either`, async () => {
      const { url, backend } = await downBackend(state);
      const db = join(dir, 'runtrace.db');
      try {
        const result = await runApp({ DB_PATH: db, OTLP_URL: url }, [inFlightApp]);
        expect(result.code).toBe(0);
        expect(result.exitAfterAppMs).toBeLessThan(BOUND_MS);
        expect(result.stderr).toMatch(/runtrace: 1 span did not reach OTLP|runtrace: 2 spans did not reach OTLP/);
        expect(storedRuns(db)).toEqual(['completed:0', 'completed:0']);
      } finally {
        await backend?.close();
      }
    });
  }

  it('a forceFlush() the app awaits still keeps the process alive until a slow backend answered', async () => {
    const backend = await startMockOtlpBackend({ status: 200, delayMs: 300 });
    try {
      const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [flushApp], { cwd: root, env: { ...process.env, OTLP_URL: backend.url }, stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, stdout }));
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('exported 1');
    } finally {
      await backend.close();
    }
  });

  it('RUNTRACE_SHUTDOWN_TIMEOUT shortens the wait', async () => {
    const { url, backend } = await downBackend('silent');
    try {
      const result = await runApp({ RUNTRACE_DB: join(dir, 'runtrace.db'), OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, RUNTRACE_SHUTDOWN_TIMEOUT: '300ms' });
      expect(result.code).toBe(0);
      expect(result.exitAfterAppMs).toBeLessThan(1_500);
      expect(result.stderr).toContain('within the 300 ms shutdown timeout');
    } finally {
      await backend?.close();
    }
  });
});
