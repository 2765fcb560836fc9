// CPU time of this process by kind of thread, read from Linux's /proc (each thread's schedstat:
// nanoseconds on a CPU), so a benchmark can say where a configuration's CPU went: the main
// thread, worker threads (the store's writer), V8's helper threads (garbage collection and
// compilation) or anything else (libuv's pool, the inspector). Elsewhere it reads nothing.
import { readFileSync, readdirSync } from 'node:fs';

/** CPU time in µs by kind of thread. */
export interface ThreadCpu {
  readonly main: number;
  readonly workers: number;
  readonly v8Helpers: number;
  readonly other: number;
}

export const THREAD_KINDS = ['main', 'workers', 'v8Helpers', 'other'] as const satisfies readonly (keyof ThreadCpu)[];

function kindOf(tid: string, name: string): keyof ThreadCpu {
  if (tid === String(process.pid)) return 'main';
  // Node names its worker threads' OS threads `WorkerThread`, and V8's platform threads `V8Worker`.
  if (name.startsWith('WorkerThread')) return 'workers';
  if (name.startsWith('V8Worker')) return 'v8Helpers';
  return 'other';
}

/** CPU time used so far by the process's live threads, by kind; undefined where /proc cannot tell. */
export function threadCpu(): ThreadCpu | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const sums = { main: 0, workers: 0, v8Helpers: 0, other: 0 };
  for (const tid of tids) {
    try {
      const nanos = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      if (Number.isFinite(nanos)) sums[kindOf(tid, name)] += nanos / 1000;
    } catch {
      // The thread ended between the listing and the read: its time is gone with it.
    }
  }
  return sums;
}

/** What each kind of thread used between two readings (a thread that ended in between is not counted). */
export function threadCpuSince(before: ThreadCpu | undefined, after: ThreadCpu | undefined): ThreadCpu | undefined {
  if (before === undefined || after === undefined) return undefined;
  return {
    main: after.main - before.main,
    workers: Math.max(0, after.workers - before.workers),
    v8Helpers: Math.max(0, after.v8Helpers - before.v8Helpers),
    other: Math.max(0, after.other - before.other),
  };
}
