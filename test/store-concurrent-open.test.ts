// Several processes opening one fresh store file at the same moment all succeed (the schema is
// created once, under SQLite's write lock) and all their runs land; a store named by a URL is
// refused with a clear message instead of becoming a file under a directory named `postgres:`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StoreWriteError } from '@runtrace/core';
import { SCHEMA_VERSION, openStore } from '@runtrace/store';
import { closedPortUrl } from '@runtrace/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/runtrace.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-concurrent-open-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A process that waits for `startAt`, then opens the store and writes one completed run. */
const WRITER = `
import { SqliteSpanExporter } from '@runtrace/store';
const [path, startAt, index] = process.argv.slice(1);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const exporter = new SqliteSpanExporter({ path });
const id = 'a' + Number(index).toString(16).padStart(15, '0');
const now = Date.now();
const span = {
  name: 'invoke_agent', kind: 0,
  spanContext: () => ({ traceId: id.padStart(32, '0'), spanId: id, traceFlags: 1 }),
  startTime: [Math.floor(now / 1000), 0], endTime: [Math.floor(now / 1000) + 1, 0], duration: [1, 0],
  status: { code: 1 }, attributes: { 'runtrace.span.kind': 'run', 'runtrace.run.id': id, 'runtrace.status': 'completed' },
  links: [], events: [], ended: true, resource: { attributes: {} }, instrumentationScope: { name: 'test' },
  droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
};
const result = await new Promise((resolve) => exporter.export([span], resolve));
await exporter.shutdown();
if (result.code !== 0) { console.error(String(result.error)); process.exit(1); }
`;

describe('several processes opening one fresh store', () => {
  it('all succeed, the schema is made once, and every run lands', async () => {
    const writers = 8;
    for (let attempt = 0; attempt < 3; attempt++) {
      const path = join(dir, `fresh-${attempt}`, 'runtrace.db');
      const startAt = Date.now() + 1_500;
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, index) => run(process.execPath, ['--input-type=module', '-e', WRITER, path, String(startAt), String(attempt * 100 + index)], { cwd: root })),
      );
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [String((result.reason as { stderr?: string }).stderr ?? result.reason)] : []));
      expect(failures).toEqual([]);
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        expect(db.prepare('PRAGMA user_version').get()?.user_version).toBe(SCHEMA_VERSION);
        expect(db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'completed'").get()?.n).toBe(writers);
      } finally {
        db.close();
      }
    }
  });
});

describe('a store named by a URL', () => {
  it('is refused as a file path with the reason, the password masked', () => {
    let thrown: unknown;
    try {
      openStore({ path: 'postgres://runtrace:s3cret-pw@db.internal:5432/traces' });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreWriteError);
    expect((thrown as Error).message).toContain('a PostgreSQL database is not a file: open it with openStore({ url })');
    expect((thrown as Error).message).toContain('postgres://runtrace:***@db.internal:5432/traces');
    expect((thrown as Error).message).not.toContain('s3cret-pw');
    expect(() => openStore({ path: 'mysql://db/traces' })).toThrow(/a mysql:\/\/ URL is not a store runtrace can use/);
  });

  it('is a PostgreSQL store for register(), with its query API, creating no file', async () => {
    const { port } = new URL(await closedPortUrl());
    const app = `
      import { register } from 'runtrace';
      const runtrace = register({ otlp: false });
      console.log(runtrace.store?.constructor.name, runtrace.storeExporter?.constructor.name);
      await runtrace.shutdown();
    `;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', app], {
      cwd: root,
      env: { ...process.env, RUNTRACE_DB: `postgres://runtrace:s3cret-pw@127.0.0.1:${port}/traces`, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    });
    expect(stdout.trim()).toBe('PostgresStore PostgresSpanExporter');
    expect(stderr).not.toContain('s3cret-pw');
    expect(existsSync(join(root, 'postgres:'))).toBe(false);
  });

  it('makes a CLI command say which database it cannot reach, creating nothing', async () => {
    const { port } = new URL(await closedPortUrl());
    const failed = await run(process.execPath, [cli, 'runs', '--db', `postgres://runtrace:s3cret-pw@127.0.0.1:${port}/traces`], { cwd: dir }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`cannot reach postgres://runtrace:***@127.0.0.1:${port}/traces`);
    expect(failed?.stderr).not.toContain('s3cret-pw');
    const doctor = await run(process.execPath, [cli, 'doctor', '--json', '--db', `postgres://runtrace:s3cret-pw@127.0.0.1:${port}/traces`], { cwd: dir }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(doctor?.code).toBe(1);
    const report = JSON.parse(doctor!.stdout) as { checks: { name: string; status: string; summary: string; fix?: string }[] };
    expect(report.checks.find((entry) => entry.name === 'database')).toMatchObject({ status: 'fail', summary: expect.stringContaining(`cannot reach postgres://runtrace:***@127.0.0.1:${port}/traces`), fix: expect.stringContaining('check the URL') });
    expect(doctor!.stdout).not.toContain('s3cret-pw');
    expect(await readdir(dir)).toEqual([]);
  });
});
