// A Vercel AI SDK language-model middleware that records generate and stream calls as steps of the active run.
import type { Operation } from '@runtrace/core';
import type { Message, MessagePart, NormalizedRequest, NormalizedResponse, RequestOptions, ToolDefinition } from './gen-ai-types.js';
import { Step } from './step.js';
import { aiSdkFinishReason, aiSdkUsage } from './stream-chunk-info.js';
import { activeRunState } from './internal/context-keys.js';
import { deepEqual } from './internal/deep-equal.js';
import { outcomeOf } from './internal/recorder-core.js';
import type { RunState, StepState } from './internal/recorder-core.js';
import { startStepState } from './internal/start-entities.js';

/** The parts of an AI SDK model the middleware reads. */
export interface AiSdkModelLike {
  readonly provider: string;
  readonly modelId: string;
}

/** The parts of AI SDK call options the middleware reads. */
export interface AiSdkCallOptionsLike {
  readonly prompt: readonly unknown[];
  readonly maxOutputTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly topK?: number | undefined;
  readonly stopSequences?: readonly string[] | undefined;
  readonly seed?: number | undefined;
  readonly presencePenalty?: number | undefined;
  readonly frequencyPenalty?: number | undefined;
  readonly tools?: readonly unknown[] | undefined;
}

/** The parts of an AI SDK generate result the middleware reads. */
export interface AiSdkGenerateResultLike {
  readonly content: readonly unknown[];
  readonly finishReason: unknown;
  readonly usage: unknown;
  readonly warnings?: readonly unknown[];
  readonly response?: { readonly id?: string | undefined; readonly modelId?: string | undefined } | undefined;
}

/** The parts of an AI SDK stream result the middleware reads. */
export interface AiSdkStreamResultLike {
  readonly stream: ReadableStream<unknown>;
}

/** A language-model middleware for `wrapLanguageModel` from `ai` (specification v4; v3 models are adapted by `ai`). */
export interface RuntraceLanguageModelMiddleware {
  readonly specificationVersion: 'v4';
  readonly wrapGenerate: <TResult extends AiSdkGenerateResultLike>(options: {
    doGenerate: () => PromiseLike<TResult>;
    doStream: () => PromiseLike<unknown>;
    params: AiSdkCallOptionsLike;
    model: AiSdkModelLike;
  }) => Promise<TResult>;
  readonly wrapStream: <TResult extends AiSdkStreamResultLike>(options: {
    doGenerate: () => PromiseLike<unknown>;
    doStream: () => PromiseLike<TResult>;
    params: AiSdkCallOptionsLike;
    model: AiSdkModelLike;
  }) => Promise<TResult>;
}

/** Options of {@link runtraceMiddleware}. */
export interface RuntraceMiddlewareOptions {
  /** Provider name recorded on steps. Default: the model's provider up to the first dot (`openai.chat` → `openai`). */
  readonly provider?: string;
}

function get(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function partOf(value: unknown): MessagePart | undefined {
  switch (get(value, 'type')) {
    case 'text':
      return { type: 'text', text: str(get(value, 'text')) ?? '' };
    case 'reasoning':
      return { type: 'reasoning', text: str(get(value, 'text')) ?? '' };
    case 'tool-call':
      return {
        type: 'tool-call',
        id: str(get(value, 'toolCallId')) ?? '',
        name: str(get(value, 'toolName')) ?? '',
        arguments: get(value, 'input'),
      };
    case 'tool-result': {
      const output = get(value, 'output');
      const outputType = str(get(output, 'type')) ?? '';
      return {
        type: 'tool-result',
        id: str(get(value, 'toolCallId')) ?? '',
        name: str(get(value, 'toolName')) ?? '',
        result: get(output, 'value') ?? output,
        isError: outputType.startsWith('error'),
      };
    }
    case 'file':
    case 'reasoning-file':
      return { type: 'file', mediaType: str(get(value, 'mediaType')) ?? 'application/octet-stream' };
    default:
      return undefined;
  }
}

function messagesOf(prompt: readonly unknown[]): Message[] {
  const messages: Message[] = [];
  for (const entry of prompt) {
    const role = get(entry, 'role');
    const content = get(entry, 'content');
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') continue;
    const parts: MessagePart[] =
      typeof content === 'string'
        ? [{ type: 'text', text: content }]
        : Array.isArray(content)
          ? content.map(partOf).filter((part): part is MessagePart => part !== undefined)
          : [];
    messages.push({ role, parts });
  }
  return messages;
}

function toolsOf(tools: readonly unknown[] | undefined): ToolDefinition[] | undefined {
  if (tools === undefined) return undefined;
  return tools.map((tool) => {
    const definition: { name: string; description?: string; parameters?: unknown } = { name: str(get(tool, 'name')) ?? str(get(tool, 'id')) ?? 'tool' };
    const description = str(get(tool, 'description'));
    if (description !== undefined) definition.description = description;
    const schema = get(tool, 'inputSchema');
    if (schema !== undefined) definition.parameters = schema;
    return definition;
  });
}

/** The normalized request of an AI SDK call. */
function requestOf(params: AiSdkCallOptionsLike): NormalizedRequest {
  const options: { -readonly [K in keyof RequestOptions]: RequestOptions[K] } = {};
  if (params.maxOutputTokens !== undefined) options.maxOutputTokens = params.maxOutputTokens;
  if (params.temperature !== undefined) options.temperature = params.temperature;
  if (params.topP !== undefined) options.topP = params.topP;
  if (params.topK !== undefined) options.topK = params.topK;
  if (params.stopSequences !== undefined) options.stopSequences = params.stopSequences;
  if (params.seed !== undefined) options.seed = params.seed;
  if (params.presencePenalty !== undefined) options.presencePenalty = params.presencePenalty;
  if (params.frequencyPenalty !== undefined) options.frequencyPenalty = params.frequencyPenalty;
  const request: { -readonly [K in keyof NormalizedRequest]: NormalizedRequest[K] } = { messages: messagesOf(params.prompt), options };
  const tools = toolsOf(params.tools);
  if (tools !== undefined) request.tools = tools;
  return request;
}

function responseOf(result: AiSdkGenerateResultLike): NormalizedResponse {
  const response: { -readonly [K in keyof NormalizedResponse]: NormalizedResponse[K] } = {
    content: result.content.map(partOf).filter((part): part is MessagePart => part !== undefined),
  };
  const finishReason = aiSdkFinishReason(result.finishReason);
  if (finishReason !== undefined) response.finishReason = finishReason;
  const usage = aiSdkUsage(result.usage);
  if (usage !== undefined) response.usage = usage;
  if (result.response?.modelId !== undefined) response.model = result.response.modelId;
  if (result.response?.id !== undefined) response.id = result.response.id;
  if (result.warnings !== undefined && result.warnings.length > 0) {
    response.warnings = result.warnings.map((warning) => str(get(warning, 'message')) ?? str(get(warning, 'type')) ?? JSON.stringify(warning));
  }
  return response;
}

function providerOf(model: AiSdkModelLike, options: RuntraceMiddlewareOptions): string {
  return options.provider ?? model.provider.split('.')[0] ?? model.provider;
}

/** What identifies one model call, to recognise the AI SDK's retry of it. */
interface ModelCall {
  readonly operation: Operation;
  readonly params: AiSdkCallOptionsLike;
  readonly model: AiSdkModelLike;
}

function sameCall(a: ModelCall, b: ModelCall): boolean {
  return (
    a.operation === b.operation &&
    a.model.provider === b.model.provider &&
    a.model.modelId === b.model.modelId &&
    (a.params === b.params || deepEqual(a.params, b.params))
  );
}

/** Whether the AI SDK retries after this error (`APICallError` and `GatewayError` carry `isRetryable`). */
function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { isRetryable?: unknown }).isRetryable === true;
}

