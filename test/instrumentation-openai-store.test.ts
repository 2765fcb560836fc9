// The real openai client → the mock OpenAI server → Recorder with fetch instrumentation →
// RunSpanProcessor → SqliteSpanExporter, read back with openStore().getRun(), through the built packages.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { installFetchInstrumentation, Recorder } from '@runtrace/instrumentation';
import { RunSpanProcessor } from '@runtrace/processor';
import type { RunDetail } from '@runtrace/store';
import { openStore, SqliteSpanExporter } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const API_KEY = 'sk-proj-PLANTEDintegrationKEY0123456789abcdefXYZ';
const PROMPT_KEY = 'sk-ant-api03-PLANTEDpromptKEY_abcdefghijklmnopqrstuvwxyz0123';
const QUERY_SECRET = 'planted-query-secret-5150';
const BODY_SECRET = 'planted-client-secret-8086';
const TOOL_SECRET = 'planted-tool-secret-6502';
const RESPONSE_SECRET = 'planted-response-token-2600';
const SECRETS = [API_KEY, PROMPT_KEY, QUERY_SECRET, BODY_SECRET, TOOL_SECRET, RESPONSE_SECRET];

describe('instrumentation → processor → SQLite store, with the real openai client', () => {
  let dir: string;
  let server: MockOpenAIServer;
  let detail: RunDetail;
  let answer = '';
  let storeBytes = '';
  let runId = '';
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-instrumentation-'));
    server = await startMockOpenAIServer({
      script: [
        { status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '5' } },
        {
          toolCalls: [{ id: 'call_weather_1', name: 'weather', arguments: JSON.stringify({ city: 'Oslo', api_key: TOOL_SECRET }) }],
          usage: { promptTokens: 40, completionTokens: 12, cachedTokens: 8 },
        },
        { reply: 'It is 3 degrees in Oslo.', usage: { promptTokens: 60, completionTokens: 7, reasoningTokens: 2 } },
      ],
    });
    context.setGlobalContextManager(contextManager.enable());
    const path = join(dir, 'runtrace.db');
    const processor = new RunSpanProcessor({
      sweepInterval: false,
      destinations: [{ processor: new SimpleSpanProcessor({ exporter: new SqliteSpanExporter({ path, sweepOnOpen: false }) }), kind: 'store' }],
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const recorder = new Recorder({ tracerProvider: provider, contentPolicy: 'full' });
    const uninstall = installFetchInstrumentation();
    const client = new OpenAI({ apiKey: API_KEY, baseURL: server.baseURL, maxRetries: 2, defaultQuery: { api_key: QUERY_SECRET } });
    const question = `What is the weather in Oslo? My key is ${PROMPT_KEY}`;
    const tools = [
      { type: 'function' as const, function: { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ];
    try {
      await recorder.run(
        { kind: 'chat_turn', conversationId: 'conv-int', provider: 'openai', model: 'gpt-4o-mini', label: question, triggerMessageId: 7 },
        async (run) => {
          runId = run.id;
          const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
          const first = await run.step(
            { operation: 'generate', request: { messages: [{ role: 'user', parts: [{ type: 'text', text: question }] }], tools: [{ name: 'weather', description: 'Current weather' }] } },
            async (step) => {
              const completion = await client.chat.completions.create({
                model: 'gpt-4o-mini',
                messages,
                tools,
                client_secret: BODY_SECRET,
              } as OpenAI.ChatCompletionCreateParamsNonStreaming);
              const usage = completion.usage;
              step.setResponse({
                content: (completion.choices[0]?.message.tool_calls ?? []).flatMap((call) =>
                  call.type === 'function' ? [{ type: 'tool-call' as const, id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
                ),
                finishReason: completion.choices[0]?.finish_reason ?? 'unknown',
                model: completion.model,
                id: completion.id,
                ...(usage === undefined
                  ? {}
                  : { usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, cacheReadTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 } }),
              });
              return completion;
            },
          );
          const call = first.choices[0]!.message.tool_calls![0]!;
          const weather = await run.tool({ name: 'weather', callId: call.id, arguments: call.type === 'function' ? call.function.arguments : undefined }, () => ({
            city: 'Oslo',
            celsius: 3,
          }));
          messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(weather) });
          const stream = await run.step({ operation: 'stream' }, async (step) =>
            step.wrapStream(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } })),
          );
          for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
        },
      );
    } finally {
      uninstall();
    }
    await provider.shutdown();
    const store = openStore({ path, sweepOnOpen: false });
    try {
      detail = store.getRun(runId)!;
    } finally {
      store.close();
    }
    const files = (await readdir(dir)).filter((name) => name.startsWith('runtrace.db'));
    storeBytes = (await Promise.all(files.map((name) => readFile(join(dir, name), 'latin1')))).join('');
  });

  afterAll(async () => {
    await server.close();
    context.disable();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the run with its identity and summed usage', () => {
    expect(answer).toBe('It is 3 degrees in Oslo.');
    expect(detail.run).toMatchObject({
      runId,
      kind: 'chat_turn',
      status: 'completed',
      conversationId: 'conv-int',
      triggerMessageId: 7,
      provider: 'openai',
      model: 'gpt-4o-mini',
      stepCount: 2,
      toolCallCount: 1,
      hasError: false,
      endpoint: 'POST /v1/chat/completions',
      inputTokens: 100,
      outputTokens: 19,
      cacheReadTokens: 8,
    });
    expect(detail.run.label).toContain('What is the weather in Oslo?');
  });

  it('stores both steps in order, with usage and the stream summary', () => {
    expect(detail.steps.map((step) => [step.number, step.operation, step.status])).toEqual([
      [1, 'generate', 'completed'],
      [2, 'stream', 'completed'],
    ]);
    const [first, second] = detail.steps;
    expect(first).toMatchObject({ inputTokens: 40, outputTokens: 12, cacheReadTokens: 8, finishReasons: ['tool_calls'], responseId: 'chatcmpl-mock-2' });
    expect(second).toMatchObject({ inputTokens: 60, outputTokens: 7, reasoningTokens: 2, finishReasons: ['stop'] });
    expect(second!.timeToFirstChunkMs).not.toBeNull();
    expect(second!.attributes['runtrace.stream.close_kind']).toBe('completed');
    expect(second!.attributes['runtrace.stream.text']).toBe('It is 3 degrees in Oslo.');
  });

  it('stores the 429 and its retry as attempts 1 and 2 of the first step', () => {
    const [first, second] = detail.steps;
    const ofFirst = detail.attempts.filter((attempt) => attempt.stepId === first!.stepId);
    expect(ofFirst.map((attempt) => [attempt.number, attempt.statusCode, attempt.status, attempt.resendCount])).toEqual([
      [1, 429, 'error', 0],
      [2, 200, 'completed', 1],
    ]);
    expect(ofFirst[0]).toMatchObject({ retryClassification: 'rate_limited', retryDelayMs: 5, errorType: '429', method: 'POST' });
    expect(ofFirst[0]!.url).toContain('/v1/chat/completions?api_key=');
    const ofSecond = detail.attempts.filter((attempt) => attempt.stepId === second!.stepId);
    expect(ofSecond.map((attempt) => [attempt.number, attempt.statusCode, attempt.status])).toEqual([[1, 200, 'completed']]);
    expect(server.requests.map((request) => request.headers['x-stainless-retry-count'])).toEqual(['0', '1', '0']);
  });

  it('stores the tool call with its redacted arguments and result', () => {
    expect(detail.toolCalls).toHaveLength(1);
    const [tool] = detail.toolCalls;
    expect(tool).toMatchObject({ name: 'weather', callId: 'call_weather_1', status: 'completed' });
    expect(JSON.parse(tool!.attributes['gen_ai.tool.call.arguments'] as string)).toEqual({ city: 'Oslo', api_key: '[REDACTED]' });
    expect(JSON.parse(tool!.attributes['gen_ai.tool.call.result'] as string)).toEqual({ city: 'Oslo', celsius: 3 });
  });

  it('keeps every planted secret out of the SQLite file', () => {
    // The secrets did reach the server, so their absence from the store is redaction, not omission.
    expect(server.requests[1]!.body).toContain(BODY_SECRET);
    expect(server.requests[1]!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(storeBytes.length).toBeGreaterThan(0);
    expect(storeBytes).toContain('What is the weather in Oslo?');
    for (const secret of SECRETS) expect(storeBytes).not.toContain(secret);
  });
});
