// The store's schema on PostgreSQL: the same tables, keys and indexes as SQLite's schema 4, made once per database under an advisory lock, whoever connects first.
import { StoreSchemaError } from '@runtrace/core';
import type { PgClient } from './pg-client.js';

/** The PostgreSQL layout's version (its first is SQLite's schema 3). */
export const PG_SCHEMA_VERSION = 4;

/**
 * The key of the transaction-level advisory lock that migrations take: every process that
 * connects to a fresh database waits for the first to finish, then finds the work done.
 */
export const MIGRATION_LOCK_KEY = 0x72756e74; // "runt"

const MIGRATIONS: readonly string[] = [
  // 1: runs, steps, attempts, tool calls, events, other instrumentations' spans and resources,
  // keyed as in SQLite (a runtrace id by its trace; a generic span by trace and span id).
  `
  CREATE TABLE runtrace_resources (
    resource_id TEXT PRIMARY KEY, service_name TEXT, service_version TEXT, deployment_environment TEXT,
    attributes TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE runtrace_runs (
    run_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, parent_run_id TEXT, name TEXT,
    kind TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, conversation_id TEXT,
    root_conversation_id TEXT, parent_conversation_id TEXT, trigger_message_id BIGINT,
    history_tip_message_id BIGINT, assistant_message_id BIGINT, provider TEXT, model TEXT,
    normalized_model TEXT, label TEXT, start_ms DOUBLE PRECISION NOT NULL, end_ms DOUBLE PRECISION, duration_ms DOUBLE PRECISION,
    last_activity_ms DOUBLE PRECISION NOT NULL, has_summary INTEGER NOT NULL DEFAULT 0, step_count BIGINT NOT NULL DEFAULT 0,
    input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens BIGINT NOT NULL DEFAULT 0, cache_read_tokens BIGINT NOT NULL DEFAULT 0,
    cache_creation_tokens BIGINT NOT NULL DEFAULT 0, total_tokens BIGINT NOT NULL DEFAULT 0,
    tool_call_count BIGINT NOT NULL DEFAULT 0, has_error INTEGER NOT NULL DEFAULT 0, endpoint TEXT,
    first_message TEXT, cost_usd DOUBLE PRECISION, cost_unknown INTEGER NOT NULL DEFAULT 0, stale INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}', service_name TEXT, service_version TEXT, deployment_environment TEXT,
    resource TEXT, otel TEXT, resource_id TEXT, PRIMARY KEY (run_id, trace_id)
  );
  CREATE INDEX runtrace_runs_by_trace ON runtrace_runs (trace_id);
  CREATE INDEX runtrace_runs_by_start ON runtrace_runs (start_ms, run_id);
  CREATE INDEX runtrace_runs_by_conversation ON runtrace_runs (conversation_id, start_ms);
  CREATE INDEX runtrace_runs_by_parent ON runtrace_runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
  CREATE INDEX runtrace_runs_in_progress ON runtrace_runs (last_activity_ms) WHERE status = 'in_progress';
  CREATE INDEX runtrace_runs_by_service ON runtrace_runs (service_name, start_ms);

  CREATE TABLE runtrace_steps (
    step_id TEXT NOT NULL, run_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, number BIGINT,
    operation TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, provider TEXT, request_model TEXT,
    response_model TEXT, response_id TEXT, finish_reasons TEXT, input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0, reasoning_tokens BIGINT NOT NULL DEFAULT 0,
    cache_read_tokens BIGINT NOT NULL DEFAULT 0, cache_creation_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens BIGINT NOT NULL DEFAULT 0, time_to_first_chunk_ms DOUBLE PRECISION, start_ms DOUBLE PRECISION NOT NULL,
    end_ms DOUBLE PRECISION, duration_ms DOUBLE PRECISION, last_activity_ms DOUBLE PRECISION NOT NULL, cost_usd DOUBLE PRECISION,
    cost_unknown INTEGER NOT NULL DEFAULT 0, attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT,
    PRIMARY KEY (step_id, trace_id)
  );
  CREATE INDEX runtrace_steps_by_run ON runtrace_steps (trace_id, run_id, number);
  CREATE INDEX runtrace_steps_in_progress ON runtrace_steps (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE runtrace_attempts (
    attempt_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    number BIGINT, status TEXT NOT NULL, method TEXT, url TEXT, url_path TEXT, status_code BIGINT,
    resend_count BIGINT, retry_classification TEXT, retry_delay_ms DOUBLE PRECISION, error_type TEXT, error TEXT,
    start_ms DOUBLE PRECISION NOT NULL, end_ms DOUBLE PRECISION, duration_ms DOUBLE PRECISION, last_activity_ms DOUBLE PRECISION NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT, PRIMARY KEY (attempt_id, trace_id)
  );
  CREATE INDEX runtrace_attempts_by_run ON runtrace_attempts (trace_id, run_id, start_ms);
  CREATE INDEX runtrace_attempts_in_progress ON runtrace_attempts (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE runtrace_tool_calls (
    span_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT, trace_id TEXT NOT NULL, parent_span_id TEXT,
    name TEXT, call_id TEXT, status TEXT NOT NULL, status_message TEXT, error_type TEXT, start_ms DOUBLE PRECISION NOT NULL,
    end_ms DOUBLE PRECISION, duration_ms DOUBLE PRECISION, last_activity_ms DOUBLE PRECISION NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}', otel TEXT, resource_id TEXT, PRIMARY KEY (span_id, trace_id)
  );
  CREATE INDEX runtrace_tool_calls_by_run ON runtrace_tool_calls (trace_id, run_id, start_ms);
  CREATE INDEX runtrace_tool_calls_in_progress ON runtrace_tool_calls (last_activity_ms) WHERE status = 'in_progress';

  CREATE TABLE runtrace_events (
    trace_id TEXT NOT NULL, span_id TEXT NOT NULL, seq INTEGER NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL,
    time_ms DOUBLE PRECISION NOT NULL, attributes TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (span_id, trace_id, seq)
  );
  CREATE INDEX runtrace_events_by_run ON runtrace_events (trace_id, run_id);

  CREATE TABLE runtrace_spans (
    span_id TEXT NOT NULL, trace_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL,
    span_kind INTEGER NOT NULL, start_ms DOUBLE PRECISION NOT NULL, end_ms DOUBLE PRECISION NOT NULL, duration_ms DOUBLE PRECISION NOT NULL,
    status_code INTEGER NOT NULL, status_message TEXT, scope TEXT, attributes TEXT NOT NULL DEFAULT '{}',
    events TEXT NOT NULL DEFAULT '[]', otel TEXT, resource_id TEXT, PRIMARY KEY (trace_id, span_id)
  );
  CREATE INDEX runtrace_spans_by_start ON runtrace_spans (start_ms);
  `,
  // 2: the query side's indexes SQLite has: listing by duration, tokens and cost (a seq scan and a
  // sort of every run without them, 38–81 ms at 100,000 runs), and a conversation's sub-agent runs.
  `
  CREATE INDEX runtrace_runs_by_duration ON runtrace_runs ((coalesce(duration_ms, -1)), run_id);
  CREATE INDEX runtrace_runs_by_tokens ON runtrace_runs (total_tokens, run_id);
  CREATE INDEX runtrace_runs_by_cost ON runtrace_runs ((coalesce(cost_usd, -1)), run_id);
  CREATE INDEX runtrace_runs_by_root_conversation ON runtrace_runs (root_conversation_id, start_ms);
  `,
  // 3: a change counter every write, sweep and delete advances (a sequence: no writer waits for
  // another), which readers poll to learn at once that something changed (\`PostgresStore.dataVersion\`).
  `
  CREATE SEQUENCE runtrace_changes;
  `,
  // 4: a run's steps, attempts and tool calls are keyed by their run first, (run_id, id,
  // trace_id), as in SQLite's schema 4: one index serves the upsert's conflict check and the reads
  // of a run's children, where a key on the id and an index by run put each row on two random
  // index pages.
  `
  ALTER TABLE runtrace_steps DROP CONSTRAINT runtrace_steps_pkey, ADD PRIMARY KEY (run_id, step_id, trace_id);
  DROP INDEX runtrace_steps_by_run;
  ALTER TABLE runtrace_attempts DROP CONSTRAINT runtrace_attempts_pkey, ADD PRIMARY KEY (run_id, attempt_id, trace_id);
  DROP INDEX runtrace_attempts_by_run;
  ALTER TABLE runtrace_tool_calls DROP CONSTRAINT runtrace_tool_calls_pkey, ADD PRIMARY KEY (run_id, span_id, trace_id);
  DROP INDEX runtrace_tool_calls_by_run;
  `,
];

