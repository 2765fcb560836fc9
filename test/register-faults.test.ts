// register() through the built package, with a store it cannot use or settings it cannot read: it never throws, keeps what works, and says why in one line.
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ConfigError, StoreSchemaError, StoreWriteError } from '@runtrace/core';
import { SCHEMA_VERSION, openStore } from '@runtrace/store';
import { register } from 'runtrace';
import type { RegisterOptions, Runtrace } from 'runtrace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockOtlpBackend } from '@runtrace/testkit';
import { unwritableDirectory } from './__fixtures__/unwritable-directory.js';
import type { MockOtlpBackend } from '@runtrace/testkit';

let dir: string;
let backend: MockOtlpBackend;
const active: Runtrace[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-faults-'));
  backend = await startMockOtlpBackend({ status: 200 });
});

afterEach(async () => {
  await Promise.all(active.splice(0).map((runtrace) => runtrace.shutdown()));
  trace.disable();
  await backend.close();
  if (existsSync(join(dir, 'read-only'))) chmodSync(join(dir, 'read-only'), 0o755);
  await rm(dir, { recursive: true, force: true });
});

/** Writes SQLite's user_version (runtrace's schema version) straight into the closed file's header, at byte 60. */
function setSchemaVersion(path: string, version: number): void {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(version);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, header, 0, 4, 60);
  } finally {
    closeSync(fd);
  }
}

/** register() with a sink that collects the report lines; the OTLP backend always on. */
function registerCollecting(options: RegisterOptions): { runtrace: Runtrace; lines: string[] } {
  const lines: string[] = [];
  const runtrace = register({ fetch: false, otlp: { endpoint: backend.url, scheduledDelayMillis: 50 }, diagnosticSink: (line) => lines.push(line), ...options });
  active.push(runtrace);
  return { runtrace, lines };
}

/** The store cannot be used: register() returns, records, exports over OTLP, and reports once. */
async function expectCarriesOnWithoutStore(path: string, expected: RegExp): Promise<void> {
  const { runtrace, lines } = registerCollecting({ store: path, env: {} });
  expect(runtrace.mode).toBe('started');
  expect(runtrace.store).toBeUndefined();
  const answer = await runtrace.recorder.run({ kind: 'chat_turn', label: 'still recorded' }, async (run) => run.tool({ name: 'lookup', callId: 'c1' }, () => 42));
  expect(answer).toBe(42);
  await runtrace.shutdown();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(expected);
  expect(lines[0]).toMatch(/runs are not stored locally until then$/);
  // OTLP still works when only the store is broken.
  expect(runtrace.stats().otlp).toMatchObject({ exportedSpans: 2, failedSpans: 0, droppedSpans: 0, queuedSpans: 0 });
  expect(Buffer.concat(backend.received).toString('latin1')).toContain('chat_turn');
}

describe('register() with a store it cannot use', () => {
  it('a corrupt database file (damaged header)', async () => {
    const path = join(dir, 'runtrace.db');
    openStore({ path }).close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    closeSync(fd);
    await expectCarriesOnWithoutStore(path, new RegExp(`^runtrace: ${path} is not a runtrace database \\(file is not a database\\): move it away or pass another store path`));
  });

  it('a foreign file (not a database at all)', async () => {
    const path = join(dir, 'runtrace.db');
    await writeFile(path, '{"these": "are my notes"}\n');
    await expectCarriesOnWithoutStore(path, new RegExp(`^runtrace: ${path} is not a runtrace database \\(file is not a database\\)`));
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a directory at the database path', async () => {
    const path = join(dir, 'runtrace.db');
    mkdirSync(path);
    await expectCarriesOnWithoutStore(path, new RegExp(`^runtrace: ${path} is a directory, not a database file: remove it or pass another store path`));
  });

  it('a path whose parent is a file', async () => {
    const blocker = join(dir, '.runtrace');
    await writeFile(blocker, 'a file where the directory should be');
    const path = join(blocker, 'runtrace.db');
    await expectCarriesOnWithoutStore(path, new RegExp(`^runtrace: cannot create ${path}: ${blocker} is a file, not a directory: move it away or pass another store path`));
  });

  it('a read-only directory', async () => {
    const readOnly = unwritableDirectory(dir);
    const path = join(readOnly, `runtrace-${process.pid}.db`);
    await expectCarriesOnWithoutStore(path, new RegExp(`^runtrace: cannot write ${path}: the directory ${readOnly} is not writable \\((EACCES|EROFS|EPERM)\\): make it writable or pass another store path`));
  });

  it('a schema newer than this version of runtrace', async () => {
    const path = join(dir, 'runtrace.db');
    openStore({ path }).close();
    setSchemaVersion(path, SCHEMA_VERSION + 3);
    await expectCarriesOnWithoutStore(
      path,
      new RegExp(`^runtrace: ${path} was written by a newer runtrace \\(schema ${SCHEMA_VERSION + 3}; this version reads up to ${SCHEMA_VERSION}\\): upgrade runtrace or pass another store path`),
    );
  });

  it('names RUNTRACE_DB in the fix when the path came from it, and prints to stderr by default', async () => {
    const path = join(dir, 'runtrace.db');
    mkdirSync(path);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
    try {
      const runtrace = register({ fetch: false, otlp: false, env: { RUNTRACE_DB: path } });
      active.push(runtrace);
      expect(await runtrace.recorder.run({ kind: 'chat_turn' }, () => 'ok')).toBe('ok');
    } finally {
      process.stderr.write = original;
    }
    expect(written.filter((text) => text.startsWith('runtrace:'))).toEqual([`runtrace: ${path} is a directory, not a database file: remove it or set RUNTRACE_DB to another file; runs are not stored locally until then\n`]);
  });

  it('under strict, throws the store\'s own error as before', async () => {
    const path = join(dir, 'runtrace.db');
    await writeFile(path, 'not a database');
    expect(() => register({ store: path, otlp: false, fetch: false, env: {}, strict: true })).toThrow(StoreWriteError);
    const newer = join(dir, 'newer.db');
    openStore({ path: newer }).close();
    setSchemaVersion(newer, SCHEMA_VERSION + 1);
    expect(() => register({ store: newer, otlp: false, fetch: false, env: {}, strict: true })).toThrow(StoreSchemaError);
  });
});

