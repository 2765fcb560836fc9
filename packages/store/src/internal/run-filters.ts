// Validation of query arguments and the SQL WHERE clause for run filters.

import { InvalidArgumentError, isRunStatus } from '@runtrace/core';
import type { RunStatus } from '@runtrace/core';
import type { Instant, ListRunsOptions, RunFilters, RunSortKey } from '../query-types.js';
import { SQLITE_DIALECT } from './query-steps.js';
import type { SqlDialect } from './query-steps.js';

export type SqlParams = Record<string, string | number>;

export interface WhereClause {
  readonly sql: string;
  readonly params: SqlParams;
}

/** Epoch ms of an instant; throws `InvalidArgumentError` naming `parameter` otherwise. */
export function toEpochMs(parameter: string, value: Instant): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(parameter, value, 'epoch milliseconds or a valid Date');
  }
  return ms;
}

/** A non-empty string; throws `InvalidArgumentError` naming `parameter` otherwise. */
export function requireText(parameter: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(parameter, value, 'a non-empty string');
  return value;
}

function statuses(value: unknown): readonly RunStatus[] {
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new InvalidArgumentError('status', value, 'a status or a non-empty list of statuses');
  for (const status of list) {
    if (!isRunStatus(status)) {
      throw new InvalidArgumentError('status', status, 'one of in_progress, completed, interrupted, error');
    }
  }
  return list as readonly RunStatus[];
}

/** The validated time range of a filter, in epoch ms. */
export function timeRange(filters: RunFilters): { readonly from: number | undefined; readonly to: number | undefined } {
  const from = filters.from === undefined ? undefined : toEpochMs('from', filters.from);
  const to = filters.to === undefined ? undefined : toEpochMs('to', filters.to);
  if (from !== undefined && to !== undefined && from >= to) {
    throw new InvalidArgumentError('to', filters.to, `later than from (${new Date(from).toISOString()})`);
  }
  return { from, to };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Builds the WHERE clause of a run filter. `time` chooses how the range applies: `overlap`
 * (a run that was running at any point of the range) or `start` (a run that started in it).
 * `alias` prefixes column names (for joins).
 */
export function whereRuns(
  filters: RunFilters,
  options: {
    readonly time: 'overlap' | 'start';
    readonly alias?: string;
    readonly normalizeModel: (model: string) => string;
    readonly range?: { readonly from: number | undefined; readonly to: number | undefined };
    /** Default: SQLite's. */
    readonly dialect?: SqlDialect;
  },
): WhereClause {
  const p = options.alias === undefined ? '' : `${options.alias}.`;
  const conditions: string[] = [];
  const params: SqlParams = {};
  if (filters.conversationId !== undefined) {
    params.f_conversation = requireText('conversationId', filters.conversationId);
    conditions.push(`${p}conversation_id = @f_conversation`);
  }
  if (filters.kind !== undefined) {
    params.f_kind = requireText('kind', filters.kind);
    conditions.push(`${p}kind = @f_kind`);
  }
  if (filters.status !== undefined) {
    const list = statuses(filters.status);
    const names = list.map((status, index) => {
      params[`f_status_${index}`] = status;
      return `@f_status_${index}`;
    });
    conditions.push(`${p}status IN (${names.join(', ')})`);
  }
  if (filters.provider !== undefined) {
    params.f_provider = requireText('provider', filters.provider);
    conditions.push(`${p}provider = @f_provider`);
  }
  if (filters.service !== undefined) {
    params.f_service = requireText('service', filters.service);
    conditions.push(`${p}service_name = @f_service`);
  }
  if (filters.model !== undefined) {
    params.f_model = options.normalizeModel(requireText('model', filters.model));
    conditions.push(`${p}normalized_model = @f_model`);
  }
  if (filters.labelContains !== undefined) {
    params.f_label = `%${escapeLike(requireText('labelContains', filters.labelContains))}%`;
    conditions.push(`${p}label ${(options.dialect ?? SQLITE_DIALECT).like} @f_label ESCAPE '\\'`);
  }
  const { from, to } = options.range ?? timeRange(filters);
  if (options.time === 'overlap') {
    if (to !== undefined) {
      params.f_to = to;
      conditions.push(`${p}start_ms < @f_to`);
    }
    if (from !== undefined) {
      params.f_from = from;
      conditions.push(`(${p}end_ms IS NULL OR ${p}end_ms >= @f_from)`);
    }
  } else {
    if (from !== undefined) {
      params.f_from = from;
      conditions.push(`${p}start_ms >= @f_from`);
    }
    if (to !== undefined) {
      params.f_to = to;
      conditions.push(`${p}start_ms < @f_to`);
    }
  }
  return { sql: conditions.length === 0 ? '1 = 1' : conditions.join(' AND '), params };
}

const SORT_EXPRESSIONS: Readonly<Record<RunSortKey, string>> = {
  start: 'start_ms',
  duration: 'coalesce(duration_ms, -1)',
  tokens: 'total_tokens',
  cost: 'coalesce(cost_usd, -1)',
};

export interface ListPlan {
  readonly sort: RunSortKey;
  readonly direction: 'asc' | 'desc';
  readonly limit: number;
  readonly expression: string;
  readonly cursor: { readonly value: number; readonly runId: string } | undefined;
}

/** Validates the paging part of `listRuns` options. */
export function listPlan(options: ListRunsOptions): ListPlan {
  const sort = options.sort ?? 'start';
  if (!Object.hasOwn(SORT_EXPRESSIONS, sort)) throw new InvalidArgumentError('sort', sort, 'one of start, duration, tokens, cost');
  const direction = options.direction ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') throw new InvalidArgumentError('direction', direction, 'asc or desc');
  const limit = options.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new InvalidArgumentError('limit', limit, 'an integer from 1 to 1000');
  let cursor: ListPlan['cursor'];
  if (options.cursor !== undefined) cursor = decodeCursor(options.cursor, sort, direction);
  return { sort, direction, limit, expression: SORT_EXPRESSIONS[sort], cursor };
}

/** A cursor names the last row of a page by its sort value and run id (keyset paging). */
export function encodeCursor(sort: RunSortKey, direction: 'asc' | 'desc', value: number, runId: string): string {
  return Buffer.from(JSON.stringify([sort, direction, value, runId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: RunSortKey, direction: 'asc' | 'desc'): { value: number; runId: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    typeof parsed[2] !== 'number' ||
    typeof parsed[3] !== 'string'
  ) {
    throw new InvalidArgumentError('cursor', cursor, 'a nextCursor returned by listRuns');
  }
  if (parsed[0] !== sort || parsed[1] !== direction) {
    throw new InvalidArgumentError('cursor', cursor, `a cursor of a listing sorted by ${sort} ${direction}`);
  }
  return { value: parsed[2], runId: parsed[3] };
}
