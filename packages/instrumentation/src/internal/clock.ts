// The default clock: wall time and unref'd interval timers.
import type { RecorderClock } from '../recorder-clock.js';

export const systemClock: RecorderClock = {
  now: () => Date.now(),
  setInterval(callback, intervalMs) {
    const timer = setInterval(callback, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
