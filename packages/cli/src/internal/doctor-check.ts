// One finding of `runtrace doctor`: what was checked, how it went, and what to do about it.

/** How a check went: `fail` makes `runtrace doctor` exit non-zero; `skip` means there was nothing to check. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One finding. */
export interface DoctorCheck {
  /** What was checked, for example `database file` or `otlp endpoint`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, one line. */
  readonly summary: string;
  /** What to do, when something is wrong. */
  readonly fix?: string;
}

/** A check, leaving `fix` out when there is none (exact optional properties). */
export function check(name: string, status: CheckStatus, summary: string, fix?: string): DoctorCheck {
  return fix === undefined ? { name, status, summary } : { name, status, summary, fix };
}
