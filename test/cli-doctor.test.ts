// `runtrace doctor` through the built CLI: a sound database, a corrupt one, a missing one, and an OTLP endpoint nobody answers on.
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCodes, main } from '@runtrace/cli';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPortUrl, startMockOtlpBackend } from '@runtrace/testkit';

interface Report {
  readonly ok: boolean;
  readonly configuration: Record<string, { value: string; source: string }>;
  readonly checks: { name: string; status: string; summary: string; fix?: string }[];
}

async function doctor(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['doctor', ...args], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env, cwd });
  return { code, stdout, stderr };
}

function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.checks.map((entry) => [entry.name, entry.status]));
}

describe('runtrace doctor', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-doctor-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a sound database with a reachable endpoint, and masks header values', async () => {
    const path = join(dir, 'runtrace.db');
    openStore({ path }).close();
    const backend = await startMockOtlpBackend({ status: 200 });
    try {
      const env = { RUNTRACE_DB: path, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: backend.url, OTEL_EXPORTER_OTLP_HEADERS: 'api-key=sk-live-abcdef' };
      const json = await doctor(['--json'], env, dir);
      expect(json.code).toBe(ExitCodes.OK);
      const report = JSON.parse(json.stdout) as Report;
      expect(report.ok).toBe(true);
      expect(statuses(report)).toEqual({ 'database file': 'ok', sqlite: 'ok', schema: 'ok', integrity: 'ok', runs: 'ok', 'write access': 'ok', 'otlp endpoint': 'ok' });
      expect(report.configuration.store).toEqual({ value: path, source: 'RUNTRACE_DB' });
      expect(report.configuration['otlp headers']?.value).toBe('api-key=****');
      expect(json.stdout).not.toContain('sk-live-abcdef');
      expect(backend.received).toHaveLength(1);
      const text = await doctor([], env, dir);
      expect(text.code).toBe(ExitCodes.OK);
      expect(text.stdout).toContain('✓ integrity');
      expect(text.stdout).toContain('all good');
    } finally {
      await backend.close();
    }
  });

  it('fails a corrupt database, says why and what to do, and exits 1', async () => {
    const path = join(dir, 'runtrace.db');
    openStore({ path }).close();
    const fd = openSync(path, 'r+');
    const garbage = Buffer.from('this is no longer a database header');
    writeSync(fd, garbage, 0, garbage.length, 0);
    closeSync(fd);
    const result = await doctor(['--db', path, '--json'], {}, dir);
    expect(result.code).toBe(ExitCodes.ERROR);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(report.checks.find((entry) => entry.name === 'sqlite')).toMatchObject({ status: 'fail', summary: expect.stringContaining('not a SQLite database') as string, fix: expect.stringContaining('move it away') as string });
    const text = await doctor(['--db', path], {}, dir);
    expect(text.code).toBe(ExitCodes.ERROR);
    expect(text.stdout).toContain('✗ sqlite');
    expect(text.stdout).toContain('1 problem to fix');
  });

  it('warns about a missing database without failing, and says how one gets created', async () => {
    const result = await doctor(['--json'], {}, dir);
    expect(result.code).toBe(ExitCodes.OK);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.checks[0]).toMatchObject({ name: 'database file', status: 'warn', summary: `no database at ${join(dir, '.runtrace', 'runtrace.db')} yet (runtrace creates it on the first recorded run)` });
    expect(report.checks[0]?.fix).toContain('register()');
    expect(report.checks.find((entry) => entry.name === 'otlp endpoint')?.status).toBe('skip');
  });

  it('fails an unreachable OTLP endpoint and a setting runtrace would ignore', async () => {
    const path = join(dir, 'runtrace.db');
    openStore({ path }).close();
    const url = await closedPortUrl();
    const started = Date.now();
    const result = await doctor(['--db', path, '--json'], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, RUNTRACE_CONTENT: 'all' }, dir);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(ExitCodes.ERROR);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.checks.find((entry) => entry.name === 'otlp endpoint')).toMatchObject({ status: 'fail', summary: `cannot reach ${url}: connection refused (ECONNREFUSED)` });
    expect(report.checks.find((entry) => entry.name === 'setting RUNTRACE_CONTENT')).toMatchObject({ status: 'fail', fix: 'fix or unset RUNTRACE_CONTENT' });
    expect(statuses(report)).toMatchObject({ 'database file': 'ok', integrity: 'ok' });
  });
});
