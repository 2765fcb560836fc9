// The column values span conversion reads from a span: attributes by type, status, times, events, cost.

import { createHash } from 'node:crypto';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes, defaultRedactor, isRunStatus } from '@runtrace/core';
import { stepCost } from '@runtrace/core/internal';
import type { RunStatus, TokenUsage } from '@runtrace/core';
import type { StorePricing } from '../query-types.js';
import type { EventRow, RowValues } from './row-columns.js';

/** How spans become rows: the pricing for costs, model normalization and the clock for in-progress rows. */
export interface SpanRowContext {
  readonly pricing: StorePricing;
  readonly normalizeModel: (model: string) => string;
  readonly now: () => number;
}

export function str(attributes: Attributes, key: string): string | null {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

export function num(attributes: Attributes, key: string): number | null {
  const value = attributes[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function int(attributes: Attributes, key: string): number | null {
  const value = num(attributes, key);
  return value !== null && Number.isSafeInteger(value) ? value : null;
}

export function count(attributes: Attributes, key: string): number {
  const value = num(attributes, key);
  return value !== null && value > 0 ? Math.round(value) : 0;
}

/** A reported token count as a column value (absent: 0). */
export function tokens(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

export function bool(attributes: Attributes, key: string): boolean {
  const value = attributes[key];
  return value === true || value === 'true';
}

export function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '{}';
  }
}

export function statusOf(span: ReadableSpan, inProgress: boolean): RunStatus {
  if (inProgress) return 'in_progress';
  const recorded = span.attributes[RuntraceAttributes.STATUS];
  if (isRunStatus(recorded) && recorded !== 'in_progress') return recorded;
  return span.status.code === SpanStatusCode.ERROR ? 'error' : 'completed';
}

export interface Timing {
  readonly start_ms: number;
  readonly end_ms: number | null;
  readonly duration_ms: number | null;
  readonly last_activity_ms: number;
}

export function timing(span: ReadableSpan, inProgress: boolean, context: SpanRowContext): Timing {
  const start = hrTimeToMilliseconds(span.startTime);
  if (!inProgress) {
    const end = Math.max(start, hrTimeToMilliseconds(span.endTime));
    return { start_ms: start, end_ms: end, duration_ms: end - start, last_activity_ms: end };
  }
  let last = Math.max(start, context.now());
  const reported = num(span.attributes, RuntraceAttributes.LAST_ACTIVITY_MS);
  if (reported !== null) last = Math.max(last, reported);
  for (const event of span.events) last = Math.max(last, hrTimeToMilliseconds(event.time));
  return { start_ms: start, end_ms: null, duration_ms: null, last_activity_ms: last };
}

export function events(span: ReadableSpan): EventRow[] {
  return span.events.map((event) => ({
    name: event.name,
    time_ms: hrTimeToMilliseconds(event.time),
    attributes: json(event.attributes ?? {}),
  }));
}

export interface Cost {
  readonly cost_usd: number | null;
  readonly cost_unknown: number;
}

export const UNKNOWN_COST: Cost = { cost_usd: null, cost_unknown: 1 };
export const ZERO_COST: Cost = { cost_usd: 0, cost_unknown: 0 };

/** A step's cost columns, by core's one rule for a model call's cost (\`stepCost\`). */
export function priced(context: SpanRowContext, model: string | null, usage: Required<TokenUsage>, provider: string | null, usageMissing = false): Cost {
  const cost = stepCost(context.pricing, { model, provider, usage, usageMissing });
  return cost.known ? { cost_usd: cost.usd, cost_unknown: 0 } : UNKNOWN_COST;
}

export function normalized(context: SpanRowContext, model: string | null): string | null {
  if (model === null) return null;
  try {
    return context.normalizeModel(model);
  } catch {
    return model;
  }
}

export function parentOf(span: ReadableSpan): string | null {
  return span.parentSpanContext?.spanId ?? null;
}

export function statusMessage(span: ReadableSpan): string | null {
  return str(span.attributes, RuntraceAttributes.STATUS_MESSAGE) ?? (span.status.message !== undefined && span.status.message !== '' ? span.status.message : null);
}

/** The service columns of a run: from the resource of the span that made it. */
export interface ServiceColumns {
  readonly service_name: string | null;
  readonly service_version: string | null;
  readonly deployment_environment: string | null;
  /** Schema 2 kept the resource's attributes here; they are in the \`resources\` table now (always \`null\`). */
  readonly resource: null;
}

/** What a span's rows say of its resource. */
export interface SpanResource {
  /** The run's service columns. */
  readonly service: ServiceColumns;
  /** The \`resource_id\` column: a digest of the resource's attributes; \`null\` for a span with no resource. */
  readonly id: string | null;
  /** The resource's row in the \`resources\` table (its columns' order), stored once per distinct resource. */
  readonly values: RowValues | undefined;
}

/**
 * What each resource object seen says (an SDK shares one per provider, so this is a lookup per
 * span), and whether it was read while some of its attributes were still being detected.
 */
const resources = new WeakMap<object, { readonly found: SpanResource; readonly pending: boolean }>();

/** A resource as the SDK's `Resource` is: detectors' attributes may settle later. */
interface ResourceLike {
  readonly attributes?: Attributes;
  readonly asyncAttributesPending?: boolean;
  waitForAsyncAttributes?(): Promise<void>;
}

/**
 * The resource of a span: \`service.name\`, \`service.version\` and \`deployment.environment.name\`
 * (or the older \`deployment.environment\`) as columns, and every attribute (redacted like span
 * attributes: a process detector's command line may hold a credential) in the resource's row,
 * which spans name by a digest of it.
 *
 * A resource whose detectors are still running (the SDK settles them only when an exporter asks)
 * is asked to settle once; until it has, its spans name what it says so far, read once, and the
 * first span after it settled reads it again.
 */
export function resourceOf(span: ReadableSpan): SpanResource {
  // A span built by hand (not by an SDK) may have no resource.
  const resource = (span as { readonly resource?: ResourceLike }).resource;
  if (resource === undefined) return NO_RESOURCE;
  const pending = resource.asyncAttributesPending === true;
  const known = resources.get(resource);
  if (known !== undefined && (known.pending === pending || !known.pending)) return known.found;
  if (pending && known === undefined) settle(resource);
  const attributes = resource.attributes;
  const found = attributes === undefined || Object.keys(attributes).length === 0 ? NO_RESOURCE : describeResource(attributes);
  resources.set(resource, { found, pending });
  return found;
}

function settle(resource: ResourceLike): void {
  try {
    // The SDK's own settling never rejects (a failed detector's attribute is dropped); a foreign one might.
    resource.waitForAsyncAttributes?.().catch(() => undefined);
  } catch {
    // A resource that cannot settle keeps what it says now.
  }
}

function describeResource(attributes: Attributes): SpanResource {
  const service: ServiceColumns = {
    service_name: str(attributes, 'service.name'),
    service_version: str(attributes, 'service.version'),
    deployment_environment: str(attributes, 'deployment.environment.name') ?? str(attributes, 'deployment.environment'),
    resource: null,
  };
  const text = json(defaultRedactor.redactValue(attributes).value);
  const id = createHash('sha256').update(text).digest('hex').slice(0, 32);
  return { service, id, values: [id, service.service_name, service.service_version, service.deployment_environment, text] };
}

const NO_RESOURCE: SpanResource = {
  service: { service_name: null, service_version: null, deployment_environment: null, resource: null },
  id: null,
  values: undefined,
};

/** A step's token columns from its usage counts (the total is input plus output). */
export function tokenColumns(usage: { readonly inputTokens: number; readonly outputTokens: number; readonly reasoningTokens: number; readonly cacheReadTokens: number; readonly cacheCreationTokens: number }): {
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  total_tokens: number;
} {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    reasoning_tokens: usage.reasoningTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_creation_tokens: usage.cacheCreationTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** The \`otel\` column of a span whose only OTel detail is its scope, per scope object (tracers share one). */
const scopeOnly = new WeakMap<object, string>();

function scopeShape(scope: { readonly name: string; readonly version?: string | undefined; readonly schemaUrl?: string | undefined }): Record<string, string> {
  const shape: Record<string, string> = { name: scope.name };
  if (scope.version !== undefined && scope.version !== '') shape['version'] = scope.version;
  if (scope.schemaUrl !== undefined && scope.schemaUrl !== '') shape['schemaUrl'] = scope.schemaUrl;
  return shape;
}

/**
 * The \`otel\` column: what OTLP says of a span beyond its attributes — its instrumentation scope,
 * trace state, links (already redacted by the processor) and dropped counts — as JSON, with only
 * the parts that are there; \`null\` when none is.
 */
export function otelOf(span: ReadableSpan): string | null {
  const scope = (span as { readonly instrumentationScope?: { readonly name: string; readonly version?: string; readonly schemaUrl?: string } }).instrumentationScope;
  const traceState = span.spanContext().traceState?.serialize() ?? '';
  const links = span.links ?? [];
  const droppedAttributes = span.droppedAttributesCount ?? 0;
  const droppedEvents = span.droppedEventsCount ?? 0;
  const droppedLinks = span.droppedLinksCount ?? 0;
  if (traceState === '' && links.length === 0 && droppedAttributes === 0 && droppedEvents === 0 && droppedLinks === 0) {
    if (scope === undefined) return null;
    let cached = scopeOnly.get(scope);
    if (cached === undefined) {
      cached = json({ scope: scopeShape(scope) });
      scopeOnly.set(scope, cached);
    }
    return cached;
  }
  const out: Record<string, unknown> = {};
  if (scope !== undefined) out['scope'] = scopeShape(scope);
  if (traceState !== '') out['traceState'] = traceState;
  if (links.length > 0) {
    out['links'] = links.map((link) => {
      const shape: Record<string, unknown> = { traceId: link.context.traceId, spanId: link.context.spanId };
      const linkState = link.context.traceState?.serialize() ?? '';
      if (linkState !== '') shape['traceState'] = linkState;
      if (link.attributes !== undefined && Object.keys(link.attributes).length > 0) shape['attributes'] = link.attributes;
      return shape;
    });
  }
  const dropped: Record<string, number> = {};
  if (droppedAttributes > 0) dropped['attributes'] = droppedAttributes;
  if (droppedEvents > 0) dropped['events'] = droppedEvents;
  if (droppedLinks > 0) dropped['links'] = droppedLinks;
  if (Object.keys(dropped).length > 0) out['dropped'] = dropped;
  return json(out);
}
