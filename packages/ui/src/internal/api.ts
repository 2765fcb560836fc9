// The viewer's JSON API: query strings turned into the store's query options, and the answers.
import { InvalidArgumentError } from '@runtrace/core';
import type { RunStatus } from '@runtrace/core';
import type { ListRunsOptions, RunFilters, RunSortKey, RunStore } from '@runtrace/store';

/** An API answer: a status and a JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A query parameter as a number of epoch milliseconds, or `undefined` when absent. */
function instant(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new InvalidArgumentError(name, value, 'epoch milliseconds');
  return number;
}

/** The run filters of a query string (`status` may repeat or be a comma list). */
export function filtersOf(params: URLSearchParams): RunFilters {
  const filters: Mutable<RunFilters> = {};
  const text = (name: string): string | undefined => {
    const value = params.get(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const statuses = params.getAll('status').flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  if (statuses.length > 0) filters.status = statuses as RunStatus[];
  const kind = text('kind');
  if (kind !== undefined) filters.kind = kind;
  const provider = text('provider');
  if (provider !== undefined) filters.provider = provider;
  const service = text('service');
  if (service !== undefined) filters.service = service;
  const model = text('model');
  if (model !== undefined) filters.model = model;
  const label = text('label');
  if (label !== undefined) filters.labelContains = label;
  const conversation = text('conversation');
  if (conversation !== undefined) filters.conversationId = conversation;
  const from = instant(params, 'from');
  if (from !== undefined) filters.from = from;
  const to = instant(params, 'to');
  if (to !== undefined) filters.to = to;
  return filters;
}

/** `listRuns` options of a query string: the filters, sort, direction, limit and cursor. */
export function listOptionsOf(params: URLSearchParams): ListRunsOptions {
  const options: Mutable<ListRunsOptions> = { ...filtersOf(params) };
  const sort = params.get('sort');
  if (sort !== null && sort !== '') options.sort = sort as RunSortKey;
  const direction = params.get('direction');
  if (direction !== null && direction !== '') options.direction = direction as 'asc' | 'desc';
  const limit = params.get('limit');
  if (limit !== null && limit !== '') options.limit = Number(limit);
  const cursor = params.get('cursor');
  if (cursor !== null && cursor !== '') options.cursor = cursor;
  return options;
}

/**
 * Answers `GET /api/<path>` from a store of either backend. The store validates every option and
 * throws (or rejects with) InvalidArgumentError naming what was wrong, which becomes a 400 with
 * that message.
 */
export async function answerApi(store: RunStore, path: string, params: URLSearchParams): Promise<ApiAnswer> {
  try {
    switch (path) {
      case 'runs':
        return { status: 200, body: await store.listRuns(listOptionsOf(params)) };
      case 'run': {
        const id = params.get('id') ?? '';
        const trace = params.get('trace');
        const lookup = trace === null || trace === '' ? {} : { traceId: trace };
        const detail = await store.getRun(id, lookup);
        if (detail === undefined) return { status: 404, body: { error: `no run ${id}${trace === null || trace === '' ? '' : ` in trace ${trace}`}` } };
        return { status: 200, body: { detail, analytics: (await store.runAnalytics(detail.run.runId, { traceId: detail.run.traceId })) ?? null } };
      }
      case 'stats': {
        const filters = filtersOf(params);
        return { status: 200, body: { overview: await store.overview(filters), analytics: await store.analytics(filters) } };
      }
      default:
        return { status: 404, body: { error: `no API ${path}` } };
    }
  } catch (error: unknown) {
    if (error instanceof InvalidArgumentError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
