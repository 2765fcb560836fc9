// The team store's query side: the same queries as SqliteStore, on a PostgreSQL database, answered asynchronously.

import { DEFAULT_STALE_AFTER_MS, InvalidArgumentError, ShutDownError, StoreWriteError, normalizeModel } from '@runtrace/core';
import { errorMessage, maskUrlPassword, positiveOption } from '@runtrace/core/internal';
import type {
  Analytics,
  AnalyticsOptions,
  DeleteAfterMessageOptions,
  DeleteConversationOptions,
  DeleteResult,
  ListRunsOptions,
  Overview,
  OverviewOptions,
  RetentionOptions,
  RetentionResult,
  RunAnalytics,
  RunDetail,
  RunLookupOptions,
  RunPage,
  StorePricing,
  StoreSweepResult,
  SweepOptions,
} from './query-types.js';
import { analyticsOf } from './internal/analytics-queries.js';
import type { PgClient } from './internal/postgres/pg-client.js';
import { applyRetentionPostgres, deleteRunsPostgres } from './internal/postgres/pg-deletes.js';
import { openPgPool, pgConnection } from './internal/postgres/pg-pool.js';
import type { PgConnection, PgPool } from './internal/postgres/pg-pool.js';
import { sweepPostgres } from './internal/postgres/pg-sweep.js';
import { POSTGRES_DIALECT, runStepsAsync, toPostgres } from './internal/query-steps.js';
import type { QueryContext, QuerySteps } from './internal/query-steps.js';
import type { Row } from './internal/row-mappers.js';
import { listRunsOf, overviewOf, runAnalyticsOf, runDetailOf } from './internal/run-queries.js';
import { requireText, toEpochMs } from './internal/run-filters.js';
import { NO_SWEEP } from './internal/sweep-stale.js';
import { PostgresSpanExporter } from './postgres-span-exporter.js';
import type { PostgresSpanExporterOptions } from './postgres-span-exporter.js';

/** Options of {@link openStore} for a PostgreSQL database. */
export interface PostgresStoreOptions {
  /** The database, `postgres://user:password@host:port/database` (or `postgresql://`). Its tables are made on first use. */
  readonly url: string;
  /** Idle time after which an in-progress row counts as stale. Default 5 minutes. */
  readonly staleAfterMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Normalizes model names for the `model` filter. Default: the core `normalizeModel`. */
  readonly normalizeModel?: (model: string) => string;
  /** Pricing given to exporters made by {@link PostgresStore.createExporter}. Default: the core default table. */
  readonly pricing?: StorePricing;
  /** Connections the store may hold for its queries. Default 4. */
  readonly maxConnections?: number;
  /** How long one statement may run before the server cancels it. Default 30,000 ms. */
  readonly statementTimeoutMs?: number;
  /** How long connecting may take. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
}

/** What the store needs from node-postgres's Pool. */
type Pool = PgPool & {
  query(config: { readonly text: string; readonly values: readonly unknown[]; readonly types: unknown }): Promise<{ rows: Row[] }>;
};

/** PostgreSQL's 64-bit integers and numerics (counts, sums, averages) as JavaScript numbers, as SQLite gives them. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * The store on a PostgreSQL database (see {@link openStore}): the queries of {@link SqliteStore},
 * defined once for both, returning promises. Many hosts may write the database at once (through
 * {@link PostgresSpanExporter}s, or collectors) while any number of stores read it.
 *
 * @example
 * const store = openStore({ url: 'postgres://runtrace@db.internal/traces' });
 * const { runs } = await store.listRuns({ status: 'error', limit: 20 });
 * const detail = await store.getRun(runs[0].runId);
 * await store.close();
 */
export class PostgresStore {
  /** The database's URL without its password (for messages). */
  readonly location: string;

