// `node --import runtrace/register app.mjs`: configured from the environment, finalized on exit.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@runtrace/store';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('runtrace/register', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-import-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the application into RUNTRACE_DB and finalizes the run left open as interrupted', async () => {
    const db = join(dir, 'app.db');
    const { stdout } = await run(process.execPath, ['--import', 'runtrace/register', join(root, 'test/__fixtures__/import-register-app.mjs')], {
      cwd: root,
      // The application must exit on its own: the shutdown hook runs on beforeExit.
      timeout: 30_000,
      env: { ...process.env, RUNTRACE_DB: db, RUNTRACE_CONTENT: 'full', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    });
    expect(stdout).toContain('app done');
    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      const runs = store.listRuns({ sort: 'start', direction: 'asc' }).runs;
      expect(runs.map((entry) => [entry.kind, entry.status])).toEqual([
        ['chat_turn', 'completed'],
        ['background', 'interrupted'],
      ]);
      expect(runs[0]).toMatchObject({ label: 'hello from --import', toolCallCount: 1 });
    } finally {
      store.close();
    }
  });

  it('keeps the application running, with a warning, when the configuration is wrong', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'runtrace/register', join(root, 'test/__fixtures__/import-register-app.mjs')], {
      cwd: root,
      timeout: 30_000,
      env: { ...process.env, RUNTRACE_DB: join(dir, 'app.db'), RUNTRACE_CONTENT: 'everything' },
    });
    expect(stdout).toContain('app done');
    // The bad value is ignored (its default applies) and said so; recording goes on.
    expect(stderr).toContain('RUNTRACE_CONTENT');
    expect(stderr).toContain('using metadata instead');
  });
});
