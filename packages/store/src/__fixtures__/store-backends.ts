// The store's two backends for one set of tests: a SQLite file in a temporary directory, or a fresh
// database on a real PostgreSQL server (started once per test file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startPostgres } from '../../../../test/__fixtures__/postgres-server.js';
import type { PostgresServer } from '../../../../test/__fixtures__/postgres-server.js';
import { openStore } from '../open-store.js';
import type { RunStore } from '../open-store.js';
import { PostgresSpanExporter } from '../postgres-span-exporter.js';
import { SqliteSpanExporter } from '../sqlite-span-exporter.js';
import type { StorePricing } from '../query-types.js';

/** What the tests give the exporter and the store they make. */
export interface BackendOptions {
  readonly now?: () => number;
  readonly pricing?: StorePricing;
  readonly normalizeModel?: (model: string) => string;
  readonly maxBatchSpans?: number;
  readonly flushIntervalMs?: number;
  readonly inProgressDelayMs?: number;
}

/** The exporter API both backends' exporters share. */
export interface TestExporter {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void;
  write(span: ReadableSpan): void;
  recordInProgress(span: ReadableSpan): void;
  watchInProgress(spanId: string, snapshot: () => ReadableSpan, refresh?: boolean): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  stats(): { readonly writtenSpans: number; readonly queuedSpans: number; readonly droppedSpans: number; readonly failedSpans: number; readonly inProgressRows: number };
}

/** One empty store: where exporters write and stores read. */
export interface StoreLocation {
  exporter(options?: BackendOptions): TestExporter;
  open(options?: BackendOptions): RunStore;
}

export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  /** Called in `beforeAll`. */
  start(): Promise<void>;
  /** Called in `afterAll`. */
  stop(): Promise<void>;
  /** A new, empty store. */
  fresh(): Promise<StoreLocation>;
}

/**
 * In a \`describe\` block: starts the backend before its tests, stops it after them, and gives
 * each test a new, empty store; returns the current test's.
 */
export function freshStorePerTest(backend: StoreBackend): () => StoreLocation {
  let location: StoreLocation | undefined;
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());
  beforeEach(async () => {
    location = await backend.fresh();
  });
  return () => {
    if (location === undefined) throw new Error('no store yet: call the getter inside a test');
    return location;
  };
}

/** Awaits an export's callback. */
export function exportAll(exporter: TestExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Closes a store of either backend. */
export async function closeStore(store: RunStore): Promise<void> {
  await store.close();
}

export function sqliteBackend(): StoreBackend {
  let dir: string | undefined;
  let count = 0;
  return {
    name: 'sqlite',
    start() {
      dir = mkdtempSync(join(tmpdir(), 'runtrace-store-'));
      return Promise.resolve();
    },
    stop() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
    fresh() {
      const path = join(dir!, `store-${++count}`, 'runtrace.db');
      return Promise.resolve({
        exporter: (options = {}) => new SqliteSpanExporter({ ...options, path, sweepOnOpen: false }),
        open: (options = {}) => openStore({ ...options, path }),
      });
    },
  };
}

/** The PostgreSQL backend, whose server can also go away for a while. */
export interface PostgresBackend extends StoreBackend {
  /** Stops the server, keeping its data; `restart()` brings it back on the same port. */
  halt(): Promise<void>;
  restart(): Promise<void>;
}

export function postgresBackend(): PostgresBackend {
  let server: PostgresServer | undefined;
  let count = 0;
  return {
    name: 'postgres',
    halt: () => server!.halt(),
    restart: () => server!.restart(),
    async start() {
      server = await startPostgres();
    },
    async stop() {
      await server?.stop();
    },
    async fresh() {
      const url = await server!.createDatabase(`store_${process.pid}_${++count}`);
      return {
        // One write at a time, flushed at once: the tests read right after an export's answer.
        exporter: (options = {}) => new PostgresSpanExporter({ flushIntervalMs: 0, ...options, url, sweepOnConnect: false, spoolDirectory: false }),
        open: (options = {}) => openStore({ ...options, url }),
      };
    },
  };
}

/** Both backends, for `describe.each`. */
export const BACKENDS: readonly (() => StoreBackend)[] = [sqliteBackend, postgresBackend];
