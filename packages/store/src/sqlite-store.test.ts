import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes, StoreSchemaError, StoreWriteError } from '@runtrace/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, T0, fixtureSpans, inProgressSpans, makeSpan, normalizeForTest, runSpan, testPricing } from './__fixtures__/spans.js';
import { SqliteSpanExporter } from './sqlite-span-exporter.js';
import type { SqliteStore} from './sqlite-store.js';
import { openStore } from './open-store.js';
import { SCHEMA_VERSION, migrate } from './internal/migrations.js';

const NOW = T0 + 3 * DAY + HOUR + 2000;
const clock = (): number => NOW;

function exportAll(exporter: SqliteSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtrace-store-'));
  path = join(dir, 'nested', 'runtrace.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function seed(): Promise<SqliteStore> {
  const exporter = new SqliteSpanExporter({ path, pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
  for (const span of inProgressSpans()) exporter.recordInProgress(span);
  const result = await exportAll(exporter, fixtureSpans());
  expect(result.code).toBe(ExportResultCode.SUCCESS);
  await exporter.shutdown();
  return openStore({ path, now: clock, normalizeModel: normalizeForTest });
}

describe('schema migration', () => {
  /** What a run looks like through the query API, without what older schemas did not keep. */
  function shape(store: SqliteStore, runId: string, version: number): unknown {
    const detail = store.getRun(runId);
    if (detail === undefined) return undefined;
    const { service, serviceVersion, environment, ...run } = detail.run;
    return {
      run: version >= 2 ? { ...run, service, serviceVersion, environment } : run,
      steps: detail.steps.map((step) => [step.stepId, step.number, step.status, step.totalTokens, step.costUsd]),
      attempts: detail.attempts.map((attempt) => [attempt.attemptId, attempt.stepId, attempt.status, attempt.statusCode]),
      toolCalls: detail.toolCalls.map((tool) => [tool.toolCallSpanId, tool.name, tool.status]),
      events: detail.events.map((event) => [event.spanId, event.name, event.timeMs]),
      spans: detail.spans.map((span) => [span.traceId, span.spanId, span.name]),
      childRuns: detail.childRuns.map((child) => child.runId),
    };
  }

  it.each([1, 2, 3, 4])('brings a version-%i file to the current version: every row stays, a run keyed by (run_id, trace_id), its children by run first, no index per run figure', async (version) => {
    const store = await seed();
    const runIds = store.listRuns({ limit: 100 }).runs.map((run) => run.runId);
    const before = runIds.map((runId) => shape(store, runId, version));
    const firstResource = store.getRun(runIds[0]!)?.resourceId;
    expect(firstResource).toMatch(/^[0-9a-f]{32}$/);
    store.close();
    // A file of that version (its migrations alone), holding the seeded rows in the columns it had.
    const oldPath = join(dir, `v${version}.db`);
    const old = new Database(oldPath);
    migrate(old, version);
    old.exec(`ATTACH DATABASE '${path}' AS seeded`);
    const columnsOf = (schema: string, table: string): string[] => (old.prepare(`PRAGMA ${schema}.table_info(${table})`).all() as { name: string }[]).map((column) => column.name);
    const copied: Record<string, number> = {};
    for (const table of ['runs', 'steps', 'attempts', 'tool_calls', 'events', 'spans']) {
      const kept = columnsOf('main', table).filter((column) => columnsOf('seeded', table).includes(column));
      copied[table] = old.prepare(`INSERT INTO main.${table} (${kept.join(', ')}) SELECT ${kept.join(', ')} FROM seeded.${table}`).run().changes;
      expect(copied[table]).toBeGreaterThan(0);
    }
    old.exec('DETACH DATABASE seeded');
    old.close();

    const migrated = openStore({ path: oldPath, now: clock, normalizeModel: normalizeForTest, sweepOnOpen: false });
    try {
      expect(migrated.listRuns({ limit: 100 }).runs.map((run) => run.runId)).toEqual(runIds);
      expect(runIds.map((runId) => shape(migrated, runId, version))).toEqual(before);
      // Rows stored before schema 3 name no resource; later ones keep theirs.
      expect(migrated.getRun(runIds[0]!)?.resourceId).toBe(version < 3 ? null : firstResource);
    } finally {
      migrated.close();
    }
    const check = new Database(oldPath, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const keyOf = (table: string): string[] =>
        (check.pragma(`table_info(${table})`) as { name: string; pk: number }[]).filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
      /** The columns of each unique index of a table (its primary key's included). */
      const uniqueKeysOf = (table: string): string[][] =>
        (check.pragma(`index_list(${table})`) as { name: string; unique: number }[])
          .filter((index) => index.unique === 1)
          .map((index) => (check.pragma(`index_info(${index.name})`) as { name: string }[]).map((column) => column.name));
      expect(keyOf('runs')).toEqual(['run_id', 'trace_id']);
      // One index per child table, led by the run: it keys the rows and finds a run's children.
      expect(uniqueKeysOf('steps')).toEqual([['run_id', 'step_id', 'trace_id']]);
      expect(uniqueKeysOf('attempts')).toEqual([['run_id', 'attempt_id', 'trace_id']]);
      expect(uniqueKeysOf('tool_calls')).toEqual([['run_id', 'span_id', 'trace_id']]);
      expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%_by_run' AND name <> 'events_by_run'").pluck().get()).toBe(0);
      expect(keyOf('events')).toEqual(['span_id', 'trace_id', 'seq']);
      expect(keyOf('spans')).toEqual(['trace_id', 'span_id']);
      for (const table of Object.keys(copied)) expect(check.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(copied[table]);
      // Every event found its trace.
      expect(check.prepare("SELECT count(*) FROM events WHERE trace_id = ''").pluck().get()).toBe(0);
      expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'runs_by_service'").pluck().get()).toBe('runs_by_service');
      // Lists sorted by a figure read runs_figures; no index keeps runs by duration, tokens, cost or trace.
      expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('runs_by_duration', 'runs_by_tokens', 'runs_by_cost', 'runs_by_trace')").pluck().all()).toEqual([]);
      expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'runs_figures'").pluck().get()).toBe('runs_figures');
    } finally {
      check.close();
    }
  });
});

describe('SqliteStore (what only a file has; the queries run on both backends in run-store.test.ts)', () => {
  it('gives the space of retention back to the file system', async () => {
    const store = await seed();
    const exporter = new SqliteSpanExporter({ path, pricing: testPricing, now: clock, sweepOnOpen: false });
    const spans = Array.from({ length: 400 }, (_, index) =>
      runSpan({ id: (0xb000000000000000n + BigInt(index)).toString(16), trace: index.toString(16).padStart(32, '1'), startMs: T0 + 5 * DAY + index * 1000, endMs: T0 + 5 * DAY + index * 1000 + 500, status: 'completed', attributes: { [RuntraceAttributes.RUN_LABEL]: 'x'.repeat(4000) } }),
    );
    await exportAll(exporter, spans);
    await exporter.shutdown();
    // The rows are in the file and its write-ahead log: at least 400 labels of 4,000 bytes.
    const onDisk = (): number => statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    expect(onDisk()).toBeGreaterThan(400 * 4000);
    const result = store.applyRetention({ maxAgeMs: 0, now: T0 + 10 * DAY });
    expect(result.runs).toBe(406);
    expect(onDisk()).toBeLessThan((400 * 4000) / 4);
    expect(result.bytesAfter).toBe(statSync(path).size);
    store.close();
  });

  it("deletes a trace's other spans with its last run only (retention finds them without an index of runs by trace)", async () => {
    const exporter = new SqliteSpanExporter({ path, pricing: testPricing, now: clock, sweepOnOpen: false });
    const trace = 'e'.repeat(32);
    await exportAll(exporter, [
      runSpan({ id: 'e000000000000001', trace, startMs: T0, endMs: T0 + 1000, status: 'completed' }),
      runSpan({ id: 'e000000000000002', trace, startMs: T0 + 2 * DAY, endMs: T0 + 2 * DAY + 1000, status: 'completed' }),
      makeSpan({ spanId: 'e000000000000003', traceId: trace, parentSpanId: 'e000000000000001', name: 'GET', startMs: T0 + 100, endMs: T0 + 200 }),
    ]);
    await exporter.shutdown();
    const store = openStore({ path, sweepOnOpen: false });
    const reader = new Database(path, { readonly: true });
    try {
      const spansOfTrace = (): number => Number(reader.prepare('SELECT count(*) FROM spans WHERE trace_id = ?').pluck().get(trace));
      expect(spansOfTrace()).toBe(1);
      // The older run goes; the other run of the trace keeps the trace's span.
      expect(store.applyRetention({ maxAgeMs: DAY, now: T0 + 2 * DAY })).toMatchObject({ runs: 1, spans: 0 });
      expect(spansOfTrace()).toBe(1);
      // The last run goes, and the span with it.
      expect(store.applyRetention({ maxAgeMs: DAY, now: T0 + 4 * DAY })).toMatchObject({ runs: 1, spans: 1 });
      expect(spansOfTrace()).toBe(0);
    } finally {
      reader.close();
      store.close();
    }
  });

  it('refuses a file with a newer schema', () => {
    const db = new Database(path.replace('nested/', ''));
    db.pragma('user_version = 99');
    db.close();
    expect(() => openStore({ path: path.replace('nested/', '') })).toThrow(StoreSchemaError);
    try {
      openStore({ path: path.replace('nested/', '') });
    } catch (error: unknown) {
      expect((error as StoreSchemaError).foundVersion).toBe(99);
    }
  });

  it("refuses another application's SQLite file and leaves it untouched", () => {
    const file = path.replace('nested/', 'foreign-');
    const db = new Database(file);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expect(() => openStore({ path: file })).toThrow(/is not a runtrace database: it holds other tables \(customers\)/);
    expect(() => new SqliteSpanExporter({ path: file })).toThrow(StoreWriteError);
    const after = new Database(file, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['customers']);
    expect(after.pragma('user_version', { simple: true })).toBe(0);
    after.close();
  });
});

