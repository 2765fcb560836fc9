// What every command receives: its arguments, the io, the style and the resolved database path.
import { DEFAULT_STORE_PATH, errorMessage, storeUrlScheme } from '@runtrace/core/internal';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { openStoreAt } from '@runtrace/store';
import type { RunStore } from '@runtrace/store';
import type { CliIo } from '../cli-io.js';
import { NotFoundError, UsageError } from './cli-errors.js';
import { readCliEnv } from './cli-env.js';
import type { Style } from './style.js';

/** The default store file, relative to the working directory. */
/** The store file when neither --db nor RUNTRACE_DB names one (the same as the runtrace package's). */
export const DEFAULT_DB = DEFAULT_STORE_PATH;

/** Everything a command needs. */
export interface CommandContext {
  /** The arguments after the command name. */
  readonly args: readonly string[];
  readonly io: CliIo;
  readonly style: Style;
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
}

/** Flags every command that reads the store accepts. */
export const DB_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parses a command's flags strictly; unknown flags and missing values become usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error: unknown) {
    const message = errorMessage(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/**
 * The store: `--db`, else `RUNTRACE_DB`, else `./.runtrace/runtrace.db`; a file path is resolved
 * against the working directory, a URL (`postgres://…`) is passed on as given.
 */
export function databasePath(io: CliIo, flag: string | undefined): string {
  const chosen = flag ?? readCliEnv(io.env).db ?? DEFAULT_DB;
  return storeUrlScheme(chosen) !== undefined ? chosen : resolve(io.cwd, chosen);
}

/**
 * Opens an existing store for reading: a SQLite file (no sweep: reading never changes the file),
 * or a PostgreSQL database by URL (any other scheme is refused by the store, saying why). A
 * missing file is a {@link NotFoundError} that says how to create one.
 */
export function openExistingStore(path: string): RunStore {
  if (storeUrlScheme(path) === undefined && !existsSync(path)) {
    throw new NotFoundError(
      [
        `no runtrace database at ${path}`,
        'Record some runs first: call register() from the runtrace package in your app (or start it with',
        '`node --import runtrace/register app.js`), or run `runtrace collect` and send OTLP to it.',
        'To read another file, pass --db <file> or set RUNTRACE_DB.',
      ].join('\n'),
    );
  }
  return openStoreAt(path, { sweepOnOpen: false });
}

/** Writes a value as pretty JSON followed by a newline. */
export function writeJson(context: CommandContext, value: unknown): void {
  context.out(`${JSON.stringify(value, null, 2)}\n`);
}
