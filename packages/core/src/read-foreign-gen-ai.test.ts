import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RuntraceAttributes } from './attributes.js';
import { isUsageMissing, unknownCostReason } from './is-usage-missing.js';
import { foreignRunId, normalizeProviderName, readForeignGenAi } from './read-foreign-gen-ai.js';
import type { ForeignGenAi } from './read-foreign-gen-ai.js';

interface CapturedSpan {
  readonly id: string;
  readonly parent: string | null;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Spans a real producer made (see `__fixtures__/foreign-gen-ai/README.md`). */
function captured(file: string): CapturedSpan[] {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/foreign-gen-ai/${file}`, import.meta.url), 'utf8')) as CapturedSpan[];
}

function read(span: CapturedSpan): ForeignGenAi | undefined {
  return readForeignGenAi(span.name, span.attributes);
}

function byName(spans: readonly CapturedSpan[], name: string): CapturedSpan[] {
  return spans.filter((span) => span.name === name);
}

describe('readForeignGenAi on spans real producers made', () => {
  it("the Anthropic SDK's call spans: model calls, input including cache reads and writes (its cache_write name), the stop reason", () => {
    const [created, streamed] = captured('anthropic-sdk.json').map(read);
    expect(created).toEqual({
      kind: 'model_call',
      convention: 'gen_ai',
      operation: 'chat',
      streamed: false,
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 3100, outputTokens: 300, cacheReadTokens: 2000, cacheCreationTokens: 100 },
      usageMissing: false,
      finishReasons: ['end_turn'],
      responseId: 'msg_mock_1',
      conversationId: undefined,
      timeToFirstChunkMs: undefined,
      errorType: undefined,
    });
    expect(streamed).toMatchObject({
      kind: 'model_call',
      streamed: true,
      usage: { inputTokens: 450, outputTokens: 120, cacheReadTokens: 400, cacheCreationTokens: 0 },
      finishReasons: ['end_turn'],
      timeToFirstChunkMs: 11,
    });
  });

  it("the AI SDK's LegacyOpenTelemetry spans: doGenerate and doStream are the model calls, ai.generateText an agent whose totals are not read", () => {
    const spans = captured('ai-sdk-legacy.json');
    const [first, second] = byName(spans, 'ai.generateText.doGenerate').map(read);
    expect(first).toMatchObject({
      kind: 'model_call',
      convention: 'ai_sdk',
      operation: 'ai.generateText.doGenerate',
      streamed: false,
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini',
      usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 40, reasoningTokens: 0 },
      usageMissing: false,
      finishReasons: ['tool-calls'],
      responseId: 'chatcmpl-mock-1',
    });
    expect(second).toMatchObject({ kind: 'model_call', usage: { inputTokens: 150, outputTokens: 8, cacheReadTokens: 0 }, finishReasons: ['stop'] });
    expect(read(byName(spans, 'ai.toolCall')[0]!)).toEqual({
      kind: 'tool',
      convention: 'ai_sdk',
      name: 'weather',
      callId: 'call_weather_1',
      arguments: '{"city":"Oslo"}',
      result: '{"city":"Oslo","celsius":4}',
      conversationId: undefined,
      errorType: undefined,
    });
    expect(read(byName(spans, 'ai.generateText')[0]!)).toEqual({
      kind: 'agent',
      convention: 'ai_sdk',
      operation: 'ai.generateText',
      name: 'weather-agent',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      conversationId: undefined,
      errorType: undefined,
    });
    const stream = read(byName(spans, 'ai.streamText.doStream')[0]!);
    expect(stream).toMatchObject({ kind: 'model_call', streamed: true, usage: { inputTokens: 30, outputTokens: 2 } });
    expect(stream?.kind === 'model_call' ? stream.timeToFirstChunkMs : undefined).toBeGreaterThan(0);
    expect(read(byName(spans, 'ai.streamText')[0]!)).toMatchObject({ kind: 'agent', operation: 'ai.streamText' });
  });

  it("the AI SDK's OpenTelemetry spans: chat spans are the model calls; invoke_agent (with totals) an agent; agent_step nothing", () => {
    const spans = captured('ai-sdk-otel.json');
    const chats = byName(spans, 'chat gpt-4o-mini').map(read);
    expect(chats.map((call) => (call?.kind === 'model_call' ? [call.convention, call.provider, call.usage.inputTokens, call.usage.outputTokens, call.usage.cacheReadTokens] : call))).toEqual([
      ['gen_ai', 'openai', 100, 20, 40],
      ['gen_ai', 'openai', 150, 8, 0],
      ['gen_ai', 'openai', 30, 2, 0],
    ]);
    expect(chats[2]).toMatchObject({ timeToFirstChunkMs: expect.any(Number) });
    expect(read(byName(spans, 'execute_tool weather')[0]!)).toMatchObject({ kind: 'tool', convention: 'gen_ai', name: 'weather', callId: 'call_weather_1', arguments: '{"city":"Oslo"}' });
    for (const agent of byName(spans, 'invoke_agent gpt-4o-mini')) {
      expect(read(agent)).toEqual({
        kind: 'agent',
        convention: 'gen_ai',
        operation: 'invoke_agent',
        name: 'weather-agent',
        provider: 'openai',
        requestModel: 'gpt-4o-mini',
        conversationId: undefined,
        errorType: undefined,
      });
    }
    for (const step of [...byName(spans, 'step 1'), ...byName(spans, 'step 2')]) expect(read(step)).toBeUndefined();
  });

  it("OpenLLMetry's span of an openai call: the current GenAI names", () => {
    const [span] = captured('openllmetry-openai.json');
    expect(read(span!)).toMatchObject({
      kind: 'model_call',
      convention: 'gen_ai',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini',
      usage: { inputTokens: 120, outputTokens: 7 },
      finishReasons: ['stop'],
      responseId: 'chatcmpl-mock-7',
    });
  });

  it("OpenInference's LLM spans: llm.* token counts; its stream span, answered without usage, is usage missing", () => {
    const [json, stream] = captured('openinference-openai.json').map(read);
    expect(json).toMatchObject({
      kind: 'model_call',
      convention: 'openinference',
      operation: 'LLM',
      streamed: false,
      // llm.provider is absent for a local server: llm.system names it.
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini',
      usage: { inputTokens: 120, outputTokens: 7, cacheReadTokens: 100, reasoningTokens: 3 },
      usageMissing: false,
      finishReasons: ['stop'],
    });
    expect(stream).toMatchObject({ kind: 'model_call', streamed: true, usage: {}, usageMissing: true, finishReasons: ['stop'] });
    const streamSpan = captured('openinference-openai.json')[1]!;
    expect(isUsageMissing(streamSpan.attributes)).toBe(true);
    expect(unknownCostReason(streamSpan.attributes, 'gpt-4o-mini')).toBe('no usage in the response');
  });
});

describe('readForeignGenAi on conventions no installed producer emits', () => {
  // Shapes from the conventions' own definitions: the deprecated GenAI names with OpenLLMetry's
  // `llm.request.type` (@traceloop/ai-semantic-conventions), OpenInference's TOOL and AGENT spans
  // and Traceloop's decorator kinds.
  it('deprecated names: prompt/completion tokens, gen_ai.system, the *_input_tokens cache keys', () => {
    expect(
      readForeignGenAi('openai.chat', {
        'llm.request.type': 'chat',
        'gen_ai.system': 'OpenAI',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.prompt_tokens': 12,
        'gen_ai.usage.completion_tokens': 3,
        'gen_ai.usage.cache_read_input_tokens': 4,
        'gen_ai.usage.cache_creation_input_tokens': 2,
        'gen_ai.usage.reasoning_tokens': 1,
        'llm.usage.total_tokens': 15,
      }),
    ).toMatchObject({ kind: 'model_call', convention: 'gen_ai_legacy', operation: 'chat', provider: 'openai', usage: { inputTokens: 12, outputTokens: 3, cacheReadTokens: 4, cacheCreationTokens: 2, reasoningTokens: 1 } });
  });

  it('current names win over deprecated and vendor ones on the same span', () => {
    expect(
      readForeignGenAi('chat', {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'azure.ai.openai',
        'gen_ai.system': 'openai',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.prompt_tokens': 99,
        'llm.token_count.prompt': 98,
      }),
    ).toMatchObject({ provider: 'azure.ai.openai', usage: { inputTokens: 10 } });
  });

  it('OpenInference tools and agents; Traceloop workflows and tools', () => {
    expect(readForeignGenAi('weather', { 'openinference.span.kind': 'TOOL', 'tool.name': 'weather', 'tool_call.id': 'call_1', 'input.value': '{"city":"Oslo"}', 'output.value': '4' })).toMatchObject({
      kind: 'tool',
      convention: 'openinference',
      name: 'weather',
      callId: 'call_1',
      arguments: '{"city":"Oslo"}',
      result: '4',
    });
    expect(readForeignGenAi('Agent', { 'openinference.span.kind': 'AGENT', 'agent.name': 'planner', 'session.id': 's-1' })).toMatchObject({ kind: 'agent', name: 'planner', conversationId: 's-1' });
    expect(readForeignGenAi('RunnableSequence', { 'openinference.span.kind': 'CHAIN' })).toMatchObject({ kind: 'agent', operation: 'CHAIN' });
    expect(readForeignGenAi('retrieve', { 'openinference.span.kind': 'RETRIEVER' })).toBeUndefined();
    expect(readForeignGenAi('plan.workflow', { 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': 'plan' })).toMatchObject({ kind: 'agent', convention: 'traceloop', name: 'plan' });
    expect(readForeignGenAi('search.tool', { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search', 'traceloop.entity.input': '{"q":"x"}' })).toMatchObject({ kind: 'tool', name: 'search', arguments: '{"q":"x"}' });
  });

  it("is nothing for runtrace's own spans, other spans, and GenAI operations that are no call", () => {
    expect(readForeignGenAi('chat', { 'gen_ai.operation.name': 'chat', [RuntraceAttributes.SPAN_KIND]: 'step' })).toBeUndefined();
    expect(readForeignGenAi('GET', { 'http.request.method': 'GET' })).toBeUndefined();
    expect(readForeignGenAi('create_agent', { 'gen_ai.operation.name': 'create_agent' })).toBeUndefined();
    expect(readForeignGenAi('ai.telemetry.unknown', { 'ai.operationId': 'ai.rerank' })).toBeUndefined();
  });

  it('reads counts sent as strings (OTLP JSON 64-bit integers) and an error type', () => {
    expect(readForeignGenAi('chat m', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': '12', 'gen_ai.usage.output_tokens': '3', 'error.type': '429' })).toMatchObject({
      usage: { inputTokens: 12, outputTokens: 3 },
      errorType: '429',
      usageMissing: false,
    });
  });
});

describe('normalizeProviderName', () => {
  it("names providers as the GenAI conventions do, keeping any other name", () => {
    expect(['openai.chat', 'openai.responses', 'OpenAI', 'anthropic.messages', 'google.generative-ai', 'google.vertex.chat', 'amazon-bedrock', 'azure-openai', 'mistralai', 'xai', 'gcp.gemini', 'my-gateway'].map(normalizeProviderName)).toEqual([
      'openai',
      'openai',
      'openai',
      'anthropic',
      'gcp.gemini',
      'gcp.vertex_ai',
      'aws.bedrock',
      'azure.ai.openai',
      'mistral_ai',
      'x_ai',
      'gcp.gemini',
      'my-gateway',
    ]);
  });
});

describe('foreignRunId', () => {
  it('is the trace id: the same wherever a span of the trace is seen', () => {
    expect(foreignRunId('0af7651916cd43dd8448eb211c80319c')).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
