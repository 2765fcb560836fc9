// Counters that RunSpanProcessor exposes through stats().
import type { SweepCounts } from './run-live-event.js';

/** Per-destination delivery counters. */
export interface DestinationStats {
  readonly name: string;
  /** Spans handed to the destination's `onEnd`. */
  readonly delivered: number;
  /** Spans the destination's sampling decided not to keep. */
  readonly sampledOut: number;
}

/** A snapshot of RunSpanProcessor's counters and current memory use. */
export interface RunSpanProcessorStats {
  /** Tracked spans currently in flight, by kind. */
  readonly inFlight: SweepCounts;
  /** Runtrace spans that started while the registry was at `maxInFlight` and were not tracked. */
  readonly untracked: number;
  /** Writes dropped because the span was terminal or already ended. */
  readonly lateWrites: number;
  /** Spans that started under a run that had already ended (`runtrace.orphaned = true`). */
  readonly orphaned: number;
  /** Spans ended by stale sweeps since start, by kind. */
  readonly swept: SweepCounts;
  /** Spans ended as interrupted by `shutdown()`, by kind. */
  readonly interruptedAtShutdown: SweepCounts;
  /** Spans on which at least one value was masked. */
  readonly redactedSpans: number;
  /** Values masked in total. */
  readonly maskedValues: number;
  /** Ended spans currently held for sampling decisions. */
  readonly heldSpans: number;
  /** Runs currently holding spans. */
  readonly heldRuns: number;
  /** Held runs released early (kept in full) at the `maxHeldSpans` cap or after `staleAfter`. */
  readonly forcedReleases: number;
  /** Spans received through `ingest()`. */
  readonly ingested: number;
  /** Spans dropped because they arrived after `shutdown()`. */
  readonly droppedAfterShutdown: number;
  /** Internal failures reported to `onError`. */
  readonly internalErrors: number;
  /** Per destination, in the order given. */
  readonly destinations: readonly DestinationStats[];
}
