// The exit codes of the runtrace command, stable for scripts.

/**
 * Exit codes of `runtrace`: scripts may rely on them.
 *
 * @example
 * const code = await main(['show', 'abc']);
 * if (code === ExitCodes.NOT_FOUND) console.error('no such run');
 */
export const ExitCodes = {
  /** The command did what was asked. */
  OK: 0,
  /** Something failed (an unreadable database, a port in use, …). */
  ERROR: 1,
  /** The command line was wrong (unknown command or flag, bad value). */
  USAGE: 2,
  /** The thing asked for does not exist (the database file, a run id). */
  NOT_FOUND: 3,
} as const;

/** One of {@link ExitCodes}. */
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];