describe('register() with settings it cannot read', () => {
  const cases: [string, string, RegExp][] = [
    ['RUNTRACE_CONTENT', 'everything', /using metadata instead/],
    ['RUNTRACE_STALE_AFTER', 'soon', /using 5m instead/],
    ['RUNTRACE_OTLP_CONTENT', 'all', /using metadata instead/],
    ['RUNTRACE_SHUTDOWN_TIMEOUT', '-5', /using 2000 ms instead/],
    ['RUNTRACE_LOG', 'loud', /using warn/],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', /grpc is not supported by runtrace.*using http\/protobuf instead/],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', 'ten seconds', /using 10000 ms instead/],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli', /using none instead/],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'just-a-token', /pair 1 of 1 has no "="; using no headers from it instead/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /using no OTLP endpoint/],
  ];

  for (const [variable, value, fallback] of cases) {
    it(`${variable}=${value}: keeps the default for that setting, says so in one line, and records`, async () => {
      const path = join(dir, 'runtrace.db');
      const { runtrace, lines } = registerCollecting({ store: path, otlp: false, env: { [variable]: value } });
      expect(await runtrace.recorder.run({ kind: 'chat_turn' }, () => 'done')).toBe('done');
      await runtrace.shutdown();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^runtrace: ${variable}: `));
      expect(lines[0]).toMatch(fallback);
      expect(lines[0]).toMatch(new RegExp(`: fix or unset ${variable}$`));
      if (variable === 'OTEL_EXPORTER_OTLP_HEADERS') expect(lines[0]).not.toContain('just-a-token');
      const store = openStore({ path, sweepOnOpen: false });
      try {
        expect(store.listRuns().runs.map((run) => run.status)).toEqual(['completed']);
      } finally {
        store.close();
      }
    });
  }

  it('uses the default content policy in place of a bad RUNTRACE_CONTENT', () => {
    const { runtrace } = registerCollecting({ store: false, env: { RUNTRACE_CONTENT: 'everything' } });
    expect(runtrace.recorder.contentPolicy).toBe('metadata');
  });

  it('under strict, throws the ConfigError naming the variable', () => {
    expect(() => register({ store: false, otlp: false, fetch: false, env: { RUNTRACE_CONTENT: 'everything' }, strict: true })).toThrow(ConfigError);
    expect(() => register({ store: false, otlp: false, fetch: false, env: { RUNTRACE_CONTENT: 'everything' }, strict: true })).toThrow(/RUNTRACE_CONTENT/);
  });

  it('RUNTRACE_LOG=silent writes nothing, and stats() still counts the problem', () => {
    const { runtrace, lines } = registerCollecting({ store: false, env: { RUNTRACE_CONTENT: 'everything', RUNTRACE_LOG: 'silent' } });
    expect(lines).toEqual([]);
    expect(runtrace.stats().reports).toMatchObject({ causes: { 'config:RUNTRACE_CONTENT': 1 }, lines: 0, suppressed: 1 });
  });
});

describe('register() called again, or next to a provider it cannot join', () => {
  it('returns the active instance quietly for the same options and warns once for different ones', () => {
    const path = join(dir, 'runtrace.db');
    const { runtrace, lines } = registerCollecting({ store: path, env: {} });
    expect(register()).toBe(runtrace);
    expect(register({ store: path })).toBe(runtrace);
    expect(lines).toEqual([]);
    expect(register({ store: path, contentPolicy: 'full' })).toBe(runtrace);
    expect(lines).toEqual([
      'runtrace: register() was called again with different options (contentPolicy) while runtrace is active; the first registration stays in force and these options are ignored: call shutdown() on it before registering again, or pass the same options',
    ]);
    expect(() => register({ contentPolicy: 'full', strict: true })).toThrow(ConfigError);
  });

  it('records nothing next to a provider that cannot take processors, runs the app\'s code, and says what to do', async () => {
    trace.setGlobalTracerProvider(new TracerProvider());
    const { runtrace, lines } = registerCollecting({ store: join(dir, 'runtrace.db'), env: {} });
    expect(runtrace.mode).toBe('disabled');
    expect(await runtrace.recorder.run({ kind: 'chat_turn' }, async (run) => run.step({ operation: 'generate' }, () => 'reply'))).toBe('reply');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('createRuntrace()');
    expect(existsSync(join(dir, 'runtrace.db'))).toBe(false);
  });
});
