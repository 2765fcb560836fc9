// register → example chat agent → store → CLI output, through the example's and the CLI's entry points.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@runtrace/store';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/runtrace.js');

async function runtrace(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '', ...env } });
    return { stdout, stderr, code: 0 };
  } catch (error: unknown) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('the chat-agent example recorded by register() and read with the CLI', () => {
  let dir: string;
  let db: string;
  let agentOutput: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-e2e-'));
    db = join(dir, 'runtrace.db');
    const { stdout } = await run(process.execPath, [join(root, 'examples/chat-agent/src/main.ts')], {
      cwd: dir,
      env: { ...process.env, RUNTRACE_DB: db, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    });
    agentOutput = stdout;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records every turn into the store, the cut stream as an error', () => {
    expect(agentOutput).toContain('recorded 4 runs');
    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      const runs = store.listRuns({ sort: 'start', direction: 'asc' }).runs;
      expect(runs.map((entry) => entry.status)).toEqual(['completed', 'completed', 'error', 'completed']);
      expect(runs.map((entry) => entry.label)).toEqual([
        'What is the weather in Oslo right now?',
        'Thanks! Tell me a short joke about rain.',
        'Write a haiku about tracing.',
        'Now one about retries, please.',
      ]);
    } finally {
      store.close();
    }
  });

  it('lists the runs as a table', async () => {
    const { stdout, code } = await runtrace(['runs', '--db', db]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN +STARTED \(UTC\) +STATUS/);
    // A header, four runs, and the note on the `!` of the run whose streamed step failed.
    expect(lines).toHaveLength(6);
    expect(stdout).toContain('What is the weather in Oslo right now?');
    expect(stdout).toMatch(/[0-9a-f]{16} .* error! .* Write a haiku about tracing\./);
    expect(lines[5]).toBe('! some of its steps failed or were interrupted (runtrace show <run> tells which)');
    expect(stdout).not.toContain('\u001b[');
  });

  it('shows the retried run as a waterfall with both attempts, the tool call and the second step', async () => {
    const list = await runtrace(['runs', '--db', db, '--search', 'weather in Oslo', '--json']);
    const { runs } = JSON.parse(list.stdout) as { runs: { runId: string }[] };
    expect(runs).toHaveLength(1);
    const { stdout, code } = await runtrace(['show', runs[0]!.runId.slice(0, 8), '--db', db]);
    expect(code).toBe(0);
    expect(stdout).toContain(`run ${runs[0]!.runId}`);
    expect(stdout).toContain('3 attempts (1 retry)');
    expect(stdout).toMatch(/step 1 stream gpt-4o-mini +completed/);
    expect(stdout).toMatch(/├─ attempt 1 POST 429 +error .*│.*█.*│ +rate_limited/);
    expect(stdout).toMatch(/└─ attempt 2 POST 200 +completed/);
    expect(stdout).toMatch(/tool get_weather +completed .*call_weather_1/);
    expect(stdout).toMatch(/step 2 stream gpt-4o-mini +completed .*finish stop/);
  });

  it('shows the premature stream close on the failed run, and masked credentials in bodies', async () => {
    const list = await runtrace(['runs', '--db', db, '--status', 'error', '--json']);
    const { runs } = JSON.parse(list.stdout) as { runs: { runId: string }[] };
    const { stdout } = await runtrace(['show', runs[0]!.runId, '--db', db, '--bodies']);
    expect(stdout).toContain('stream upstream-premature');
    expect(stdout).toContain('request body');
    expect(stdout).not.toContain('sk-demo-0123456789abcdefghijklmnopqrstuvwxyz');
  });

  it('draws stats and answers an unknown run id with the closest ones', async () => {
    const stats = await runtrace(['stats', '--db', db]);
    expect(stats.stdout).toContain('success rate 75%');
    expect(stats.stdout).toMatch(/get_weather +█+ +1/);
    const list = await runtrace(['runs', '--db', db, '--json', '--limit', '1']);
    const id = (JSON.parse(list.stdout) as { runs: { runId: string }[] }).runs[0]!.runId;
    const typo = `${id.slice(0, 15)}${id.endsWith('0') ? '1' : '0'}`;
    const missing = await runtrace(['show', typo, '--db', db]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`no run ${typo}`);
    expect(missing.stderr).toContain(id);
  });
});
