// Ends in-flight work that will not end by itself: runs idle for `staleAfter` (the periodic stale
// sweep) and everything still open at shutdown, as interrupted, children before their parents.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { hrTimeToMilliseconds, millisToHrTime } from '@opentelemetry/core';
import { RunStatuses, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { SweepCounts } from '../run-live-event.js';
import type { Clock, ProcessorErrorContext, Timers } from '../run-span-processor-options.js';
import type { LiveEvents } from './live-events.js';
import type { Router } from './router.js';
import { MAX_RUN_DEPTH, countKey, endOrder, isTerminalValue, zeroCounts } from './run-registry.js';
import type { MutableCounts, RunGroup, SpanEntry } from './run-registry.js';
import { asInternalWrite } from './write-once-guard.js';

const MAX_DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/** How a span is ended: a stale one at its last activity and marked stale, at shutdown at `nowMs`. */
interface EndMode {
  readonly stale: boolean;
  readonly nowMs: number;
}

/** What the sweeper works on; the registry stays the processor's, which untracks what ends. */
export interface SweeperOptions {
  /** The processor's runs in flight, by run key. */
  readonly groups: ReadonlyMap<string, RunGroup>;
  readonly staleAfter: number;
  /** Milliseconds between sweeps, `false` for none, `undefined` to follow `staleAfter`. */
  readonly sweepInterval: number | false | undefined;
  readonly clock: Clock;
  readonly timers: Timers;
  /** A sweep releases the held spans of runs idle as long, too. */
  readonly router: Router;
  readonly live: LiveEvents;
  /** Forgets a span that refused to end, so it cannot pin memory. */
  readonly untrack: (entry: SpanEntry, span: ReadableSpan) => void;
  readonly report: (error: unknown, context: ProcessorErrorContext) => void;
}

export class Sweeper {
  readonly #groups: ReadonlyMap<string, RunGroup>;
  readonly #sweepInterval: number | false | undefined;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #router: Router;
  readonly #live: LiveEvents;
  readonly #untrack: (entry: SpanEntry, span: ReadableSpan) => void;
  readonly #report: (error: unknown, context: ProcessorErrorContext) => void;
  #staleAfter: number;
  #timer: unknown;
  #stopped = false;
  /** Spans ended by stale sweeps, by kind. */
  readonly swept = zeroCounts();
  /** Spans ended as interrupted at shutdown, by kind. */
  readonly interruptedAtShutdown = zeroCounts();

  /** Starts the periodic sweep at once (unless `sweepInterval` is `false`). */
  constructor(options: SweeperOptions) {
    this.#groups = options.groups;
    this.#staleAfter = options.staleAfter;
    this.#sweepInterval = options.sweepInterval;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#router = options.router;
    this.#live = options.live;
    this.#untrack = options.untrack;
    this.#report = options.report;
    this.#armTimer();
  }

  get staleAfter(): number {
    return this.#staleAfter;
  }

  /** Takes a checked threshold; a sweep interval that follows it is re-armed. */
  setStaleAfter(ms: number): void {
    this.#staleAfter = ms;
    if (this.#sweepInterval === undefined) this.#armTimer();
  }

  /** Ends every run idle for `staleAfter`, deepest sub-runs first; returns what it ended. */
  sweep(): SweepCounts {
    const counts = zeroCounts();
    if (this.#stopped) return counts;
    try {
      const now = this.#clock.now();
      const stale = [...this.#groups.values()].filter((group) => now - group.lastActivityMs >= this.#staleAfter);
      for (const group of this.#deepestFirst(stale)) this.#endGroup(group, { stale: true, nowMs: now }, counts);
      this.#router.releaseIdle(now, this.#staleAfter, (key) => this.#groups.get(key)?.run !== undefined);
    } catch (error: unknown) {
      this.#report(error, 'sweep');
    }
    for (const key of Object.keys(counts) as (keyof SweepCounts)[]) this.swept[key] += counts[key];
    this.#live.emit({ type: 'sweep', counts: { ...counts } });
    return counts;
  }

  /** Stops the periodic sweep for good (shutdown has begun); later sweeps end nothing. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Ends everything in flight as interrupted at `nowMs`, deepest sub-runs first. */
  interruptAll(nowMs: number): void {
    for (const group of this.#deepestFirst([...this.#groups.values()])) {
      this.#endGroup(group, { stale: false, nowMs }, this.interruptedAtShutdown);
    }
  }

  #depth(group: RunGroup): number {
    let depth = 0;
    let parent = group.parentKey === undefined ? undefined : this.#groups.get(group.parentKey);
    while (parent !== undefined && depth < MAX_RUN_DEPTH) {
      depth += 1;
      parent = parent.parentKey === undefined ? undefined : this.#groups.get(parent.parentKey);
    }
    return depth;
  }

  #deepestFirst(groups: RunGroup[]): RunGroup[] {
    const depths = new Map(groups.map((group) => [group, this.#depth(group)]));
    return groups.sort((a, b) => (depths.get(b) ?? 0) - (depths.get(a) ?? 0));
  }

  #endGroup(group: RunGroup, mode: EndMode, counts: MutableCounts): void {
    const children = [...group.children].sort((a, b) => endOrder(a.kind) - endOrder(b.kind));
    for (const child of children) this.#endEntry(child, mode, counts);
    if (group.run !== undefined) this.#endEntry(group.run, mode, counts);
  }

  #endEntry(entry: SpanEntry, mode: EndMode, counts: MutableCounts): void {
    if (entry.ended) return;
    const span = entry.span;
    try {
      asInternalWrite(span, () => {
        if (!isTerminalValue(span.attributes[RuntraceAttributes.STATUS])) {
          span.setAttribute(RuntraceAttributes.STATUS, RunStatuses.INTERRUPTED);
        }
        if (mode.stale) span.setAttribute(RuntraceAttributes.STALE, true);
        // A run's last activity includes its children's (and its sub-runs').
        const lastActivityMs = entry.kind === SpanKinds.RUN ? entry.group.lastActivityMs : entry.lastActivityMs;
        const endMs = Math.max(mode.stale ? lastActivityMs : mode.nowMs, hrTimeToMilliseconds(span.startTime));
        span.end(millisToHrTime(endMs));
      });
      counts[countKey(entry.kind)] += 1;
    } catch (error: unknown) {
      this.#report(error, mode.stale ? 'sweep' : 'shutdown');
    }
    if (!entry.ended) {
      // The span refused to end (another processor threw); forget it so it cannot pin memory.
      this.#untrack(entry, span);
    }
  }

  #armTimer(): void {
    if (this.#timer !== undefined) this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#sweepInterval === false || this.#stopped) return;
    const interval = this.#sweepInterval ?? Math.max(1, Math.min(MAX_DEFAULT_SWEEP_INTERVAL_MS, Math.floor(this.#staleAfter / 2)));
    const handle = this.#timers.setInterval(() => {
      this.sweep();
    }, interval);
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = handle;
  }
}