/**
 * The step for a model call: the step of the same call that failed with a retryable error and
 * waits for its retry, else a new step. `undefined` when the run no longer accepts steps (the
 * call then goes unrecorded rather than failing).
 */
function stepFor(run: RunState, call: ModelCall, options: RuntraceMiddlewareOptions): StepState | undefined {
  for (const step of run.awaitingRetry ?? []) {
    const pending = step.retryPending;
    if (pending !== undefined && sameCall(pending.call as ModelCall, call)) {
      step.resumeRetry();
      return step;
    }
  }
  if (run.endRequested) return undefined;
  return startStepState(run, {
    operation: call.operation,
    model: call.model.modelId,
    provider: providerOf(call.model, options),
    request: requestOf(call.params),
  });
}

/** Ends a step whose call failed — or, when the AI SDK will retry the call, parks it for the retry. */
function callFailed(step: StepState, call: ModelCall, error: unknown): void {
  try {
    if (isRetryable(error) && !step.ended) {
      step.awaitRetry({ outcome: outcomeOf({ error }), endTime: performance.now(), since: step.core.settings.clock.now(), call });
      return;
    }
  } catch {
    // Fall through to ending the step.
  }
  Step.of(step).end({ error });
}

/**
 * Runs one model call inside the active run's step for it; `undefined` in place of the step when
 * the call goes unrecorded (no recording run, or the run accepts no more steps).
 */
async function recordCall<T>(call: ModelCall, options: RuntraceMiddlewareOptions, invoke: () => PromiseLike<T>): Promise<{ result: T; step: Step | undefined }> {
  const run = activeRunState();
  const state = run !== undefined && run.recording ? stepFor(run, call, options) : undefined;
  if (state === undefined) return { result: await invoke(), step: undefined };
  const step = Step.of(state);
  state.busy += 1;
  let result: T;
  try {
    result = await step.with(invoke);
  } catch (error: unknown) {
    state.busy -= 1;
    callFailed(state, call, error);
    throw error;
  }
  state.busy -= 1;
  return { result, step };
}

/**
 * A language-model middleware for the Vercel AI SDK: inside an active run, every `doGenerate`
 * and `doStream` call becomes a step (with its HTTP attempts, when fetch instrumentation is
 * installed). Outside a run, or once the run has ended, calls pass through unrecorded.
 *
 * The AI SDK retries a call that failed with a retryable error (`maxRetries`, default 2) by
 * calling the model again with equal parameters; such a retry continues the failed call's step,
 * so its round trips are attempts 2, 3… of that step, as with the OpenAI client's own retries.
 *
 * @example
 * import { wrapLanguageModel, streamText } from 'ai';
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: runtraceMiddleware() });
 * await recorder.run({ kind: 'chat_turn' }, async () => {
 *   const result = streamText({ model, prompt: 'Hello' });
 *   for await (const text of result.textStream) process.stdout.write(text);
 * });
 */
export function runtraceMiddleware(options: RuntraceMiddlewareOptions = {}): RuntraceLanguageModelMiddleware {
  return {
    specificationVersion: 'v4',
    async wrapGenerate({ doGenerate, params, model }) {
      const { result, step } = await recordCall({ operation: 'generate', params, model }, options, doGenerate);
      step?.end({ response: responseOf(result) });
      return result;
    },
    async wrapStream({ doStream, params, model }) {
      const { result, step } = await recordCall({ operation: 'stream', params, model }, options, doStream);
      return step === undefined ? result : { ...result, stream: step.wrapStream(result.stream) };
    },
  };
}
