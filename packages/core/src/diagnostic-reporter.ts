// Reports runtrace's operational problems as single lines, rate-limited per cause: the one place library code writes to stderr.
import { truncateText } from './truncate-text.js';

/** Receives one report line, without a trailing newline. */
export type DiagnosticSink = (line: string) => void;

/** Options of {@link DiagnosticReporter}. */
export interface DiagnosticReporterOptions {
  /** Where lines go. Default: the line and a newline written to `process.stderr`. */
  readonly sink?: DiagnosticSink;
  /** Write nothing; every occurrence is still counted in `stats()`. Default `false`. */
  readonly quiet?: boolean;
  /**
   * Least time between two lines about the same cause, in ms. The first occurrence is written at
   * once; later ones within the interval are counted and summed up on the next line. Default 60,000.
   */
  readonly intervalMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Text put before every line. Default `'runtrace: '`. */
  readonly prefix?: string;
}

/** What a {@link DiagnosticReporter} has seen. */
export interface DiagnosticReporterStats {
  /** Occurrences reported, by cause (written or not). */
  readonly causes: Readonly<Record<string, number>>;
  /** Lines written to the sink. */
  readonly lines: number;
  /** Occurrences not written on their own line (rate-limited, or `quiet`). */
  readonly suppressed: number;
}

interface CauseState {
  total: number;
  /** When the last line about this cause was written; `undefined` before the first. */
  lastLineAt: number | undefined;
  /** Occurrences since the last line, and the newest of their messages. */
  pending: number;
  pendingMessage: string;
}

/** Longest line written; a backend's error page must not flood the terminal. */
const MAX_LINE_CHARS = 1_000;
/** Most distinct causes tracked; beyond it, new causes share one slot so memory stays bounded. */
const MAX_CAUSES = 256;
const OVERFLOW_CAUSE = 'other';

function defaultSink(line: string): void {
  process.stderr.write(`${line}\n`);
}

function oneLine(text: string): string {
  return truncateText(text.replace(/\s*[\r\n]+\s*/g, ' ').trim(), MAX_LINE_CHARS);
}

/**
 * Writes one line per problem to stderr (or a sink), at most one per cause per interval, with a
 * count of what happened in between; counts everything, quiet or not. A sink that throws is
 * ignored: reporting never throws into the application.
 *
 * @example
 * const reporter = new DiagnosticReporter();
 * reporter.report('store-open', '/app/.runtrace/runtrace.db is not a runtrace database (file is not a database): move it away or set RUNTRACE_DB');
 * // stderr: runtrace: /app/.runtrace/runtrace.db is not a runtrace database (file is not a database): move it away or set RUNTRACE_DB
 */
export class DiagnosticReporter {
  readonly #sink: DiagnosticSink;
  readonly #quiet: boolean;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #prefix: string;
  readonly #causes = new Map<string, CauseState>();
  #lines = 0;
  #suppressed = 0;

  constructor(options: DiagnosticReporterOptions = {}) {
    this.#sink = options.sink ?? defaultSink;
    this.#quiet = options.quiet ?? false;
    const interval = options.intervalMs ?? 60_000;
    this.#intervalMs = Number.isFinite(interval) && interval >= 0 ? interval : 60_000;
    this.#now = options.now ?? Date.now;
    this.#prefix = options.prefix ?? 'runtrace: ';
  }

  /** Whether lines are written at all. */
  get quiet(): boolean {
    return this.#quiet;
  }

  /**
   * Reports one occurrence of `cause` (a stable key such as `store-write` or `config:RUNTRACE_DB`)
   * described by `message` (the cause and the fix, one sentence). Returns whether a line was written.
   */
  report(cause: string, message: string): boolean {
    const state = this.#state(cause);
    state.total += 1;
    if (this.#quiet) {
      this.#suppressed += 1;
      return false;
    }
    const now = this.#now();
    if (state.lastLineAt !== undefined && now - state.lastLineAt < this.#intervalMs) {
      state.pending += 1;
      state.pendingMessage = message;
      this.#suppressed += 1;
      return false;
    }
    this.#write(state, message, state.pending, now);
    return true;
  }

  /** Writes a closing line for every cause with occurrences not yet written (for example at shutdown). */
  flush(): void {
    if (this.#quiet) return;
    const now = this.#now();
    for (const state of this.#causes.values()) {
      if (state.pending === 0) continue;
      // The newest pending occurrence gets the line; the others are its count.
      this.#write(state, state.pendingMessage, state.pending - 1, now);
    }
  }

  /** Occurrences by cause, lines written and occurrences suppressed. */
  stats(): DiagnosticReporterStats {
    const causes: Record<string, number> = {};
    for (const [cause, state] of this.#causes) causes[cause] = state.total;
    return { causes, lines: this.#lines, suppressed: this.#suppressed };
  }

  #state(cause: string): CauseState {
    const key = this.#causes.has(cause) || this.#causes.size < MAX_CAUSES ? cause : OVERFLOW_CAUSE;
    let state = this.#causes.get(key);
    if (state === undefined) {
      state = { total: 0, lastLineAt: undefined, pending: 0, pendingMessage: '' };
      this.#causes.set(key, state);
    }
    return state;
  }

  #write(state: CauseState, message: string, earlier: number, now: number): void {
    state.pending = 0;
    state.pendingMessage = '';
    state.lastLineAt = now;
    const since = earlier > 0 ? ` (${earlier} more since the last report)` : '';
    this.#lines += 1;
    try {
      this.#sink(`${this.#prefix}${oneLine(message)}${since}`);
    } catch {
      // A broken sink (closed stderr) has nowhere left to report to.
    }
  }
}