  readonly #connection: PgConnection;
  readonly #now: () => number;
  readonly #staleAfterMs: number;
  readonly #normalizeModel: (model: string) => string;
  readonly #pricing: StorePricing | undefined;
  readonly #context: QueryContext;
  #pool: Promise<{ readonly pool: Pool; readonly types: unknown }> | undefined;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    if (typeof options.url !== 'string' || !/^postgres(?:ql)?:\/\//i.test(options.url)) {
      throw new InvalidArgumentError('options.url', options.url === undefined ? undefined : maskUrlPassword(String(options.url)), 'a postgres:// or postgresql:// URL');
    }
    this.#connection = pgConnection(options, 4);
    this.location = this.#connection.location;
    this.#now = options.now ?? Date.now;
    this.#staleAfterMs = positiveOption('options.staleAfterMs', options.staleAfterMs, DEFAULT_STALE_AFTER_MS, { unit: 'milliseconds' });
    this.#normalizeModel = options.normalizeModel ?? normalizeModel;
    this.#pricing = options.pricing;
    this.#context = { dialect: POSTGRES_DIALECT, normalizeModel: this.#normalizeModel };
  }

  /** A page of runs; see {@link SqliteStore.listRuns}. */
  listRuns(options: ListRunsOptions = {}): Promise<RunPage> {
    return this.#run(() => listRunsOf(options, this.#context));
  }

  /** One run with everything recorded under it; see {@link SqliteStore.getRun}. */
  getRun(runId: string, options: RunLookupOptions = {}): Promise<RunDetail | undefined> {
    return this.#run(() => runDetailOf(runId, options, this.#context));
  }

  /** Totals of a period and of the one before it; see {@link SqliteStore.overview}. */
  overview(options: OverviewOptions = {}): Promise<Overview> {
    return this.#run(() => overviewOf(options, this.#context));
  }

  /** Analytics across the runs that started in a period; see {@link SqliteStore.analytics}. */
  analytics(options: AnalyticsOptions = {}): Promise<Analytics> {
    return this.#run(() => analyticsOf(options, this.#context));
  }

  /** One run's figures; see {@link SqliteStore.runAnalytics}. */
  runAnalytics(runId: string, options: RunLookupOptions = {}): Promise<RunAnalytics | undefined> {
    return this.#run(() => runAnalyticsOf(runId, options));
  }

  /** Deletes a conversation's runs with everything under them; see {@link SqliteStore.deleteConversation}. */
  async deleteConversation(options: DeleteConversationOptions): Promise<DeleteResult> {
    const conversationId = requireText('conversationId', options.conversationId);
    const before = toEpochMs('startedBefore', options.startedBefore);
    return this.#withClient((client) =>
      deleteRunsPostgres(client, '(conversation_id = @conversation OR root_conversation_id = @conversation) AND start_ms < @before', { conversation: conversationId, before }),
    );
  }

  /** Deletes the runs of a conversation that came after a message; see {@link SqliteStore.deleteAfterMessage}. */
  async deleteAfterMessage(options: DeleteAfterMessageOptions): Promise<DeleteResult> {
    const conversationId = requireText('conversationId', options.conversationId);
    if (!Number.isSafeInteger(options.messageId)) throw new InvalidArgumentError('messageId', options.messageId, 'a safe integer');
    const before = toEpochMs('startedBefore', options.startedBefore);
    return this.#withClient((client) =>
      deleteRunsPostgres(
        client,
        `conversation_id = @conversation AND start_ms < @before
         AND (trigger_message_id > @message OR history_tip_message_id > @message OR assistant_message_id > @message)`,
        { conversation: conversationId, before, message: options.messageId },
      ),
    );
  }

  /**
   * Deletes runs that started more than `maxAgeMs` ago, with everything under them. `bytesBefore`
   * and `bytesAfter` are the store's tables' sizes; `maxBytes` is refused (see the store README).
   */
  applyRetention(options: RetentionOptions): Promise<RetentionResult> {
    return this.#withClient((client) => applyRetentionPostgres(client, options, this.#now));
  }

  /**
   * Finalizes as interrupted every in-progress row with no activity for `staleAfterMs`; see
   * {@link SqliteStore.sweep}. When another host is sweeping the database at that moment, that
   * host does the work and this returns zeros.
   */
  async sweep(options: SweepOptions = {}): Promise<StoreSweepResult> {
    const staleAfterMs = positiveOption('staleAfterMs', options.staleAfterMs, this.#staleAfterMs, { unit: 'milliseconds' });
    const now = options.now ?? this.#now();
    if (!Number.isFinite(now)) throw new InvalidArgumentError('now', now, 'epoch milliseconds');
    return (await this.#withClient((client) => sweepPostgres(client, now - staleAfterMs))) ?? NO_SWEEP;
  }

  /** A span exporter writing into this database (same pricing, normalization and staleness). */
  createExporter(options: Omit<PostgresSpanExporterOptions, 'url'> = {}): PostgresSpanExporter {
    return new PostgresSpanExporter({
      staleAfterMs: this.#staleAfterMs,
      now: this.#now,
      normalizeModel: this.#normalizeModel,
      ...(this.#pricing === undefined ? {} : { pricing: this.#pricing }),
      ...options,
      url: this.#connection.url,
    });
  }

  /**
   * A number that changes whenever something was written to the store (by any host: spans,
   * sweeps, deletes), for a viewer that polls: a counter every write advances.
   */
  async dataVersion(): Promise<number> {
    const rows = await this.#query({ sql: 'SELECT last_value, is_called FROM runtrace_changes', params: [] });
    const row = rows[0];
    return row === undefined ? 0 : row.is_called === true ? Number(row.last_value) : 0;
  }

  /** Closes the connections; later queries reject with `ShutDownError`. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await (await pool.catch(() => undefined))?.pool.end().catch(() => undefined);
  }

  async #run<T>(steps: () => QuerySteps<T>): Promise<T> {
    return runStepsAsync(steps(), (request) => this.#query(request));
  }

  async #query(request: { readonly sql: string; readonly params: Readonly<Record<string, string | number>> | readonly unknown[] }): Promise<Row[]> {
    const { pool, types } = await this.#connect();
    const { text, values } = toPostgres(request);
    return (await pool.query({ text, values, types })).rows;
  }

  async #withClient<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
    const { pool } = await this.#connect();
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  /** The pool, made (and the schema migrated) on first use; made again after a failed attempt. */
  #connect(): Promise<{ readonly pool: Pool; readonly types: unknown }> {
    if (this.#closed) return Promise.reject(new ShutDownError(`PostgresStore ${this.location}`));
    this.#pool ??= openPgPool({
      ...this.#connection,
      connectError: (error) => new StoreWriteError(`cannot reach ${this.location}: ${errorMessage(error)}`, this.location, { cause: error }),
    }).then(({ pool, pg }) => ({
      pool: pool as Pool,
      types: {
        getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
          oid === INT8_OID || oid === NUMERIC_OID ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format) as unknown),
      },
    }));
    const made = this.#pool;
    made.catch(() => {
      if (this.#pool === made) this.#pool = undefined;
    });
    return made;
  }
}
