// `runtrace prune`: deletes old runs by age and/or keeps the file under a size.
import { ExitCodes } from '../../exit-codes.js';
import { UsageError } from '../cli-errors.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs, writeJson } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { formatBytes } from '../format-values.js';
import { parseDuration, parseSize } from '../parse-values.js';

export const PRUNE_HELP = `runtrace prune --older-than <d> | --max-size <size> [flags]

Delete runs (with everything under them) that started more than --older-than ago, then the
oldest runs until the database uses at most --max-size; the space is given back to the disk.

  --older-than <d>       age, such as 30d, 12h, 2w
  --max-size <size>      size, such as 500MB or 2GB (powers of 1024)
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 print the counts and sizes as JSON
`;

/** Runs `runtrace prune`. */
export async function pruneCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, 'older-than': { type: 'string' }, 'max-size': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(PRUNE_HELP);
    return ExitCodes.OK;
  }
  const olderThan = values['older-than'];
  const maxSize = values['max-size'];
  if (olderThan === undefined && maxSize === undefined) throw new UsageError('prune needs --older-than <duration>, --max-size <size> or both');
  const maxAgeMs = olderThan === undefined ? undefined : parseDuration('older-than', olderThan);
  const maxBytes = maxSize === undefined ? undefined : parseSize('max-size', maxSize);
  const store = openExistingStore(databasePath(context.io, values.db));
  try {
    const result = await store.applyRetention({
      now: context.io.now(),
      ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
    });
    if (values.json) writeJson(context, result);
    else {
      context.out(
        `deleted ${result.runs} runs (${result.steps} steps, ${result.attempts} attempts, ${result.toolCalls} tool calls, ${result.spans} other spans); ` +
          `${formatBytes(result.bytesBefore)} → ${formatBytes(result.bytesAfter)}\n`,
      );
    }
    return ExitCodes.OK;
  } finally {
    await store.close();
  }
}
