// Where the command line reads its environment from and writes its output to; injectable for tests.

/** A writable text stream (process.stdout fits). */
export interface CliOutput {
  write(text: string): unknown;
  /** Whether the stream is a terminal: colours and live counters are used only then. */
  readonly isTTY?: boolean;
}

/** The world as the command line sees it. Every field is optional in {@link main}. */
export interface CliIo {
  /** Standard output. Default `process.stdout`. */
  readonly stdout: CliOutput;
  /** Standard error. Default `process.stderr`. */
  readonly stderr: CliOutput;
  /** Environment variables (`NO_COLOR`, `RUNTRACE_DB`, `OTEL_EXPORTER_OTLP_*`). Default `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  readonly cwd: string;
  /** Clock, epoch ms (relative times such as `--since 24h`). Default `Date.now`. */
  readonly now: () => number;
  /**
   * Aborted when a long-running command (`collect`) should stop. Default: a signal aborted on
   * SIGINT or SIGTERM.
   */
  readonly signal?: AbortSignal;
}
