// `runtrace stats`: overview and analytics of the runs that match the filters.
import { ExitCodes } from '../../exit-codes.js';
import { UsageError } from '../cli-errors.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs, writeJson } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { formatStats } from '../format-stats.js';
import { FILTER_HELP, FILTER_OPTIONS, runFilters } from '../run-filter-flags.js';

export const STATS_HELP = `runtrace stats [flags]

Totals, success rate, cost by model, and analytics (runs by day, duration and cost buckets,
models, providers, top tools) drawn as bars, for the last 7 days unless --since, --until or
--all says otherwise. The figures are compared with the period of the same length just
before (not with --all).

${FILTER_HELP}
  --all                  every run ever recorded (no comparison)
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 print { overview, analytics } as JSON
`;

/** The period `runtrace stats` covers when no flag chooses one: the last 7 days. */
const DEFAULT_PERIOD_MS = 7 * 24 * 3_600_000;

/** Runs `runtrace stats`. */
export async function statsCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, ...FILTER_OPTIONS, all: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(STATS_HELP);
    return ExitCodes.OK;
  }
  const now = context.io.now();
  if (values.all && (values.since !== undefined || values.until !== undefined)) throw new UsageError('--all cannot be combined with --since or --until');
  const filters = runFilters(values, now);
  // Without a period, the last 7 days; a period that starts but does not end runs until now.
  // Either way it has a previous period of the same length that the store compares it with.
  const range =
    values.all || filters.to !== undefined
      ? filters
      : filters.from !== undefined
        ? { ...filters, to: now }
        : { ...filters, from: now - DEFAULT_PERIOD_MS, to: now };
  const store = openExistingStore(databasePath(context.io, values.db));
  try {
    const overview = await store.overview(range);
    const analytics = await store.analytics(range);
    if (values.json) writeJson(context, { overview, analytics });
    else context.out(formatStats(overview, analytics, context.style));
    return ExitCodes.OK;
  } finally {
    await store.close();
  }
}