/** Advances the change counter (in the transaction of a write; a sequence does not wait for it to commit). */
export const MARK_CHANGED_SQL = "SELECT nextval('runtrace_changes')";

/** Outcome of {@link migratePostgres}. */
export interface PgMigrateResult {
  readonly from: number;
  readonly to: number;
}

/**
 * Brings a database to {@link PG_SCHEMA_VERSION} in one transaction that first takes the
 * migration advisory lock and then reads the version: twenty processes connecting to a fresh
 * database at once migrate it once, the others wait and find it done. Throws `StoreSchemaError`
 * for a database whose runtrace schema is newer than this code (`location`: the database's URL,
 * password masked, for the message).
 */
export async function migratePostgres(client: PgClient, location: string, target = PG_SCHEMA_VERSION): Promise<PgMigrateResult> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS runtrace_schema (version INTEGER NOT NULL)');
    const found = (await client.query<{ version: number }>('SELECT version FROM runtrace_schema')).rows[0]?.version ?? 0;
    if (found > PG_SCHEMA_VERSION) {
      throw new StoreSchemaError(location, found, PG_SCHEMA_VERSION);
    }
    for (let version = found; version < target; version++) await client.query(MIGRATIONS[version]!);
    if (target > found) {
      if (found === 0) await client.query('INSERT INTO runtrace_schema (version) VALUES ($1)', [target]);
      else await client.query('UPDATE runtrace_schema SET version = $1', [target]);
    }
    await client.query('COMMIT');
    return { from: found, to: Math.max(found, target) };
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
