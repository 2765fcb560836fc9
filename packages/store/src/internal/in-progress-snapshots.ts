// Decides when a live span deserves an in-progress row: only once it has been open for a while,
// so that short work costs one row write (its final one) instead of two.

import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** Takes a (redacted) snapshot of a span still in flight. */
export type SnapshotSource = () => ReadableSpan;

interface Watched {
  readonly due: number;
  snapshot: SnapshotSource;
}

/** Timer functions, injectable in tests. */
export interface SnapshotTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const defaultTimers: SnapshotTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * Live spans waiting for their first in-progress row, and those whose row is out of date.
 * `write` receives each snapshot to store; `forget` (called when the span's final row is on
 * its way) cancels whatever is still planned for it.
 */
export class InProgressSnapshots {
  readonly #delayMs: number;
  readonly #now: () => number;
  readonly #timers: SnapshotTimers;
  readonly #write: (span: ReadableSpan) => void;
  /** Not yet written, in the order they are due (insertion order, since the delay is fixed). */
  readonly #waiting = new Map<string, Watched>();
  /** Written at least once. */
  readonly #written = new Set<string>();
  /** Written, then changed: the fresh row to write at the next tick. */
  readonly #refresh = new Map<string, SnapshotSource>();
  #timer: unknown;

  constructor(delayMs: number, now: () => number, write: (span: ReadableSpan) => void, timers: SnapshotTimers = defaultTimers) {
    this.#delayMs = delayMs;
    this.#now = now;
    this.#write = write;
    this.#timers = timers;
  }

  /** Spans waiting for their first row or holding one. */
  get size(): number {
    return this.#waiting.size + this.#written.size;
  }

  /**
   * A span started (`refresh` false) or changed (`refresh` true). A started span gets its first
   * row after the delay; a changed span that already has a row gets a fresh one at the next tick.
   */
  watch(spanId: string, snapshot: SnapshotSource, refresh: boolean): void {
    if (this.#written.has(spanId)) {
      if (refresh) this.#refresh.set(spanId, snapshot);
      this.#arm();
      return;
    }
    const waiting = this.#waiting.get(spanId);
    if (waiting !== undefined) {
      // The first row, when due, shows the latest state.
      waiting.snapshot = snapshot;
      return;
    }
    if (refresh) return;
    if (this.#delayMs === 0) {
      this.#written.add(spanId);
      this.#emit(snapshot);
      return;
    }
    this.#waiting.set(spanId, { due: this.#now() + this.#delayMs, snapshot });
    this.#arm();
  }

  /** The span ended: no more rows for it. */
  forget(spanId: string): void {
    // The timer stays armed until a tick finds nothing to watch: short work would otherwise
    // arm and clear it once per span.
    if (this.#waiting.delete(spanId) || this.#written.delete(spanId)) this.#refresh.delete(spanId);
  }

  /** Writes every row that is due (the timer calls it; tests may too). */
  tick(): void {
    const now = this.#now();
    for (const [spanId, watched] of this.#waiting) {
      if (watched.due > now) break;
      this.#waiting.delete(spanId);
      this.#written.add(spanId);
      this.#emit(watched.snapshot);
    }
    for (const [spanId, refresh] of this.#refresh) {
      this.#refresh.delete(spanId);
      this.#emit(refresh);
    }
    if (this.size === 0) this.#disarm();
  }

  /** Stops the timer and forgets everything. */
  clear(): void {
    this.#waiting.clear();
    this.#written.clear();
    this.#refresh.clear();
    this.#disarm();
  }

  #emit(snapshot: SnapshotSource): void {
    let span: ReadableSpan;
    try {
      span = snapshot();
    } catch {
      return;
    }
    this.#write(span);
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const handle = this.#timers.setInterval(() => this.tick(), Math.max(10, Math.floor(this.#delayMs / 2)));
    // A live view must never keep the host process alive.
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = handle;
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
