// `runtrace runs`: lists runs with filters as a table (or JSON).
import type { RunSortKey } from '@runtrace/store';
import { ExitCodes } from '../../exit-codes.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs, writeJson } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { formatRunsTable } from '../format-runs-table.js';
import { parseChoice, parseInteger } from '../parse-values.js';
import { FILTER_HELP, FILTER_OPTIONS, runFilters } from '../run-filter-flags.js';

export const RUNS_HELP = `runtrace runs [flags]

List recorded runs, newest first.

${FILTER_HELP}
  --sort <key>           start (default), duration, tokens, cost
  --asc                  ascending order (default: descending)
  --limit <n>            runs per page, 1..1000 (default 20)
  --cursor <cursor>      the next page, as printed under the table
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 print { runs, nextCursor } as JSON
`;

const SORT_KEYS: readonly RunSortKey[] = ['start', 'duration', 'tokens', 'cost'];

/** Runs `runtrace runs`. */
export async function runsCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: {
      ...DB_OPTIONS,
      ...FILTER_OPTIONS,
      sort: { type: 'string' },
      asc: { type: 'boolean', default: false },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(RUNS_HELP);
    return ExitCodes.OK;
  }
  const filters = runFilters(values, context.io.now());
  const sort = values.sort === undefined ? 'start' : parseChoice('sort', values.sort, SORT_KEYS);
  const limit = values.limit === undefined ? 20 : parseInteger('limit', values.limit, 1, 1000);
  const store = openExistingStore(databasePath(context.io, values.db));
  try {
    const page = await store.listRuns({ ...filters, sort, direction: values.asc ? 'asc' : 'desc', limit, ...(values.cursor === undefined ? {} : { cursor: values.cursor }) });
    if (values.json) writeJson(context, page);
    else context.out(formatRunsTable(page.runs, context.style, page.nextCursor));
    return ExitCodes.OK;
  } finally {
    await store.close();
  }
}
