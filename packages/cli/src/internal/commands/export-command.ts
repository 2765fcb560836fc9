// `runtrace export --json`: every matching run with everything under it, as one JSON document.
import { maskUrlPassword } from '@runtrace/core/internal';
import { ExitCodes } from '../../exit-codes.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { FILTER_HELP, FILTER_OPTIONS, runFilters } from '../run-filter-flags.js';
import type { RunPage } from '@runtrace/store';

export const EXPORT_HELP = `runtrace export --json [flags]

Write every matching run with its steps, attempts, tool calls, events and other spans (as
stored: redacted and bounded) to stdout as one JSON document:
{ "database": …, "exportedAt": …, "runs": [ { "run": …, "steps": […], … } ] }. Oldest first.

${FILTER_HELP}
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 the format (JSON is the only one, and the default)
`;

/** Runs `runtrace export`. Runs are written one by one, so memory stays flat on large stores. */
export async function exportCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, ...FILTER_OPTIONS },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(EXPORT_HELP);
    return ExitCodes.OK;
  }
  const filters = runFilters(values, context.io.now());
  const path = databasePath(context.io, values.db);
  const store = openExistingStore(path);
  try {
    context.out(`{\n  "database": ${JSON.stringify(maskUrlPassword(path))},\n  "exportedAt": ${JSON.stringify(new Date(context.io.now()).toISOString())},\n  "runs": [`);
    let cursor: string | null = null;
    let first = true;
    do {
      const page: RunPage = await store.listRuns({ ...filters, sort: 'start', direction: 'asc', limit: 200, ...(cursor === null ? {} : { cursor }) });
      for (const run of page.runs) {
        const detail = await store.getRun(run.runId, { traceId: run.traceId });
        if (detail === undefined) continue;
        context.out(`${first ? '\n' : ',\n'}    ${JSON.stringify(detail)}`);
        first = false;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    context.out(`${first ? '' : '\n  '}]\n}\n`);
    return ExitCodes.OK;
  } finally {
    await store.close();
  }
}
