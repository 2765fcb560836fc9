// A process killed mid-run leaves in-progress rows that the next open finalizes as interrupted.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, expect, it } from 'vitest';

const childScript = fileURLToPath(new URL('./__fixtures__/store-crash-child.mjs', import.meta.url));

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtrace-crash-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('finalizes a run killed with SIGKILL as interrupted on the next open, keeping what was exported', async () => {
  const path = join(dir, 'runtrace.db');
  const child = spawn(process.execPath, [childScript, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const live = openStore({ path, sweepOnOpen: false });
  const during = live.getRun('c100000000000000');
  expect(during?.run.status).toBe('in_progress');
  expect(during?.steps.map((step) => [step.number, step.status])).toEqual([[1, 'completed'], [2, 'in_progress']]);
  live.close();

  // The next open, once the stale threshold has passed, finalizes what the dead process left.
  const later = Date.now() + 10 * 60_000;
  const store = openStore({ path, now: () => later });
  expect(store.openSweep).toEqual({ runs: 1, steps: 1, attempts: 0, toolCalls: 0 });
  const detail = store.getRun('c100000000000000')!;
  expect(detail.run).toMatchObject({ status: 'interrupted', stale: true, conversationId: 'crash', stepCount: 2, inputTokens: 120, outputTokens: 30 });
  expect(detail.steps.map((step) => [step.number, step.status])).toEqual([[1, 'completed'], [2, 'interrupted']]);
  expect(detail.attempts.map((attempt) => attempt.attemptId)).toEqual(['c111000000000000']);
  expect(detail.spans.map((span) => span.name)).toEqual(['tcp.connect']);
  expect(store.integrityCheck()).toEqual(['ok']);
  store.close();
});
