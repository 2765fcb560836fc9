// The PostgreSQL writer against a real server: the same rows as SQLite's writer from the same spans, a finished row always final, and many writers and migrators at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { defaultPricingTable, normalizeModel } from '@runtrace/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../../../test/__fixtures__/postgres-server.js';
import type { PostgresServer } from '../../../../../test/__fixtures__/postgres-server.js';
import { fixtureSpans, inProgressSpans } from '../../__fixtures__/spans.js';
import { migrate } from '../migrations.js';
import { writeOpOf } from '../ops-codec.js';
import { ATTEMPT_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from '../row-columns.js';
import type { WriteOp } from '../row-columns.js';
import { openDatabase } from '../sqlite-connection.js';
import { spanToOp } from '../span-rows.js';
import { SpanWriter } from '../span-writer.js';
import { PG_SCHEMA_VERSION, migratePostgres } from './pg-schema.js';
import { PgSpanWriter } from './pg-span-writer.js';

const NOW = Date.UTC(2026, 0, 13, 14, 0, 0);
const context = { pricing: defaultPricingTable, normalizeModel, now: () => NOW };
/** Every table, with an order that sorts its rows by key. */
const TABLES = [
  ['runs', 'trace_id, run_id'],
  ['steps', 'trace_id, step_id'],
  ['attempts', 'trace_id, attempt_id'],
  ['tool_calls', 'trace_id, span_id'],
  ['events', 'trace_id, span_id, seq'],
  ['spans', 'trace_id, span_id'],
  ['resources', 'resource_id'],
] as const;

/** Ops for spans; a snapshot (`inProgress`) is taken at `now`. */
function opsOf(spans: readonly ReadableSpan[], inProgress = false, now = NOW): WriteOp[] {
  return spans.flatMap((span) => {
    const op = spanToOp(span, inProgress, { ...context, now: () => now });
    return op === undefined ? [] : [writeOpOf(op)];
  });
}

/** A client that reads BIGINT as a number, as SQLite's rows have it (every figure runtrace stores fits a double). */
function newClient(url: string): pg.Client {
  const types: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number): ((value: string) => unknown) => (oid === 20 ? Number : (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown))) as pg.CustomTypesConfig['getTypeParser'],
  };
  return new pg.Client({ connectionString: url, types });
}

let server: PostgresServer;
let databases = 0;

async function freshDatabase(): Promise<{ url: string; client: pg.Client }> {
  const url = await server.createDatabase(`runtrace_${++databases}`);
  const client = newClient(url);
  await client.connect();
  return { url, client };
}

async function tableRows(client: pg.Client, table: string, order: string): Promise<Record<string, unknown>[]> {
  return (await client.query<Record<string, unknown>>(`SELECT * FROM runtrace_${table} ORDER BY ${order}`)).rows;
}

