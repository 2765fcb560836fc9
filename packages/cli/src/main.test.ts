import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@runtrace/store';
import type { CliIo } from './cli-io.js';
import { ExitCodes } from './exit-codes.js';
import { main } from './main.js';

interface Captured {
  readonly io: Partial<CliIo>;
  stdout(): string;
  stderr(): string;
}

function capture(cwd: string, env: Record<string, string> = {}): Captured {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env, cwd, now: () => Date.parse('2026-11-21T12:00:00Z') },
    stdout: () => out,
    stderr: () => err,
  };
}

describe('main', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 3 and explains how to create a database when the file is missing', async () => {
    const run = capture(dir);
    expect(await main(['runs'], run.io)).toBe(ExitCodes.NOT_FOUND);
    expect(run.stderr()).toContain(`no runtrace database at ${join(dir, '.runtrace/runtrace.db')}`);
    expect(run.stderr()).toContain('register()');
    expect(run.stdout()).toBe('');
  });

  it('colours only a terminal, and never with NO_COLOR', async () => {
    const output = async (env: Record<string, string>, isTTY: boolean): Promise<string> => {
      let err = '';
      await main(['runs'], { stdout: { write: () => true, isTTY }, stderr: { write: (text: string) => (err += text), isTTY }, env, cwd: dir });
      return err;
    };
    expect(await output({}, true)).toContain('\u001b[31mruntrace:\u001b[39m');
    expect(await output({ NO_COLOR: '1' }, true)).not.toContain('\u001b[');
    expect(await output({}, false)).not.toContain('\u001b[');
  });

  it('reads RUNTRACE_DB and --db, and lists an empty store', async () => {
    const path = join(dir, 'a.db');
    openStore({ path }).close();
    const fromEnv = capture(dir, { RUNTRACE_DB: 'a.db' });
    expect(await main(['runs'], fromEnv.io)).toBe(ExitCodes.OK);
    expect(fromEnv.stdout()).toBe('no runs match\n');
    const json = capture(dir);
    expect(await main(['runs', '--db', path, '--json'], json.io)).toBe(ExitCodes.OK);
    expect(JSON.parse(json.stdout())).toEqual({ runs: [], nextCursor: null });
  });

  it('answers an unknown run id with exit 3', async () => {
    const path = join(dir, 'a.db');
    openStore({ path }).close();
    const run = capture(dir);
    expect(await main(['show', 'c063140c97b2c0c2', '--db', path], run.io)).toBe(ExitCodes.NOT_FOUND);
    expect(run.stderr()).toContain('no run c063140c97b2c0c2');
    expect(run.stderr()).toContain('the store has no runs yet');
  });

  it('exits 2 for usage errors, with a pointer to help', async () => {
    const unknown = capture(dir);
    expect(await main(['sohw'], unknown.io)).toBe(ExitCodes.USAGE);
    expect(unknown.stderr()).toContain('did you mean show?');
    const flag = capture(dir);
    expect(await main(['runs', '--limit', '0'], flag.io)).toBe(ExitCodes.USAGE);
    expect(flag.stderr()).toContain('--limit wants a whole number from 1 to 1000');
    const prune = capture(dir);
    expect(await main(['prune'], prune.io)).toBe(ExitCodes.USAGE);
    expect(prune.stderr()).toContain('--older-than');
    const none = capture(dir);
    expect(await main([], none.io)).toBe(ExitCodes.USAGE);
    expect(none.stdout()).toContain('usage: runtrace <command>');
  });

  it('prints help for each command and the version', async () => {
    for (const command of ['runs', 'show', 'stats', 'collect', 'sweep', 'prune', 'export']) {
      const run = capture(dir);
      expect(await main([command, '--help'], run.io)).toBe(ExitCodes.OK);
      expect(run.stdout()).toContain(`runtrace ${command}`);
    }
    const version = capture(dir);
    expect(await main(['--version'], version.io)).toBe(ExitCodes.OK);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('compares stats with the period before: the last 7 days by default, none with --all', async () => {
    const path = join(dir, 'a.db');
    openStore({ path }).close();
    const now = Date.parse('2026-11-21T12:00:00Z');
    const week = capture(dir);
    expect(await main(['stats', '--db', path, '--json'], week.io)).toBe(ExitCodes.OK);
    const { overview } = JSON.parse(week.stdout()) as { overview: { from: number; to: number; previousPeriod: { runs: number } | null } };
    expect([overview.from, overview.to]).toEqual([now - 7 * 86_400_000, now]);
    expect(overview.previousPeriod).toMatchObject({ runs: 0 });
    const text = capture(dir);
    expect(await main(['stats', '--db', path], text.io)).toBe(ExitCodes.OK);
    expect(text.stdout()).toContain('(change against the period before)');
    expect(text.stdout()).toContain('previous     0 runs');
    const all = capture(dir);
    expect(await main(['stats', '--db', path, '--all', '--json'], all.io)).toBe(ExitCodes.OK);
    expect(JSON.parse(all.stdout())).toMatchObject({ overview: { from: null, to: null, previousPeriod: null } });
    const both = capture(dir);
    expect(await main(['stats', '--db', path, '--all', '--since', '1d'], both.io)).toBe(ExitCodes.USAGE);
    expect(both.stderr()).toContain('--all cannot be combined with --since or --until');
  });

  it('sweeps, prunes and exports an existing store', async () => {
    const path = join(dir, 'a.db');
    openStore({ path }).close();
    const sweep = capture(dir);
    expect(await main(['sweep', '--db', path, '--stale-after', '1m', '--json'], sweep.io)).toBe(ExitCodes.OK);
    expect(JSON.parse(sweep.stdout())).toEqual({ runs: 0, steps: 0, attempts: 0, toolCalls: 0 });
    const prune = capture(dir);
    expect(await main(['prune', '--db', path, '--older-than', '30d', '--json'], prune.io)).toBe(ExitCodes.OK);
    expect(JSON.parse(prune.stdout())).toMatchObject({ runs: 0 });
    const exported = capture(dir);
    expect(await main(['export', '--db', path, '--json'], exported.io)).toBe(ExitCodes.OK);
    expect(JSON.parse(exported.stdout())).toMatchObject({ database: path, runs: [] });
  });

  it('stops collect when its signal aborts and reports a port in use', async () => {
    const controller = new AbortController();
    const run = capture(dir);
    const done = main(['collect', '--port', '0', '--db', join(dir, 'c.db')], { ...run.io, signal: controller.signal });
    await expect.poll(() => run.stderr()).toContain('OTLP/HTTP traces on http://127.0.0.1:');
    const port = /127\.0\.0\.1:(\d+)/.exec(run.stderr())?.[1] ?? '';
    const second = capture(dir);
    expect(await main(['collect', '--port', port, '--db', join(dir, 'c.db')], second.io)).toBe(ExitCodes.ERROR);
    expect(second.stderr()).toContain(`port ${port} is in use`);
    controller.abort();
    expect(await done).toBe(ExitCodes.OK);
    expect(run.stderr()).toContain('stopped after 0 spans');
  });
});
