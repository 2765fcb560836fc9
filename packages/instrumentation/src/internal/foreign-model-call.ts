// Finds another instrumentation's model-call span active where runtrace starts a step for the same call.
import { trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { readForeignGenAi } from '@runtrace/core';

/** The parts of an OpenTelemetry SDK span a processor can read (its `ReadableSpan` side). */
interface ReadableParts {
  readonly name?: unknown;
  readonly attributes?: unknown;
  /** The SDK span that a wrapper (OpenInference's `OISpan`, which masks attributes) makes active instead. */
  readonly span?: unknown;
}

function readable(span: ReadableParts): ReadableParts | undefined {
  if (typeof span.attributes === 'object' && span.attributes !== null) return span;
  const inner = span.span as ReadableParts | null | undefined;
  return typeof inner === 'object' && inner !== null && typeof inner.attributes === 'object' && inner.attributes !== null ? inner : undefined;
}

/**
 * The span id of the model-call span of another instrumentation (the Anthropic SDK's call span,
 * the AI SDK's model-call span, OpenLLMetry's or OpenInference's LLM span) active in `ctx`, or
 * `undefined`. A step started there records the same call, so the step names that span in
 * `runtrace.step.covers_span_id` and the processor keeps the span from counting as a second step.
 * Only an SDK span (one whose name and attributes can be read), or a wrapper holding one, is
 * recognised. Never throws.
 */
export function activeForeignModelCall(ctx: Context): string | undefined {
  try {
    const span = trace.getSpan(ctx) as (Span & ReadableParts) | undefined;
    const parts = span === undefined ? undefined : readable(span);
    if (span === undefined || parts === undefined) return undefined;
    const name = typeof parts.name === 'string' ? parts.name : undefined;
    return readForeignGenAi(name, parts.attributes as Attributes)?.kind === 'model_call' ? span.spanContext().spanId : undefined;
  } catch {
    return undefined;
  }
}
