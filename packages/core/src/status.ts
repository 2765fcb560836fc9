// Run, step, attempt and tool statuses and the one rule that classifies an outcome.

/** Lifecycle statuses. Terminal = anything but `in_progress`; once terminal, never changes. */
export const RunStatuses = {
  IN_PROGRESS: 'in_progress',
  INTERRUPTED: 'interrupted',
  ERROR: 'error',
  COMPLETED: 'completed',
} as const;
export type RunStatus = (typeof RunStatuses)[keyof typeof RunStatuses];

/** Every status, in priority order (lowest first). */
export const ALL_STATUSES: readonly RunStatus[] = ['in_progress', 'completed', 'interrupted', 'error'];

const PRIORITY: Readonly<Record<RunStatus, number>> = {
  in_progress: 0,
  completed: 1,
  interrupted: 2,
  error: 3,
};

/**
 * Priority of a status: terminal statuses outrank `in_progress`, and when several outcomes
 * are combined (a run's children) the worst wins: error > interrupted > completed.
 *
 * @example
 * statusPriority('error') > statusPriority('completed'); // true
 */
export function statusPriority(status: RunStatus): number {
  return PRIORITY[status];
}

/**
 * Whether a status is final.
 *
 * @example
 * isTerminal('in_progress'); // false
 */
export function isTerminal(status: RunStatus): boolean {
  return status !== 'in_progress';
}

/**
 * Whether a value is one of the four statuses.
 *
 * @example
 * isRunStatus('completed'); // true
 */
export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && Object.hasOwn(PRIORITY, value);
}

/**
 * The worst of several statuses (by {@link statusPriority}); `completed` for none.
 *
 * @example
 * worstStatus(['completed', 'interrupted', 'completed']); // 'interrupted'
 */
export function worstStatus(statuses: Iterable<RunStatus>): RunStatus {
  let worst: RunStatus = 'completed';
  for (const status of statuses) {
    if (PRIORITY[status] > PRIORITY[worst]) worst = status;
  }
  return worst;
}
