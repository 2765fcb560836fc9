// `runtrace show <run-id>`: one run as a waterfall of steps, attempts and tool calls.
import type { RunDetail, RunPage, RunStore } from '@runtrace/store';
import { ExitCodes } from '../../exit-codes.js';
import { NotFoundError, UsageError } from '../cli-errors.js';
import { closestIds } from '../closest-ids.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs, writeJson } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { formatRunDetail } from '../format-run-detail.js';

export const SHOW_HELP = `runtrace show <run-id> [flags]

Show one run: status, model, tokens, cost, and its steps, attempts (retries included) and
tool calls drawn as a waterfall. A unique prefix of a run id is enough.

  --bodies               also print the request and response bodies and tool arguments and
                         results, as stored (redacted and bounded)
  --trace <trace-id>     the run of this trace, should runs of several traces have the id
                         (ids a collector received from elsewhere); default: the newest
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 print the run, its children and its figures as JSON
`;

const MAX_SCANNED_RUNS = 20_000;

/** Every run id in the store (newest first), up to a bound. */
async function knownRunIds(store: RunStore): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: RunPage = await store.listRuns({ limit: 1000, ...(cursor === null ? {} : { cursor }) });
    for (const run of page.runs) ids.push(run.runId);
    cursor = page.nextCursor;
  } while (cursor !== null && ids.length < MAX_SCANNED_RUNS);
  return ids;
}

/** The run meant: an exact id, else the only id starting with the given text. */
async function findRun(store: RunStore, wanted: string, traceId: string | undefined): Promise<RunDetail> {
  const normalized = wanted.trim().toLowerCase();
  const lookup = traceId === undefined ? {} : { traceId };
  const exact = normalized === '' ? undefined : await store.getRun(normalized, lookup);
  if (exact !== undefined) return exact;
  if (traceId !== undefined) throw new NotFoundError(`no run ${wanted} in trace ${traceId}`);
  const ids = await knownRunIds(store);
  const matches = normalized.length >= 4 ? ids.filter((id) => id.startsWith(normalized)) : [];
  const only = matches.length === 1 && matches[0] !== undefined ? await store.getRun(matches[0]) : undefined;
  if (only !== undefined) return only;
  const suggestions = matches.length > 1 ? matches.slice(0, 5) : closestIds(normalized, ids);
  const lines = [`no run ${wanted}`];
  if (matches.length > 1) lines.push(`${matches.length} runs start with ${wanted}; say which:`);
  else if (suggestions.length > 0) lines.push('closest run ids:');
  for (const id of suggestions) lines.push(`  ${id}`);
  if (suggestions.length === 0) lines.push(ids.length === 0 ? 'the store has no runs yet' : 'list runs with `runtrace runs`');
  throw new NotFoundError(lines.join('\n'));
}

/** Runs `runtrace show`. */
export async function showCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, bodies: { type: 'boolean', default: false }, trace: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    context.out(SHOW_HELP);
    return ExitCodes.OK;
  }
  const [wanted, ...extra] = positionals;
  if (wanted === undefined) throw new UsageError('show needs a run id: runtrace show <run-id> (list them with `runtrace runs`)');
  if (extra.length > 0) throw new UsageError(`show takes one run id, got ${positionals.length}`);
  const store = openExistingStore(databasePath(context.io, values.db));
  try {
    const trace = values.trace?.trim().toLowerCase();
    const detail = await findRun(store, wanted, trace === '' ? undefined : trace);
    const analytics = await store.runAnalytics(detail.run.runId, { traceId: detail.run.traceId });
    if (values.json) writeJson(context, { ...detail, analytics: analytics ?? null });
    else context.out(formatRunDetail(detail, { style: context.style, analytics, bodies: values.bodies, now: context.io.now() }));
    return ExitCodes.OK;
  } finally {
    await store.close();
  }
}
