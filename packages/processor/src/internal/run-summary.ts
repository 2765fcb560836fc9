// Aggregates the steps, attempts and tools of one run into the runtrace.summary.* attributes.
import type { Attributes } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForeignGenAi, RunStatus, SpanKind, TokenUsage } from '@runtrace/core';
import { GenAiAttributes, HttpAttributes, RunStatuses, RuntraceAttributes, SpanKinds, isRunStatus, isTerminal, isUsageMissing } from '@runtrace/core';
import { endpointLabel, endpointPathOf, stepCost } from '@runtrace/core/internal';
import type { CostCalculator } from '../run-span-processor-options.js';

/** The runtrace status of a span: its `runtrace.status`, else derived from the OTel status. */
export function statusOf(attributes: Attributes, otelStatusCode: SpanStatusCode): RunStatus {
  const status = attributes[RuntraceAttributes.STATUS];
  if (isRunStatus(status) && isTerminal(status)) return status;
  return otelStatusCode === SpanStatusCode.ERROR ? RunStatuses.ERROR : RunStatuses.IN_PROGRESS;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}


/** A run names at most this many distinct models and providers. */
const MAX_NAMES = 8;

function remember(names: string[], name: string | undefined): void {
  if (name !== undefined && names.length < MAX_NAMES && !names.includes(name)) names.push(name);
}

/** What a step adds to its run's summary, read from runtrace's attributes or another instrumentation's. */
interface StepFigures {
  /** The model named in the summary: requested, else answering. */
  readonly model: string | undefined;
  /** The model priced: answering, else requested. */
  readonly pricedModel: string | undefined;
  readonly provider: string | undefined;
  readonly usage: Required<TokenUsage>;
  readonly usageMissing: boolean;
}

function runtraceStepFigures(attributes: Attributes): StepFigures {
  const requested = stringAttribute(attributes, GenAiAttributes.REQUEST_MODEL);
  const answering = stringAttribute(attributes, GenAiAttributes.RESPONSE_MODEL);
  return {
    model: requested ?? answering,
    pricedModel: answering ?? requested,
    provider: stringAttribute(attributes, GenAiAttributes.PROVIDER_NAME),
    usage: {
      inputTokens: count(attributes[GenAiAttributes.USAGE_INPUT_TOKENS]),
      outputTokens: count(attributes[GenAiAttributes.USAGE_OUTPUT_TOKENS]),
      reasoningTokens: count(attributes[GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS]),
      cacheReadTokens: count(attributes[GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS]),
      cacheCreationTokens: count(attributes[GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS]),
    },
    usageMissing: isUsageMissing(attributes),
  };
}

/** Running totals for one run, fed with each child span as it ends. */
export class RunSummaryAccumulator {
  stepCount = 0;
  inputTokens = 0;
  outputTokens = 0;
  reasoningTokens = 0;
  cacheReadTokens = 0;
  cacheCreationTokens = 0;
  toolCallCount = 0;
  hasError = false;
  failedSteps = 0;
  interruptedSteps = 0;
  costUsd = 0;
  costUnknown = false;
  #endpoint: { readonly startMs: number; readonly label: string } | undefined;
  readonly #models: string[] = [];
  readonly #providers: string[] = [];
  /** Tool call ids counted: one call recorded twice (by another instrumentation and on the wire) counts once. */
  #toolCallIds: Set<string> | undefined;

  /** Adds one ended child span (step, attempt or tool) of the run. */
  add(span: ReadableSpan, kind: SpanKind, pricing: CostCalculator | undefined): void {
    const attributes = span.attributes;
    const status = statusOf(attributes, span.status.code);
    switch (kind) {
      case SpanKinds.STEP:
        this.#addStep(runtraceStepFigures(attributes), status, pricing);
        break;
      case SpanKinds.ATTEMPT:
        if (status === 'completed') this.#addAttempt(span);
        break;
      case SpanKinds.TOOL:
        this.#addTool(stringAttribute(attributes, GenAiAttributes.TOOL_CALL_ID), status);
        break;
      case SpanKinds.RUN:
        break;
    }
  }

