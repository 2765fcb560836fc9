// `node --import runtrace/register` with a database it cannot use or a setting it cannot read: the application's own code runs to completion and exits 0.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@runtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNode } from './__fixtures__/run-node.js';
import type { NodeExit } from './__fixtures__/run-node.js';

/** The application: its own register() call (as the README shows) and a run through the recorder it returns. */
const app = fileURLToPath(new URL('./__fixtures__/register-faults-app.mjs', import.meta.url));

function runApp(env: Record<string, string>): Promise<NodeExit> {
  return runNode(['--import', 'runtrace/register', app], { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', RUNTRACE_LOG: '', ...env });
}

function runtraceLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('runtrace:'));
}

describe('node --import runtrace/register', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-import-faults-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with a corrupt database: the app runs to completion, exits 0, and one stderr line names the file, the cause and the fix', async () => {
    const db = join(dir, 'runtrace.db');
    await writeFile(db, 'SQLite format 2 — or rather, not a database at all');
    const result = await runApp({ RUNTRACE_DB: db });
    expect(result.stdout).toContain('app done 42');
    expect(result.code).toBe(0);
    expect(runtraceLines(result.stderr)).toEqual([`runtrace: ${db} is not a runtrace database (file is not a database): move it away or set RUNTRACE_DB to another file; runs are not stored locally until then`]);
    expect(result.stderr).not.toContain('RUNTRACE_REGISTER_FAILED');
  });

  it('with a directory where the database should be: the same', async () => {
    const db = join(dir, 'runtrace.db');
    mkdirSync(db);
    const result = await runApp({ RUNTRACE_DB: db });
    expect(result.stdout).toContain('app done 42');
    expect(result.code).toBe(0);
    expect(runtraceLines(result.stderr)).toEqual([`runtrace: ${db} is a directory, not a database file: remove it or set RUNTRACE_DB to another file; runs are not stored locally until then`]);
  });

  it('with a bad RUNTRACE_CONTENT: the app runs, exits 0, the default applies, the run is recorded, and one line says so', async () => {
    const db = join(dir, 'runtrace.db');
    const result = await runApp({ RUNTRACE_DB: db, RUNTRACE_CONTENT: 'everything' });
    expect(result.stdout).toContain('app done 42');
    expect(result.code).toBe(0);
    expect(runtraceLines(result.stderr)).toEqual([
      'runtrace: RUNTRACE_CONTENT: expected none, metadata or full, got "everything"; using metadata instead: fix or unset RUNTRACE_CONTENT',
    ]);
    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      expect(store.listRuns().runs.map((run) => [run.kind, run.status, run.toolCallCount])).toEqual([['chat_turn', 'completed', 1]]);
    } finally {
      store.close();
    }
  });
});
