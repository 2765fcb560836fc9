// `runtrace sweep`: finalizes runs left in progress by a process that stopped reporting.
import { ExitCodes } from '../../exit-codes.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs, writeJson } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { parseDuration } from '../parse-values.js';

export const SWEEP_HELP = `runtrace sweep [flags]

Finalize as interrupted (stale) every run, step, attempt and tool call still in progress with
no sign of life for a while: what a crashed process leaves behind.

  --stale-after <d>      idle time that counts as stale (default 5m)
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 print the counts as JSON
`;

/** Runs `runtrace sweep`. */
export async function sweepCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, 'stale-after': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(SWEEP_HELP);
    return ExitCodes.OK;
  }
  const staleAfter = values['stale-after'];
  const staleAfterMs = staleAfter === undefined ? undefined : Math.max(1, Math.round(parseDuration('stale-after', staleAfter)));
  const store = openExistingStore(databasePath(context.io, values.db));
  try {
    const counts = await store.sweep({ now: context.io.now(), ...(staleAfterMs === undefined ? {} : { staleAfterMs }) });
    if (values.json) writeJson(context, counts);
    else context.out(`finalized as interrupted: ${counts.runs} runs, ${counts.steps} steps, ${counts.attempts} attempts, ${counts.toolCalls} tool calls\n`);
    return ExitCodes.OK;
  } finally {
    await store.close();
  }
}