describe('PostgreSQL span writer', () => {
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('stores the same rows as the SQLite writer from the same spans', async () => {
    const spans = [...fixtureSpans()];
    const snapshot = opsOf(inProgressSpans(), true);
    const directory = mkdtempSync(join(tmpdir(), 'runtrace-pg-parity-'));
    const sqlite = openDatabase(join(directory, 'parity.db'));
    const { client } = await freshDatabase();
    try {
      migrate(sqlite);
      await migratePostgres(client, 'parity');
      const sqliteWriter = new SpanWriter(sqlite);
      const pgWriter = new PgSpanWriter();
      // In two batches, as an exporter hands them over: the finished spans, then a live run's snapshot.
      sqliteWriter.write(opsOf(spans));
      sqliteWriter.write(snapshot);
      await pgWriter.write(client, opsOf(spans));
      await pgWriter.write(client, snapshot);
      for (const [table, order] of TABLES) {
        const expected = sqlite.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Record<string, unknown>[];
        expect(expected.length, table).toBeGreaterThan(0);
        expect(await tableRows(client, table, order), table).toEqual(expected);
      }
    } finally {
      sqlite.close();
      await client.end();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('keeps a finished row final: a snapshot never replaces it, in the same batch or a later one', async () => {
    const { client } = await freshDatabase();
    try {
      await migratePostgres(client, 'final');
      const writer = new PgSpanWriter();
      const finished = fixtureSpans().filter((span) => span.name.startsWith('invoke_agent') || span.attributes['runtrace.span.kind'] === 'run');
      const live = opsOf(finished, true);
      const done = opsOf(finished);
      expect(done.length).toBeGreaterThan(2);
      // Snapshot then final in one batch, then a late snapshot in another.
      await writer.write(client, [...live, ...done]);
      await writer.write(client, live);
      const statuses = (await client.query<{ status: string }>('SELECT status FROM runtrace_runs')).rows.map((row) => row.status);
      expect(statuses).toHaveLength(done.length);
      expect(statuses).not.toContain('in_progress');
    } finally {
      await client.end();
    }
  });

  it('brings a version-1 database to the current version, adding the query indexes', async () => {
    const { client } = await freshDatabase();
    try {
      expect(await migratePostgres(client, 'v1', 1)).toEqual({ from: 0, to: 1 });
      expect(await migratePostgres(client, 'v1')).toEqual({ from: 1, to: PG_SCHEMA_VERSION });
      const indexes = (await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'runtrace_runs' ORDER BY indexname")).rows.map((row) => row.indexname);
      expect(indexes).toEqual(expect.arrayContaining(['runtrace_runs_by_cost', 'runtrace_runs_by_duration', 'runtrace_runs_by_root_conversation', 'runtrace_runs_by_tokens']));
      expect((await client.query('SELECT version FROM runtrace_schema')).rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
    } finally {
      await client.end();
    }
  });

  it('brings a version-3 database to the current version: a run\'s children keyed by run first, every row kept', async () => {
    const { client } = await freshDatabase();
    try {
      expect(await migratePostgres(client, 'v3', 3)).toEqual({ from: 0, to: 3 });
      // Rows as a version-3 writer left them: plain inserts (this code's upserts name the new keys).
      const columnsOf = { steps: STEP_COLUMNS, attempts: ATTEMPT_COLUMNS, tool_calls: TOOL_COLUMNS } as const;
      const ops = opsOf(fixtureSpans());
      for (const op of ops) {
        if (op.table !== 'steps' && op.table !== 'attempts' && op.table !== 'tool_calls') continue;
        const columns = columnsOf[op.table];
        await client.query(`INSERT INTO runtrace_${op.table} (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`, [...op.values]);
      }
      const counts = async (): Promise<number[]> =>
        Promise.all(['runtrace_steps', 'runtrace_attempts', 'runtrace_tool_calls'].map(async (table) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n)));
      const before = await counts();
      for (const count of before) expect(count).toBeGreaterThan(0);
      expect(await migratePostgres(client, 'v3')).toEqual({ from: 3, to: PG_SCHEMA_VERSION });
      expect(await counts()).toEqual(before);
      const keyOf = async (table: string): Promise<string[]> =>
        (
          await client.query<{ column_name: string }>(
            `SELECT a.attname AS column_name FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY k.position`,
            [table],
          )
        ).rows.map((row) => row.column_name);
      expect(await keyOf('runtrace_steps')).toEqual(['run_id', 'step_id', 'trace_id']);
      expect(await keyOf('runtrace_attempts')).toEqual(['run_id', 'attempt_id', 'trace_id']);
      expect(await keyOf('runtrace_tool_calls')).toEqual(['run_id', 'span_id', 'trace_id']);
      const byRun = (await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'runtrace_%_by_run' ORDER BY indexname")).rows.map((row) => row.indexname);
      expect(byRun).toEqual(['runtrace_events_by_run']);
      // The writer's upserts name the new keys: writing the same spans again adds no row.
      await new PgSpanWriter().write(client, ops);
      expect(await counts()).toEqual(before);
    } finally {
      await client.end();
    }
  });

  it('migrates a fresh database once when twenty connections start together', async () => {
    const { url, client } = await freshDatabase();
    const clients = Array.from({ length: 20 }, () => newClient(url));
    try {
      await Promise.all(clients.map((each) => each.connect()));
      const results = await Promise.all(clients.map((each) => migratePostgres(each, 'fresh')));
      expect(results.filter((result) => result.from === 0)).toHaveLength(1);
      expect(results.filter((result) => result.from === PG_SCHEMA_VERSION)).toHaveLength(19);
      expect((await client.query('SELECT version FROM runtrace_schema')).rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
      // Newer than this code knows: refused with the schema error, nothing touched.
      await client.query('UPDATE runtrace_schema SET version = 99');
      await expect(migratePostgres(client, 'postgres://runtrace:****@host/db')).rejects.toThrow(new RegExp(`schema version 99, newer than the ${PG_SCHEMA_VERSION}`));
    } finally {
      await Promise.all(clients.map((each) => each.end()));
      await client.end();
    }
  });

  it('ends with the same rows when four writers write overlapping batches at once', async () => {
    const { url, client } = await freshDatabase();
    const writers = Array.from({ length: 4 }, () => newClient(url));
    try {
      await migratePostgres(client, 'many');
      await Promise.all(writers.map((each) => each.connect()));
      const spans = fixtureSpans();
      const finals = opsOf(spans);
      // Snapshots as they are taken: before the span ends (at its start here).
      const snapshots = spans.flatMap((span) => opsOf([span], true, span.startTime[0] * 1000));
      // Every writer sends every row: snapshots and finals interleaved differently, in several batches.
      await Promise.all(
        writers.map(async (each, index) => {
          const writer = new PgSpanWriter();
          const order = index % 2 === 0 ? [...snapshots, ...finals] : [...finals, ...snapshots];
          for (let start = 0; start < order.length; start += 3 + index) await writer.write(each, order.slice(start, start + 3 + index));
        }),
      );
      const { client: single } = await freshDatabase();
      try {
        await migratePostgres(single, 'single');
        await new PgSpanWriter().write(single, finals);
        for (const [table, order] of TABLES) {
          expect(await tableRows(client, table, order), table).toEqual(await tableRows(single, table, order));
        }
      } finally {
        await single.end();
      }
    } finally {
      await Promise.all(writers.map((each) => each.end()));
      await client.end();
    }
  });
});
