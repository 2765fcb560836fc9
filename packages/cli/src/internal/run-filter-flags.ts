// The run filters shared by `runs`, `stats` and `export`, as flags.
import type { RunFilters } from '@runtrace/store';
import { parseInstant, parseStatuses } from './parse-values.js';

/** Filter flags, for parseArgs. */
export const FILTER_OPTIONS = {
  status: { type: 'string' },
  kind: { type: 'string' },
  model: { type: 'string' },
  provider: { type: 'string' },
  service: { type: 'string' },
  conversation: { type: 'string' },
  search: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
} as const;

/** The flag values parseArgs returns for {@link FILTER_OPTIONS}. */
export interface FilterValues {
  readonly status?: string | undefined;
  readonly kind?: string | undefined;
  readonly model?: string | undefined;
  readonly provider?: string | undefined;
  readonly service?: string | undefined;
  readonly conversation?: string | undefined;
  readonly search?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

/** Help lines for the filter flags. */
export const FILTER_HELP = `  --status <s[,s]>       completed, error, interrupted, in_progress
  --kind <kind>          run kind (chat_turn, title_generation, …)
  --model <model>        model name (normalized like the stored names)
  --provider <name>      provider (openai, anthropic, …)
  --service <name>       service (service.name of the app or service that recorded the run)
  --conversation <id>    runs of one conversation
  --search <text>        text in the run's label (first user message)
  --since <when>         ISO date/time or a duration ago (24h, 7d)
  --until <when>         ISO date/time or a duration ago`;

/** Builds store filters from flag values. */
export function runFilters(values: FilterValues, now: number): RunFilters {
  const filters: { -readonly [K in keyof RunFilters]: RunFilters[K] } = {};
  if (values.status !== undefined) {
    const statuses = parseStatuses('status', values.status);
    filters.status = statuses.length === 1 && statuses[0] !== undefined ? statuses[0] : statuses;
  }
  if (values.kind !== undefined) filters.kind = values.kind;
  if (values.model !== undefined) filters.model = values.model;
  if (values.provider !== undefined) filters.provider = values.provider;
  if (values.service !== undefined) filters.service = values.service;
  if (values.conversation !== undefined) filters.conversationId = values.conversation;
  if (values.search !== undefined) filters.labelContains = values.search;
  if (values.since !== undefined) filters.from = parseInstant('since', values.since, now);
  if (values.until !== undefined) filters.to = parseInstant('until', values.until, now);
  return filters;
}
