// Reads the GenAI spans of other instrumentations (OpenTelemetry GenAI conventions, the AI SDK,
// OpenInference, OpenLLMetry, the Anthropic SDK) as runtrace's model calls, tool calls and runs.
import { RuntraceAttributes } from './attributes.js';
import type { TokenUsage } from './token-usage.js';

/** Which naming convention a foreign span was read with. */
export type ForeignConvention =
  /** The OpenTelemetry GenAI conventions, current names (`gen_ai.operation.name`): the Anthropic SDK, the AI SDK's `OpenTelemetry` integration, OpenLLMetry ≥ 0.2x. */
  | 'gen_ai'
  /** The deprecated GenAI names with OpenLLMetry's `llm.request.type` (older OpenLLMetry releases). */
  | 'gen_ai_legacy'
  /** The AI SDK's `ai.*` spans (`LegacyOpenTelemetry`: `ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`). */
  | 'ai_sdk'
  /** OpenInference (`openinference.span.kind`, `llm.*`, `tool.*`). */
  | 'openinference'
  /** Traceloop's decorators (`traceloop.span.kind`: workflow, task, agent, tool). */
  | 'traceloop';

/** A span that is one call of a model: a step. */
export interface ForeignModelCall {
  readonly kind: 'model_call';
  readonly convention: ForeignConvention;
  /** The producer's operation (`chat`, `text_completion`, `embeddings`, `ai.generateText.doGenerate`, `LLM`, …). */
  readonly operation: string;
  /** Whether the answer was streamed, when the span says so. */
  readonly streamed: boolean;
  /** The provider under the GenAI conventions' names (`openai`, `anthropic`, `gcp.gemini`, …). */
  readonly provider: string | undefined;
  readonly requestModel: string | undefined;
  readonly responseModel: string | undefined;
  /** The reported token counts; a field absent from the span is absent here (input includes cached input). */
  readonly usage: TokenUsage;
  /** The model answered (a response id, model or finish reason is recorded) but no usage was reported. */
  readonly usageMissing: boolean;
  readonly finishReasons: readonly string[];
  readonly responseId: string | undefined;
  readonly conversationId: string | undefined;
  readonly timeToFirstChunkMs: number | undefined;
  readonly errorType: string | undefined;
}

/** A span that is one execution of a tool. */
export interface ForeignToolCall {
  readonly kind: 'tool';
  readonly convention: ForeignConvention;
  readonly name: string | undefined;
  readonly callId: string | undefined;
  /** The arguments as recorded (JSON text, as the producers write them). */
  readonly arguments: string | undefined;
  readonly result: string | undefined;
  readonly conversationId: string | undefined;
  readonly errorType: string | undefined;
}

/** A span that is an agent or workflow run: the work of a whole trace, or a part of it. */
export interface ForeignAgent {
  readonly kind: 'agent';
  readonly convention: ForeignConvention;
  /** The producer's operation (`invoke_agent`, `ai.generateText`, `AGENT`, `CHAIN`, `workflow`, …). */
  readonly operation: string;
  /** The agent's or workflow's own name (`gen_ai.agent.name`, the AI SDK's `functionId`, …), when given. */
  readonly name: string | undefined;
  readonly provider: string | undefined;
  readonly requestModel: string | undefined;
  readonly conversationId: string | undefined;
  readonly errorType: string | undefined;
}

/** What a foreign GenAI span is to runtrace. */
export type ForeignGenAi = ForeignModelCall | ForeignToolCall | ForeignAgent;

type Attributes = Readonly<Record<string, unknown>>;

/** The GenAI conventions' operations that are one model call. */
const MODEL_CALL_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);
/** AI SDK (`ai.*`) operations, by `ai.operationId`. */
const AI_SDK_MODEL_CALLS = new Set([
  'ai.generateText.doGenerate',
  'ai.streamText.doStream',
  'ai.generateObject.doGenerate',
  'ai.streamObject.doStream',
  'ai.embed.doEmbed',
  'ai.embedMany.doEmbed',
]);
const AI_SDK_STREAMS = new Set(['ai.streamText.doStream', 'ai.streamObject.doStream']);
const AI_SDK_AGENTS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject', 'ai.embed', 'ai.embedMany']);

/*
 * Each field is read from the first of its keys that the span has: the current GenAI names, then
 * the deprecated ones, then each vendor's own.
 */
