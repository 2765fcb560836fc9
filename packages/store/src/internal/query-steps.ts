// One definition of each query of the store, run by either backend: a query is a generator that
// yields the SQL it needs (in SQLite's words, with the dialect's few differences filled in) and
// receives the rows, so SQLite runs it synchronously and PostgreSQL asynchronously.
import type { Row } from './row-mappers.js';
import type { SqlParams } from './run-filters.js';

/** One statement a query needs: SQL with `@name` or `?` parameters, and their values. */
export interface SqlRequest {
  readonly sql: string;
  readonly params: SqlParams | readonly unknown[];
}

/** A query: yields statements, receives each one's rows, returns its answer. */
export type QuerySteps<T> = Generator<SqlRequest, T, Row[]>;

/** Where SQLite and PostgreSQL differ in the store's queries. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Counts the rows of a group for which `condition` (a boolean expression) holds: 0, not NULL, for none. */
  readonly countIf: (condition: string) => string;
  /** The sum of a column over a group, 0 (not NULL) for none. */
  readonly total: (expression: string) => string;
  /** The UTC day (`YYYY-MM-DD`) of an epoch-milliseconds expression. */
  readonly day: (msExpression: string) => string;
  /** Case-insensitive (ASCII) LIKE, as SQLite's LIKE is. */
  readonly like: string;
}

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  countIf: (condition) => `coalesce(sum(${condition}), 0)`,
  total: (expression) => `total(${expression})`,
  day: (ms) => `date(${ms} / 1000, 'unixepoch')`,
  like: 'LIKE',
};

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  countIf: (condition) => `count(*) FILTER (WHERE ${condition})`,
  total: (expression) => `coalesce(sum(${expression}), 0)`,
  day: (ms) => `to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  like: 'ILIKE',
};

/** What the store's queries read besides their options. */
export interface QueryContext {
  readonly dialect: SqlDialect;
  readonly normalizeModel: (model: string) => string;
}

/** Asks for the rows of one statement. */
export function* all(sql: string, params: SqlParams | readonly unknown[]): QuerySteps<Row[]> {
  return yield { sql, params };
}

/** Asks for the first row of one statement (`undefined` when none). */
export function* first(sql: string, params: SqlParams | readonly unknown[]): QuerySteps<Row | undefined> {
  const rows = yield { sql, params };
  return rows[0];
}

/** Runs a query synchronously (SQLite). */
export function runSteps<T>(steps: QuerySteps<T>, execute: (request: SqlRequest) => Row[]): T {
  let next = steps.next();
  while (next.done !== true) next = steps.next(execute(next.value));
  return next.value;
}

/** Runs a query asynchronously (PostgreSQL), one statement after another. */
export async function runStepsAsync<T>(steps: QuerySteps<T>, execute: (request: SqlRequest) => Promise<Row[]>): Promise<T> {
  let next = steps.next();
  while (next.done !== true) next = steps.next(await execute(next.value));
  return next.value;
}

/** The store's tables, by their SQLite names; PostgreSQL's carry a `runtrace_` prefix. */
const TABLES = new Set(['runs', 'steps', 'attempts', 'tool_calls', 'events', 'spans', 'resources']);
const TABLE_REFERENCE = /\b(FROM|JOIN|INTO|UPDATE)(\s+)([a-z_]+)\b/g;
const PARAMETER = /@([A-Za-z_][A-Za-z0-9_]*)|\?/g;

interface PostgresStatement {
  readonly text: string;
  /** Per `$n`, the name of the parameter it takes, or its position among the `?`. */
  readonly order: readonly (string | number)[];
}

const translated = new Map<string, PostgresStatement>();

/**
 * A statement of the shared queries in PostgreSQL's words: its tables renamed, its `@name` and
 * `?` parameters numbered (`$1`, …). The store's SQL holds no `@` or `?` inside literals.
 * Translations are remembered per SQL text (the queries build a few shapes each).
 */
export function toPostgres(request: SqlRequest): { readonly text: string; readonly values: unknown[] } {
  let statement = translated.get(request.sql);
  if (statement === undefined) {
    const order: (string | number)[] = [];
    const numbers = new Map<string, number>();
    let positional = 0;
    const text = request.sql
      .replace(TABLE_REFERENCE, (match: string, keyword: string, space: string, table: string) => (TABLES.has(table) ? `${keyword}${space}runtrace_${table}` : match))
      .replace(PARAMETER, (match: string, name: string | undefined) => {
        if (name === undefined) {
          order.push(positional++);
          return `$${order.length}`;
        }
        let number = numbers.get(name);
        if (number === undefined) {
          order.push(name);
          numbers.set(name, (number = order.length));
        }
        return `$${number}`;
      });
    statement = { text, order };
    if (translated.size >= 1_000) translated.clear();
    translated.set(request.sql, statement);
  }
  const { params } = request;
  const values = statement.order.map((key) => (Array.isArray(params) ? (params as readonly unknown[])[key as number] : (params as SqlParams)[key as string]));
  return { text: statement.text, values };
}