  /** Adds another instrumentation's model call or tool call that joined the run (its agent spans add nothing). */
  addForeign(foreign: ForeignGenAi, statusCode: SpanStatusCode, pricing: CostCalculator | undefined): void {
    const status = statusCode === SpanStatusCode.ERROR ? RunStatuses.ERROR : RunStatuses.COMPLETED;
    if (foreign.kind === 'tool') {
      this.#addTool(foreign.callId, status);
      return;
    }
    if (foreign.kind !== 'model_call') return;
    const usage = foreign.usage;
    this.#addStep(
      {
        model: foreign.requestModel ?? foreign.responseModel,
        pricedModel: foreign.responseModel ?? foreign.requestModel,
        provider: foreign.provider,
        usage: {
          inputTokens: count(usage.inputTokens),
          outputTokens: count(usage.outputTokens),
          reasoningTokens: count(usage.reasoningTokens),
          cacheReadTokens: count(usage.cacheReadTokens),
          cacheCreationTokens: count(usage.cacheCreationTokens),
        },
        usageMissing: foreign.usageMissing,
      },
      status,
      pricing,
    );
  }

  #addTool(callId: string | undefined, status: RunStatus): void {
    if (status === 'error') this.hasError = true;
    if (callId !== undefined) {
      this.#toolCallIds ??= new Set();
      if (this.#toolCallIds.has(callId)) return;
      this.#toolCallIds.add(callId);
    }
    this.toolCallCount += 1;
  }

  #addStep(figures: StepFigures, status: RunStatus, pricing: CostCalculator | undefined): void {
    this.stepCount += 1;
    if (status === 'error') {
      this.hasError = true;
      this.failedSteps += 1;
    } else if (status === 'interrupted') {
      this.interruptedSteps += 1;
    }
    remember(this.#models, figures.model);
    remember(this.#providers, figures.provider);
    const usage = figures.usage;
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.reasoningTokens += usage.reasoningTokens;
    this.cacheReadTokens += usage.cacheReadTokens;
    this.cacheCreationTokens += usage.cacheCreationTokens;
    if (pricing === undefined) return;
    // Core's one rule for a model call's cost: the store's step rows use it too.
    const cost = stepCost(pricing, { model: figures.pricedModel, provider: figures.provider, usage, usageMissing: figures.usageMissing });
    if (cost.known) this.costUsd += cost.usd;
    else this.costUnknown = true;
  }

  #addAttempt(span: ReadableSpan): void {
    const method = stringAttribute(span.attributes, HttpAttributes.REQUEST_METHOD);
    const path = endpointPathOf(span.attributes);
    if (method === undefined || path === undefined) return;
    const startMs = hrTimeToMilliseconds(span.startTime);
    if (this.#endpoint !== undefined && this.#endpoint.startMs <= startMs) return;
    this.#endpoint = { startMs, label: endpointLabel(method, path) };
  }

  /**
   * Writes the summary onto a run's attributes. `runStatus` is the run's own terminal status;
   * `withCost` is false when no pricing table is configured.
   */
  write(attributes: Attributes, runStatus: RunStatus, withCost: boolean): void {
    attributes[RuntraceAttributes.SUMMARY_STEP_COUNT] = this.stepCount;
    attributes[RuntraceAttributes.SUMMARY_INPUT_TOKENS] = this.inputTokens;
    attributes[RuntraceAttributes.SUMMARY_OUTPUT_TOKENS] = this.outputTokens;
    attributes[RuntraceAttributes.SUMMARY_TOTAL_TOKENS] = this.inputTokens + this.outputTokens;
    if (this.reasoningTokens > 0) attributes[RuntraceAttributes.SUMMARY_REASONING_TOKENS] = this.reasoningTokens;
    if (this.cacheReadTokens > 0) attributes[RuntraceAttributes.SUMMARY_CACHE_READ_TOKENS] = this.cacheReadTokens;
    if (this.cacheCreationTokens > 0) {
      attributes[RuntraceAttributes.SUMMARY_CACHE_CREATION_TOKENS] = this.cacheCreationTokens;
    }
    attributes[RuntraceAttributes.SUMMARY_HAS_ERROR] = this.hasError || runStatus === 'error';
    attributes[RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT] = this.toolCallCount;
    if (this.failedSteps > 0) attributes[RuntraceAttributes.SUMMARY_FAILED_STEP_COUNT] = this.failedSteps;
    if (this.interruptedSteps > 0) attributes[RuntraceAttributes.SUMMARY_INTERRUPTED_STEP_COUNT] = this.interruptedSteps;
    if (this.#endpoint !== undefined) attributes[RuntraceAttributes.SUMMARY_ENDPOINT] = this.#endpoint.label;
    if (this.#models.length > 0) attributes[RuntraceAttributes.SUMMARY_MODELS] = [...this.#models];
    if (this.#providers.length > 0) attributes[RuntraceAttributes.SUMMARY_PROVIDERS] = [...this.#providers];
    const label = stringAttribute(attributes, RuntraceAttributes.RUN_LABEL);
    if (label !== undefined) attributes[RuntraceAttributes.SUMMARY_FIRST_MESSAGE] = label;
    if (withCost && this.stepCount > 0) {
      if (this.costUnknown) {
        attributes[RuntraceAttributes.SUMMARY_COST_UNKNOWN] = true;
        delete attributes[RuntraceAttributes.SUMMARY_COST_USD];
      } else {
        attributes[RuntraceAttributes.SUMMARY_COST_USD] = this.costUsd;
      }
    }
  }
}

/**
 * Writes a run's summary onto its span's attributes, as the run ends (or is ingested); a run
 * without a terminal status yet is summarized as completed. No cost without a pricing table.
 */
export function writeRunSummary(summary: RunSummaryAccumulator, attributes: Attributes, pricing: CostCalculator | undefined): void {
  const status = attributes[RuntraceAttributes.STATUS];
  const runStatus: RunStatus = isRunStatus(status) && isTerminal(status) ? status : RunStatuses.COMPLETED;
  summary.write(attributes, runStatus, pricing !== undefined);
}
