// Places other instrumentations' GenAI spans in runtrace's runs and steps: the run they belong to,
// and the model calls that a runtrace step already recorded (so they are not counted twice).
import type { Attributes, Span as ApiSpan } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForeignGenAi } from '@runtrace/core';
import { RuntraceAttributes, SpanKinds, readForeignGenAi } from '@runtrace/core';
import type { CostCalculator } from '../run-span-processor-options.js';
import { BoundedMap } from './bounded-map.js';
import { nonEmptyString } from './run-registry.js';
import type { SpanEntry } from './run-registry.js';
import type { RunSummaryAccumulator } from './run-summary.js';
import type { TraceRuns } from './trace-runs.js';

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

/** What ForeignLinks shares with the processor: the registry's trace runs and ended runs (read only), and pricing. */
export interface ForeignLinksOptions {
  /** How many covered span ids are remembered. */
  readonly memory: number;
  /** The run of a trace, for a span whose start was not seen here. */
  readonly traceRuns: TraceRuns;
  /** Runs that ended here: a span that joins one of them late is orphaned. */
  readonly endedRuns: { has(runKey: string): boolean };
  readonly pricing: CostCalculator | undefined;
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
  readonly #traceRuns: TraceRuns;
  readonly #endedRuns: { has(runKey: string): boolean };
  readonly #pricing: CostCalculator | undefined;
  /** Foreign spans that joined a run that had already ended (`runtrace.orphaned = true`). */
  orphaned = 0;

  constructor(options: ForeignLinksOptions) {
    this.#coveredBy = new BoundedMap(options.memory);
    this.#traceRuns = options.traceRuns;
    this.#endedRuns = options.endedRuns;
    this.#pricing = options.pricing;
  }

  /** A runtrace step started (or was ingested): remembers the foreign span it covers, if any. */
  noteStep(attributes: Attributes, stepId: string): void {
    const covered = nonEmptyString(attributes[RuntraceAttributes.STEP_COVERS_SPAN_ID]);
    if (covered !== undefined) this.#coveredBy.set(covered, stepId);
  }

  /**
   * A foreign span starts under `parent`: it is placed in the runtrace run (and step) of its
   * parent, if any. `parentEntry` is the parent's registry entry when runtrace tracks it.
   */
  started(span: object, parent: ApiSpan, parentEntry: SpanEntry | undefined): void {
    let placement: Placement | undefined;
    if (parentEntry === undefined) placement = this.#placementOf(parent);
    else placement = { runKey: parentEntry.group.key, stepId: parentEntry.kind === SpanKinds.STEP ? parent.spanContext().spanId : undefined };
    if (placement !== undefined) this.#placements.set(span, placement);
  }

  /**
   * A foreign span ends (or is ingested; `key` is the span its start was seen as): a model call
   * that a runtrace step recorded is marked as covered; a GenAI span under a runtrace run joins it
   * (`runtrace.run.id`, and `runtrace.step.id` for a tool in a step) and is added to the summary
   * `summaryOf` gives. Its other attributes stay as they are.
   */
  ended(key: object, span: ReadableSpan, summaryOf: (runKey: string) => RunSummaryAccumulator | undefined): void {
    const { spanId, traceId } = span.spanContext();
    const outcome = this.#resolve(key, span.name, span.attributes, spanId, this.#traceRuns.runOf(traceId));
    if (outcome === undefined) return;
    const attributes = span.attributes;
    if (outcome.kind === 'covered') {
      attributes[RuntraceAttributes.COVERED_BY_STEP_ID] = outcome.stepId;
      return;
    }
    const { foreign, runKey, stepId } = outcome;
    if (runKey === undefined) return;
    attributes[RuntraceAttributes.RUN_ID] = runKey;
    if (stepId !== undefined && foreign.kind === 'tool') attributes[RuntraceAttributes.STEP_ID] = stepId;
    const summary = summaryOf(runKey);
    if (summary !== undefined) summary.addForeign(foreign, span.status.code, this.#pricing);
    else if (this.#endedRuns.has(runKey)) {
      attributes[RuntraceAttributes.ORPHANED] = true;
      this.orphaned += 1;
    }
  }

  /** Where a span (a foreign one started here) sits, if it is under a runtrace run. */
  #placementOf(span: object): Placement | undefined {
    const placement = this.#placements.get(span);
    if (placement !== undefined) return placement;
    // A wrapper (OpenInference's OISpan) is made active in place of the SDK span it holds.
    const inner = (span as { readonly span?: unknown }).span;
    return typeof inner === 'object' && inner !== null ? this.#placements.get(inner) : undefined;
  }

  /**
   * What a foreign span is, once it ends; `undefined` for a span that is no GenAI span or that an
   * upstream runtrace processor already placed (it carries `runtrace.run.id` or the covered mark).
   * `fallbackRunKey` is the run of its trace when its start was not seen here.
   */
  #resolve(span: object, name: string, attributes: Attributes, spanId: string, fallbackRunKey: string | undefined): ForeignOutcome | undefined {
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
