// The processor's registry of spans in flight: an entry per tracked span, a group per run, and
// the small facts about span kinds that the registry, the sweep, the write-once guard and ingest share.
import type { Attributes, SpanStatus } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import type { RunStatus, SpanKind } from '@runtrace/core';
import { RunStatuses, RuntraceAttributes, SpanKinds, isRunStatus, isTerminal } from '@runtrace/core';
import type { SweepCounts } from '../run-live-event.js';
import { RunSummaryAccumulator } from './run-summary.js';

/** Sub-runs nest; activity and sweep ordering follow at most this many levels up. */
export const MAX_RUN_DEPTH = 16;

/** The span methods the write-once guard wraps. */
export type Mutators = Pick<
  Span,
  'setAttribute' | 'setAttributes' | 'addEvent' | 'addLink' | 'addLinks' | 'setStatus' | 'updateName' | 'end' | 'recordException'
>;

/**
 * A tracked span. Entries and groups are class instances rather than object literals: V8 can
 * pretenure a literal's allocation site (allocate it straight in the old generation) once its
 * objects are seen surviving young-generation GCs, and a dead entry in the old generation then
 * keeps its young span alive through every scavenge until the next full GC — under a burst,
 * hundreds of MiB of span data promoted. Constructor allocations have no allocation site.
 */
export class SpanEntry {
  readonly span: Span;
  readonly kind: SpanKind;
  readonly group: RunGroup;
  /** The methods this processor replaced when they were not the prototype's (another processor's wrappers). */
  readonly original: Mutators | undefined;
  /** For an attempt or tool: its step's entry, whose activity it also counts as. */
  readonly step: SpanEntry | undefined;
  lastActivityMs: number;
  ended = false;
  lateWrites = 0;

  constructor(span: Span, kind: SpanKind, group: RunGroup, original: Mutators | undefined, step: SpanEntry | undefined, nowMs: number) {
    this.span = span;
    this.kind = kind;
    this.group = group;
    this.original = original;
    this.step = step;
    this.lastActivityMs = nowMs;
  }
}

/** A run and its in-flight children (a class for the same reason as {@link SpanEntry}). */
export class RunGroup {
  readonly key: string;
  readonly traceId: string;
  run: SpanEntry | undefined = undefined;
  runEnded: boolean;
  readonly children = new Set<SpanEntry>();
  /** Open steps by span id, so attempts and tools can find their step; created on first use. */
  steps: Map<string, SpanEntry> | undefined = undefined;
  parentKey: string | undefined = undefined;
  lastActivityMs: number;
  readonly summary = new RunSummaryAccumulator();
  updatePending = false;

  constructor(key: string, traceId: string, runEnded: boolean, nowMs: number) {
    this.key = key;
    this.traceId = traceId;
    this.runEnded = runEnded;
    this.lastActivityMs = nowMs;
  }
}

export type MutableCounts = { -readonly [K in keyof SweepCounts]: number };

export function zeroCounts(): MutableCounts {
  return { runs: 0, steps: 0, attempts: 0, tools: 0 };
}

export function countKey(kind: SpanKind): keyof SweepCounts {
  switch (kind) {
    case SpanKinds.RUN:
      return 'runs';
    case SpanKinds.STEP:
      return 'steps';
    case SpanKinds.ATTEMPT:
      return 'attempts';
    case SpanKinds.TOOL:
      return 'tools';
  }
}

/** Children end before their parents: attempts and tools, then steps. */
export function endOrder(kind: SpanKind): number {
  switch (kind) {
    case SpanKinds.ATTEMPT:
      return 0;
    case SpanKinds.TOOL:
      return 1;
    case SpanKinds.STEP:
      return 2;
    case SpanKinds.RUN:
      return 3;
  }
}

export function isSpanKind(value: unknown): value is SpanKind {
  return value === SpanKinds.RUN || value === SpanKinds.STEP || value === SpanKinds.ATTEMPT || value === SpanKinds.TOOL;
}

export function isTerminalValue(value: unknown): value is RunStatus {
  return isRunStatus(value) && isTerminal(value);
}

/** A string attribute that says something (a run id, a parent run id), or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A runtrace span that ends without a terminal status gets one: error for an ERROR span, else completed. */
export function finalizeStatus(attributes: Attributes, status: SpanStatus): void {
  if (isTerminalValue(attributes[RuntraceAttributes.STATUS])) return;
  attributes[RuntraceAttributes.STATUS] = status.code === SpanStatusCode.ERROR ? RunStatuses.ERROR : RunStatuses.COMPLETED;
}