const KEYS = {
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'ai.model.provider', 'llm.provider', 'llm.system'],
  requestModel: ['gen_ai.request.model', 'ai.model.id', 'llm.request.model_name', 'llm.model_name'],
  // OpenInference overwrites `llm.model_name` with the model the server names in its answer.
  responseModel: ['gen_ai.response.model', 'ai.response.model', 'llm.response.model_name', 'llm.model_name'],
  inputTokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'ai.usage.inputTokens', 'ai.usage.promptTokens', 'llm.token_count.prompt', 'llm.usage.prompt_tokens'],
  outputTokens: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'ai.usage.outputTokens', 'ai.usage.completionTokens', 'llm.token_count.completion', 'llm.usage.completion_tokens'],
  cacheReadTokens: [
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'ai.usage.inputTokenDetails.cacheReadTokens',
    'ai.usage.cachedInputTokens',
    'llm.token_count.prompt_details.cache_read',
  ],
  cacheCreationTokens: [
    'gen_ai.usage.cache_creation.input_tokens',
    // The Anthropic SDK's name for the same count.
    'gen_ai.usage.cache_write.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens',
    'ai.usage.inputTokenDetails.cacheWriteTokens',
    'llm.token_count.prompt_details.cache_write',
  ],
  reasoningTokens: [
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
    'ai.usage.outputTokenDetails.reasoningTokens',
    'ai.usage.reasoningTokens',
    'llm.token_count.completion_details.reasoning',
  ],
  finishReasons: ['gen_ai.response.finish_reasons', 'ai.response.finishReason', 'llm.finish_reason', 'anthropic.message.stop_reason'],
  responseId: ['gen_ai.response.id', 'ai.response.id'],
  conversationId: ['gen_ai.conversation.id', 'session.id'],
  toolName: ['gen_ai.tool.name', 'ai.toolCall.name', 'tool.name', 'traceloop.entity.name'],
  toolCallId: ['gen_ai.tool.call.id', 'ai.toolCall.id', 'tool_call.id', 'tool.id'],
  toolArguments: ['gen_ai.tool.call.arguments', 'ai.toolCall.args', 'tool.parameters', 'input.value', 'traceloop.entity.input'],
  toolResult: ['gen_ai.tool.call.result', 'ai.toolCall.result', 'anthropic.tool_result.content', 'output.value', 'traceloop.entity.output'],
  agentName: ['gen_ai.agent.name', 'ai.telemetry.functionId', 'agent.name', 'traceloop.workflow.name', 'traceloop.entity.name'],
} as const;

/** Time to the first chunk: keys in seconds, then keys in milliseconds. */
const FIRST_CHUNK_SECONDS = ['gen_ai.response.time_to_first_chunk', 'gen_ai.client.operation.time_to_first_chunk'];
const FIRST_CHUNK_MS = ['ai.response.msToFirstChunk', 'ai.stream.msToFirstChunk'];

/** Provider names under the GenAI conventions, as runtrace records them on the wire. */
const PROVIDER_NAMES = new Set([
  'openai',
  'anthropic',
  'gcp.gemini',
  'gcp.vertex_ai',
  'gcp.gen_ai',
  'aws.bedrock',
  'azure.ai.openai',
  'azure.ai.inference',
  'mistral_ai',
  'x_ai',
  'groq',
  'deepseek',
  'perplexity',
  'cohere',
  'ibm.watsonx.ai',
]);

/** Vendors' own provider spellings (the AI SDK's `openai.chat`, OpenInference's `google`, …), by prefix. */
const PROVIDER_PREFIXES: readonly (readonly [string, string])[] = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['google-vertex', 'gcp.vertex_ai'],
  ['vertexai', 'gcp.vertex_ai'],
  ['google.generative-ai', 'gcp.gemini'],
  ['google', 'gcp.gemini'],
  ['gemini', 'gcp.gemini'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['bedrock', 'aws.bedrock'],
  ['aws', 'aws.bedrock'],
  ['amazon', 'aws.bedrock'],
  ['azure-openai', 'azure.ai.openai'],
  ['azure', 'azure.ai.openai'],
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['mistralai', 'mistral_ai'],
  ['mistral', 'mistral_ai'],
  ['xai', 'x_ai'],
  ['groq', 'groq'],
  ['deepseek', 'deepseek'],
  ['perplexity', 'perplexity'],
  ['cohere', 'cohere'],
];

/**
 * A provider name as the GenAI conventions spell it: `openai.chat` (the AI SDK), `OpenAI`
 * (older OpenLLMetry) and `openai` all name `openai`; a name that is no known provider is kept,
 * lower-cased.
 *
 * @example
 * normalizeProviderName('openai.responses'); // 'openai'
 * normalizeProviderName('google.generative-ai'); // 'gcp.gemini'
 * normalizeProviderName('my-gateway'); // 'my-gateway'
 */
