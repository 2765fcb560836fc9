// Places other instrumentations' GenAI spans in runtrace's runs and steps: the run they belong to,
// and the model calls that a runtrace step already recorded (so they are not counted twice).
import type { Attributes } from '@opentelemetry/api';
import type { ForeignGenAi } from '@runtrace/core';
import { RuntraceAttributes, readForeignGenAi } from '@runtrace/core';
import { BoundedMap } from './bounded-map.js';

/** Where a foreign span sits: inside a runtrace run, and maybe inside one of its steps. */
export interface Placement {
  readonly runKey: string;
  /** The runtrace step the span was started in: a model call there is that step's own call. */
  readonly stepId: string | undefined;
}

/** What a foreign GenAI span is to runtrace once it ends. */
export type ForeignOutcome =
  /** A model call that a runtrace step recorded: kept as a generic span. */
  | { readonly kind: 'covered'; readonly stepId: string }
  /** A model call, tool call or agent; `runKey` is the runtrace run it joins, if any. */
  | { readonly kind: 'mapped'; readonly foreign: ForeignGenAi; readonly runKey: string | undefined; readonly stepId: string | undefined };

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The coverage rule: a model-call span of another instrumentation is runtrace's step's own call
 * (a) when the step started while that span was active — the SDK's call span around the request
 * that runtrace's fetch instrumentation read — and the step names it in
 * `runtrace.step.covers_span_id`, or (b) when the span started inside the step (an instrumented
 * SDK called in `run.step(…)`), directly or under other foreign spans.
 */
export class ForeignLinks {
  /** Foreign span id → the step that covers it (rule a), learnt when the step starts or is ingested. */
  readonly #coveredBy: BoundedMap<string, string>;
  /** Foreign span → its placement (rule b and the run it joins), learnt from its parent when it starts. */
  readonly #placements = new WeakMap<object, Placement>();

  constructor(memory: number) {
    this.#coveredBy = new BoundedMap(memory);
  }

  /** A runtrace step started (or was ingested): remembers the foreign span it covers, if any. */
  noteStep(attributes: Attributes, stepId: string): void {
    const covered = nonEmpty(attributes[RuntraceAttributes.STEP_COVERS_SPAN_ID]);
    if (covered !== undefined) this.#coveredBy.set(covered, stepId);
  }

  /** Where a span (a foreign one started here) sits, if it is under a runtrace run. */
  placementOf(span: object): Placement | undefined {
    const placement = this.#placements.get(span);
    if (placement !== undefined) return placement;
    // A wrapper (OpenInference's OISpan) is made active in place of the SDK span it holds.
    const inner = (span as { readonly span?: unknown }).span;
    return typeof inner === 'object' && inner !== null ? this.#placements.get(inner) : undefined;
  }

  /** A foreign span started at `placement` (its parent's, or a runtrace parent's own). */
  place(span: object, placement: Placement): void {
    this.#placements.set(span, placement);
  }

  /**
   * What a foreign span is, once it ends; `undefined` for a span that is no GenAI span or that an
   * upstream runtrace processor already placed (it carries `runtrace.run.id` or the covered mark).
   * `fallbackRunKey` is the run of its trace when its start was not seen here.
   */
  resolve(span: object, name: string, attributes: Attributes, spanId: string, fallbackRunKey: string | undefined): ForeignOutcome | undefined {
    if (attributes[RuntraceAttributes.RUN_ID] !== undefined || attributes[RuntraceAttributes.COVERED_BY_STEP_ID] !== undefined) return undefined;
    const foreign = readForeignGenAi(name, attributes);
    if (foreign === undefined) return undefined;
    const placement = this.#placements.get(span);
    if (foreign.kind === 'model_call') {
      const stepId = this.#coveredBy.get(spanId) ?? placement?.stepId;
      if (stepId !== undefined) {
        this.#coveredBy.delete(spanId);
        return { kind: 'covered', stepId };
      }
    }
    return { kind: 'mapped', foreign, runKey: placement?.runKey ?? fallbackRunKey, stepId: placement?.stepId };
  }
}
