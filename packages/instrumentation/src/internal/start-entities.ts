// Starts the spans and states of runs, steps and tool calls.
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { GenAiAttributes, RunFinalizedError, RunNotFoundError, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { RunParams } from '../run-params.js';
import type { StepParams, ToolCallParams } from '../step-params.js';
import { labelOf } from './bounds.js';
import { STEP_KEY, activeRunState, activeStepState } from './context-keys.js';
import { activeForeignModelCall } from './foreign-model-call.js';
import { linkContext } from './linked-context.js';
import { markRedactedContent, redactedJson } from './gen-ai-content.js';
import type { MaskTally } from './gen-ai-content.js';
import { RunState, StepState, ToolState } from './recorder-core.js';
import type { RecorderCore } from './recorder-core.js';
import { requestAttributes } from './step-attributes.js';
import { noteExplicitToolCall } from './wire-tool-calls.js';

function safeInteger(value: number | undefined): number | undefined {
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

/** Starts a run: a new trace, or a child of `parent` for a sub-agent run. */
export function startRunState(core: RecorderCore, params: RunParams, parent: RunState | undefined, recording: boolean): RunState {
  const settings = core.settings;
  const active = context.active();
  const base = active.getValue(STEP_KEY) === undefined ? active : linkContext(active, STEP_KEY, undefined);
  const sub = parent !== undefined && parent.recording && !parent.ended;
  // A sub-agent run hangs under whatever runtrace span is active in its parent run (a tool call, say).
  const parentContext = sub ? (activeRunState(base) === parent ? base : parent.context) : base;
  const conversationId = params.conversationId;
  const rootConversationId = params.rootConversationId ?? parent?.rootConversationId ?? conversationId;
  const parentConversationId = params.parentConversationId ?? (parent !== undefined ? parent.conversationId : undefined);
  const attributes: Attributes = {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN,
    [RuntraceAttributes.STATUS]: 'in_progress',
    [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
    [RuntraceAttributes.RUN_KIND]: params.kind,
    [RuntraceAttributes.CONTENT_POLICY]: settings.contentPolicy,
  };
  if (conversationId !== undefined) attributes[GenAiAttributes.CONVERSATION_ID] = conversationId;
  if (rootConversationId !== undefined) attributes[RuntraceAttributes.RUN_ROOT_CONVERSATION_ID] = rootConversationId;
  if (parentConversationId !== undefined) attributes[RuntraceAttributes.RUN_PARENT_CONVERSATION_ID] = parentConversationId;
  const trigger = safeInteger(params.triggerMessageId);
  if (trigger !== undefined) attributes[RuntraceAttributes.RUN_TRIGGER_MESSAGE_ID] = trigger;
  const tip = safeInteger(params.historyTipMessageId);
  if (tip !== undefined) attributes[RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID] = tip;
  if (params.provider !== undefined) attributes[GenAiAttributes.PROVIDER_NAME] = params.provider;
  if (params.model !== undefined) attributes[GenAiAttributes.REQUEST_MODEL] = params.model;
  const agentName = params.agentName === undefined || params.agentName === '' ? undefined : params.agentName;
  if (agentName !== undefined) attributes[GenAiAttributes.AGENT_NAME] = agentName;
  if (sub) attributes[RuntraceAttributes.RUN_PARENT_RUN_ID] = parent.id;
  let masked = 0;
  if (recording && params.label !== undefined && settings.contentPolicy === 'full') {
    const redacted = settings.redactor.redactText(params.label);
    masked += redacted.maskedCount;
    const label = labelOf(redacted.value);
    if (label !== undefined) attributes[RuntraceAttributes.RUN_LABEL] = label;
  }
  const span = core.startSpan(
    agentName === undefined ? 'invoke_agent' : `invoke_agent ${agentName}`,
    { kind: SpanKind.INTERNAL, root: !sub },
    attributes,
    params.attributes,
    parentContext,
    recording,
  );
  const state = new RunState(core, span, base, {
    parent: sub ? parent : undefined,
    conversationId,
    rootConversationId,
    provider: params.provider,
    model: params.model,
  });
  if (state.recording) span.setAttribute(RuntraceAttributes.RUN_ID, state.id);
  state.addMasked(masked);
  core.runStarted(state);
  return state;
}

/** Resolves the run a recorder-level call targets: by id, or the run active in the context. */
export function resolveRun(core: RecorderCore, runId: string | undefined): RunState {
  if (runId !== undefined) {
    const run = core.openRuns.get(runId);
    if (run !== undefined) return run;
    if (core.wasFinalized(runId)) throw new RunFinalizedError(runId);
    throw new RunNotFoundError(runId);
  }
  const active = activeRunState();
  if (active === undefined) throw new RunNotFoundError('(none)', 'no run is active in this context');
  if (active.core !== core) throw new RunNotFoundError(active.id, 'the active run belongs to another recorder');
  return active;
}

/** Starts a step under a run; numbers are allocated synchronously, so they are unique and gapless. */
export function startStepState(run: RunState, params: StepParams): StepState {
  if (run.endRequested) throw new RunFinalizedError(run.id);
  const core = run.core;
  const number = ++run.stepCounter;
  const model = params.model ?? run.model;
  const provider = params.provider ?? run.provider;
  const active = context.active();
  const base = activeRunState(active) === run ? active : run.context;
  const attributes: Attributes = {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP,
    [RuntraceAttributes.STATUS]: 'in_progress',
    [RuntraceAttributes.RUN_ID]: run.id,
    [GenAiAttributes.OPERATION_NAME]: 'chat',
    [RuntraceAttributes.STEP_NUMBER]: number,
    [RuntraceAttributes.STEP_OPERATION]: params.operation,
  };
  if (provider !== undefined) attributes[GenAiAttributes.PROVIDER_NAME] = provider;
  if (model !== undefined) attributes[GenAiAttributes.REQUEST_MODEL] = model;
  const tally: MaskTally = { masked: 0 };
  if (run.recording && params.request !== undefined) {
    Object.assign(attributes, requestAttributes(params.request, core.settings, tally));
  }
  // Another instrumentation's span of this same call (an SDK's call span around the request) is
  // named at the start, where the processor reads it, so that span is not counted as a second step.
  const covered = run.recording ? activeForeignModelCall(active) : undefined;
  // A model call is a CLIENT span in the GenAI conventions (its HTTP attempts are CLIENT spans under it).
  const span = core.startSpan(
    model === undefined ? 'chat' : `chat ${model}`,
    { kind: SpanKind.CLIENT },
    attributes,
    covered === undefined ? params.attributes : { ...params.attributes, [RuntraceAttributes.STEP_COVERS_SPAN_ID]: covered },
    run.recording && base !== run.context ? trace.setSpan(base, run.span) : base,
    run.recording,
  );
  const step = new StepState(run, span, base, number);
  if (run.recording) markRedactedContent(span, core.settings.redactor, attributes);
  step.addMasked(tally.masked);
  run.openSteps.add(step);
  return step;
}

/** Starts a tool call under a step (explicit or active) or the run. */
export function startToolState(run: RunState, params: ToolCallParams, explicitStep: StepState | undefined): ToolState {
  if (run.endRequested) throw new RunFinalizedError(run.id);
  if (explicitStep !== undefined && explicitStep.run !== run) {
    throw new RunNotFoundError(run.id, `step ${explicitStep.id} belongs to run ${explicitStep.run.id}`);
  }
  const core = run.core;
  const settings = core.settings;
  const active = context.active();
  const activeStep = activeStepState(active);
  const step = explicitStep ?? (activeStep !== undefined && activeStep.run === run && !activeStep.ended ? activeStep : undefined);
  const base = activeRunState(active) === run ? active : run.context;
  const attributes: Attributes = {
    [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL,
    [RuntraceAttributes.STATUS]: 'in_progress',
    [RuntraceAttributes.RUN_ID]: run.id,
    [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    [GenAiAttributes.TOOL_NAME]: params.name,
  };
  if (step !== undefined) attributes[RuntraceAttributes.STEP_ID] = step.id;
  if (params.callId !== undefined) {
    attributes[GenAiAttributes.TOOL_CALL_ID] = params.callId;
    noteExplicitToolCall(run, params.callId);
  }
  const tally: MaskTally = { masked: 0 };
  if (run.recording && params.arguments !== undefined && settings.contentPolicy === 'full') {
    attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS] = redactedJson(params.arguments, settings.redactor, tally);
  }
  const parentSpan = step !== undefined ? step.span : run.span;
  const span = core.startSpan(
    `execute_tool ${params.name}`,
    { kind: SpanKind.INTERNAL },
    attributes,
    params.attributes,
    run.recording ? trace.setSpan(base, parentSpan) : base,
    run.recording,
  );
  const tool = new ToolState(run, span, base);
  if (run.recording) markRedactedContent(span, settings.redactor, attributes);
  tool.addMasked(tally.masked);
  (run.openTools ??= new Set()).add(tool);
  return tool;
}

/** Runs `fn` in `ctx`. */
export function inContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}
