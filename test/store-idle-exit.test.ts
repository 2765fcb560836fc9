// An exporter that never wrote anything must not keep its host process alive.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./__fixtures__/idle-exporter.mjs', import.meta.url));
let dir: string | undefined;

afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function runToExit(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A hang is the failure under test; the guard only turns it into a result instead of a stuck run.
    let killed = false;
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, killed, stderr });
    });
  });
}

describe('SqliteSpanExporter in a host process', () => {
  it('lets the process exit on its own when nothing was exported', async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-idle-exit-'));
    const result = await runToExit(fixture, { ...process.env, DB_PATH: join(dir, 'runtrace.db') });
    expect(result.stderr).toBe('');
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
  });
});
