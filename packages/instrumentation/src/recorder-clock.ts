// The time source a recorder uses for heartbeats and time-to-first-chunk; injectable for tests.

/**
 * Time source of a {@link Recorder}. Inject one in tests to drive heartbeats without sleeping.
 *
 * @example
 * let now = 0;
 * const callbacks: (() => void)[] = [];
 * const clock: RecorderClock = {
 *   now: () => now,
 *   setInterval: (callback) => { callbacks.push(callback); return () => undefined; },
 * };
 */
export interface RecorderClock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Calls `callback` every `intervalMs`; returns a function that stops it. Must not keep the process alive. */
  setInterval(callback: () => void, intervalMs: number): () => void;
}