export function normalizeProviderName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (PROVIDER_NAMES.has(lower)) return lower;
  for (const [prefix, provider] of PROVIDER_PREFIXES) {
    if (lower === prefix || lower.startsWith(`${prefix}.`) || lower.startsWith(`${prefix}-`)) return provider;
  }
  return lower;
}

/**
 * The run id of a trace that holds other instrumentations' GenAI spans but no runtrace run: the
 * trace id itself. It is the same in every process and batch that sees a span of the trace, and
 * never equal to a runtrace run id (a 16-digit span id).
 *
 * @example
 * foreignRunId('4bf92f3577b34da6a3ce929d0e0e4736'); // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export function foreignRunId(traceId: string): string {
  return traceId;
}

function text(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  // OTLP carries 64-bit integers as strings in JSON.
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function count(attributes: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = numberOf(attributes[key]);
    if (value !== undefined && value >= 0) return value;
  }
  return undefined;
}

/** A value recorded as JSON text, or any other attribute value as JSON. */
function recorded(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') return value;
    try {
      return JSON.stringify(value);
    } catch {
      continue;
    }
  }
  return undefined;
}

function finishReasonsOf(attributes: Attributes): string[] {
  for (const key of KEYS.finishReasons) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return [value];
    if (Array.isArray(value)) {
      const reasons = value.filter((reason): reason is string => typeof reason === 'string' && reason !== '');
      if (reasons.length > 0) return reasons;
    }
  }
  return [];
}

function providerOf(attributes: Attributes): string | undefined {
  const name = text(attributes, KEYS.provider);
  return name === undefined ? undefined : normalizeProviderName(name);
}

