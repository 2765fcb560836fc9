// Which runtrace run each trace belongs to, so other libraries' spans in it follow that run's sampling.
import { BoundedMap } from './bounded-map.js';

/**
 * Learnt from runs in flight here and from ingested spans; one rule for both: the outermost run
 * of a trace wins over its sub-runs, and a child span's run stands in until a run is seen.
 */
export class TraceRuns {
  /** Trace id → the outermost in-flight run in it. */
  readonly #inFlight = new Map<string, string>();
  /**
   * Trace id → the outermost run seen in it, remembered after the run ended and for ingested
   * spans, so other spans of the trace that end late or arrive in a later batch follow the run.
   */
  readonly #seen: BoundedMap<string, string>;

  constructor(memory: number) {
    this.#seen = new BoundedMap(memory);
  }

  /** The run whose sampling decision a span from another library in `traceId` follows, if known. */
  runOf(traceId: string): string | undefined {
    return this.#inFlight.get(traceId) ?? this.#seen.get(traceId);
  }

  /** A run span started here; `topLevel` when it is no sub-run. */
  runStarted(traceId: string, runKey: string, topLevel: boolean): void {
    if (!this.#inFlight.has(traceId)) this.#inFlight.set(traceId, runKey);
    this.noteRun(traceId, runKey, topLevel);
  }

  /** A run span that started here ended; the trace is still remembered. */
  runEnded(traceId: string, runKey: string): void {
    if (this.#inFlight.get(traceId) === runKey) this.#inFlight.delete(traceId);
  }

  /**
   * A span of `runKey` was seen in the trace: the run itself (`topLevel` when it is no sub-run)
   * or, with `topLevel` false, a child span naming its run.
   */
  noteRun(traceId: string, runKey: string, topLevel: boolean): void {
    if (topLevel || !this.#seen.has(traceId)) this.#seen.set(traceId, runKey);
  }
}
