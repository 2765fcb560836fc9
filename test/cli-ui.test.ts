// `runtrace ui` and `runtrace collect --ui` as a user starts them: the printed address serves the
// page, its built assets and the API; a wider bind needs the printed token; Ctrl-C stops it.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'packages/cli/bin/runtrace.js');

let dir: string;
let children: ChildProcessWithoutNullStreams[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-cli-ui-'));
});
afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
  await rm(dir, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the first output line matching `pattern` (its first group). */
function start(args: readonly string[], pattern: RegExp): Promise<{ child: ChildProcessWithoutNullStreams; found: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no ${String(pattern)} in: ${output}`)), 20_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, found: match[1] });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${output}`));
    });
  });
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('runtrace ui', () => {
  it('serves the page, its assets and the API at the address it prints, and stops on Ctrl-C', async () => {
    const db = join(dir, 'runtrace.db');
    openStore({ path: db }).close();
    const { child, found: url } = await start(['ui', '--db', db, '--port', '0'], /open (http:\/\/127\.0\.0\.1:\d+\/)/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/assets/app.js"></script>');
    const script = await fetch(`${url}assets/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect(await (await fetch(`${url}api/runs`)).json()).toEqual({ runs: [], nextCursor: null });
    expect(await stop(child)).toBe(0);
  });

  it('says how to record runs when the store does not exist', async () => {
    const failed = await start(['ui', '--db', join(dir, 'missing.db'), '--port', '0'], /(no runtrace database at)/).catch((error: unknown) => error);
    expect(String(failed instanceof Error ? failed.message : (failed as { found: string }).found)).toContain('no runtrace database at');
  });

  it('bound beyond loopback, requires the token it prints', async () => {
    const db = join(dir, 'runtrace.db');
    openStore({ path: db }).close();
    const { child, found: address } = await start(['ui', '--db', db, '--port', '0', '--host', '0.0.0.0'], /open (http:\/\/0\.0\.0\.0:\d+\/\?token=\S+)/);
    const url = new URL(address);
    const base = `http://127.0.0.1:${url.port}`;
    const token = url.searchParams.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(16);
    // Bound to 0.0.0.0, the viewer answers requests addressed to that name only.
    const headers = { host: `0.0.0.0:${url.port}` };
    const { request } = await import('node:http');
    const get = (path: string, extra: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve, reject) => {
        const sent = request(`${base}${path}`, { headers: { ...headers, ...extra } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        sent.on('error', reject);
        sent.end();
      });
    expect(await get('/api/runs')).toBe(401);
    expect(await get('/api/runs', { authorization: 'Bearer wrong-token-0123456789' })).toBe(401);
    expect(await get('/api/runs', { authorization: `Bearer ${token}` })).toBe(200);
    expect(await get(`/?token=${encodeURIComponent(token)}`)).toBe(200);
    expect(await stop(child)).toBe(0);
  });
});

describe('runtrace collect --ui', () => {
  it('serves the viewer over the store it writes', async () => {
    const db = join(dir, 'collector.db');
    const { child, found: url } = await start(['collect', '--db', db, '--port', '0', '--ui-port', '0'], /viewer on (http:\/\/127\.0\.0\.1:\d+\/)/);
    expect((await fetch(url)).status).toBe(200);
    expect(await (await fetch(`${url}api/stats`)).json()).toMatchObject({ overview: { runs: 0 } });
    expect(await stop(child)).toBe(0);
  });
});