function usageOf(attributes: Attributes): TokenUsage {
  const usage: { -readonly [K in keyof TokenUsage]: number } = {};
  const input = count(attributes, KEYS.inputTokens);
  const output = count(attributes, KEYS.outputTokens);
  const cacheRead = count(attributes, KEYS.cacheReadTokens);
  const cacheCreation = count(attributes, KEYS.cacheCreationTokens);
  const reasoning = count(attributes, KEYS.reasoningTokens);
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  if (cacheCreation !== undefined) usage.cacheCreationTokens = cacheCreation;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

function firstChunkMs(attributes: Attributes): number | undefined {
  const seconds = count(attributes, FIRST_CHUNK_SECONDS);
  if (seconds !== undefined) return seconds * 1000;
  return count(attributes, FIRST_CHUNK_MS);
}

/** Whether OpenInference's invocation parameters (JSON text) ask for a stream. */
function invocationStreams(attributes: Attributes): boolean {
  const parameters = attributes['llm.invocation_parameters'];
  if (typeof parameters !== 'string' || !parameters.includes('"stream"')) return false;
  try {
    const parsed: unknown = JSON.parse(parameters);
    return typeof parsed === 'object' && parsed !== null && (parsed as { stream?: unknown }).stream === true;
  } catch {
    return false;
  }
}

interface Classified {
  readonly kind: ForeignGenAi['kind'];
  readonly convention: ForeignConvention;
  readonly operation: string;
}

/** The AI SDK operation of an `ai.*` span: its `ai.operationId`, else the span name. */
function aiSdkOperation(name: string | undefined, attributes: Attributes): string | undefined {
  const id = attributes['ai.operationId'];
  if (typeof id === 'string' && id.startsWith('ai.')) return id;
  return name !== undefined && name.startsWith('ai.') ? name : undefined;
}

function classify(name: string | undefined, attributes: Attributes): Classified | undefined {
  const operation = attributes['gen_ai.operation.name'];
  if (typeof operation === 'string' && operation !== '') {
    if (MODEL_CALL_OPERATIONS.has(operation)) return { kind: 'model_call', convention: 'gen_ai', operation };
    if (operation === 'execute_tool') return { kind: 'tool', convention: 'gen_ai', operation };
    // `create_agent` makes an agent (an API call) without running it; `agent_step` (the AI SDK)
    // groups one model call and its tools, which are read themselves.
    if (operation === 'invoke_agent') return { kind: 'agent', convention: 'gen_ai', operation };
    return undefined;
  }
  const requestType = attributes['llm.request.type'];
  if ((requestType === 'chat' || requestType === 'completion') && attributes['gen_ai.system'] !== undefined) {
    return { kind: 'model_call', convention: 'gen_ai_legacy', operation: requestType };
  }
  const aiOperation = aiSdkOperation(name, attributes);
  if (aiOperation !== undefined) {
    if (AI_SDK_MODEL_CALLS.has(aiOperation)) return { kind: 'model_call', convention: 'ai_sdk', operation: aiOperation };
    if (aiOperation === 'ai.toolCall') return { kind: 'tool', convention: 'ai_sdk', operation: aiOperation };
    if (AI_SDK_AGENTS.has(aiOperation)) return { kind: 'agent', convention: 'ai_sdk', operation: aiOperation };
    return undefined;
  }
  const openInference = attributes['openinference.span.kind'];
  if (typeof openInference === 'string') {
    switch (openInference.toUpperCase()) {
      case 'LLM':
      case 'EMBEDDING':
        return { kind: 'model_call', convention: 'openinference', operation: openInference };
      case 'TOOL':
        return { kind: 'tool', convention: 'openinference', operation: openInference };
      case 'AGENT':
      case 'CHAIN':
        return { kind: 'agent', convention: 'openinference', operation: openInference };
      default:
        return undefined;
    }
  }
  const traceloop = attributes['traceloop.span.kind'];
  if (traceloop === 'tool') return { kind: 'tool', convention: 'traceloop', operation: traceloop };
  if (traceloop === 'workflow' || traceloop === 'agent' || traceloop === 'task') return { kind: 'agent', convention: 'traceloop', operation: traceloop };
  return undefined;
}

function modelCall(found: Classified, attributes: Attributes): ForeignModelCall {
  const usage = usageOf(attributes);
  const finishReasons = finishReasonsOf(attributes);
  const responseId = text(attributes, KEYS.responseId);
  const responseModel = text(attributes, KEYS.responseModel);
  const hasUsage = usage.inputTokens !== undefined || usage.outputTokens !== undefined;
  const timeToFirstChunkMs = firstChunkMs(attributes);
  // As for runtrace's own steps (`isUsageMissing`): an answer without usage may have been billed.
  // OpenInference's `llm.model_name` is there before any answer, so it alone is no answer.
  const answered =
    responseId !== undefined ||
    finishReasons.length > 0 ||
    timeToFirstChunkMs !== undefined ||
    text(attributes, ['gen_ai.response.model', 'ai.response.model', 'llm.response.model_name']) !== undefined;
  return {
    kind: 'model_call',
    convention: found.convention,
    operation: found.operation,
    streamed: attributes['gen_ai.request.stream'] === true || AI_SDK_STREAMS.has(found.operation) || invocationStreams(attributes),
    provider: providerOf(attributes),
    requestModel: text(attributes, KEYS.requestModel),
    responseModel,
    usage,
    usageMissing: answered && !hasUsage,
    finishReasons,
    responseId,
    conversationId: text(attributes, KEYS.conversationId),
    timeToFirstChunkMs,
    errorType: text(attributes, ['error.type']),
  };
}

/**
 * Reads a span of another instrumentation as a model call (a step), a tool call, or an agent or
 * workflow run, from its name and attributes; `undefined` for any other span, and for runtrace's
 * own spans (`runtrace.span.kind`). When a span carries several conventions, the current GenAI
 * names win over the deprecated ones, and those over each vendor's own. An agent span's usage (the
 * AI SDK's `ai.generateText` totals) is not read: its model calls are counted themselves.
 *
 * @example
 * readForeignGenAi('chat gpt-4o-mini', {
 *   'gen_ai.operation.name': 'chat',
 *   'gen_ai.provider.name': 'openai',
 *   'gen_ai.request.model': 'gpt-4o-mini',
 *   'gen_ai.usage.input_tokens': 12,
 *   'gen_ai.usage.output_tokens': 3,
 * }); // { kind: 'model_call', convention: 'gen_ai', provider: 'openai', usage: { inputTokens: 12, outputTokens: 3 }, … }
 */
export function readForeignGenAi(name: string | undefined, attributes: Attributes): ForeignGenAi | undefined {
  if (attributes[RuntraceAttributes.SPAN_KIND] !== undefined) return undefined;
  const found = classify(name, attributes);
  if (found === undefined) return undefined;
  switch (found.kind) {
    case 'model_call':
      return modelCall(found, attributes);
    case 'tool':
      return {
        kind: 'tool',
        convention: found.convention,
        name: text(attributes, KEYS.toolName),
        callId: text(attributes, KEYS.toolCallId),
        arguments: recorded(attributes, KEYS.toolArguments),
        result: recorded(attributes, KEYS.toolResult),
        conversationId: text(attributes, KEYS.conversationId),
        errorType: text(attributes, ['error.type']),
      };
    case 'agent':
      return {
        kind: 'agent',
        convention: found.convention,
        operation: found.operation,
        name: text(attributes, KEYS.agentName),
        provider: providerOf(attributes),
        requestModel: text(attributes, KEYS.requestModel),
        conversationId: text(attributes, KEYS.conversationId),
        errorType: text(attributes, ['error.type']),
      };
  }
}
