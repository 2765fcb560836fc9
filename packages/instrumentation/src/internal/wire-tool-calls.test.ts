import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness, parentId, spanId } from '../__fixtures__/otel-harness.js';
import type { OtelHarness } from '../__fixtures__/otel-harness.js';
import { installFetchInstrumentation } from '../install-fetch-instrumentation.js';
import { Recorder } from '../recorder.js';
import type { Run } from '../run.js';

let otel: OtelHarness;
let server: MockOpenAIServer;
let uninstall: () => void;

beforeAll(() => {
  uninstall = installFetchInstrumentation();
});
afterAll(() => {
  uninstall();
});
beforeEach(async () => {
  otel = createOtelHarness();
  server = await startMockOpenAIServer();
});
afterEach(async () => {
  await server.close();
  await otel.close();
});

const tools = [{ type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

/** A hand-written agent loop: the model asks for the weather, the app runs it (optionally recording it), the model answers. */
async function agentLoop(run: Run, recordTool: boolean): Promise<void> {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL });
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];
  const first = await run.step({ operation: 'generate' }, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools }));
  const message = first.choices[0]!.message;
  messages.push(message);
  for (const call of message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    const execute = async (): Promise<string> => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return JSON.stringify({ celsius: 4 });
    };
    const result = recordTool ? await run.tool({ name: call.function.name, callId: call.id, arguments: call.function.arguments }, execute) : await execute();
    messages.push({ role: 'tool', tool_call_id: call.id, content: result });
  }
  await run.step({ operation: 'generate' }, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools }));
}

describe('tool calls read on the wire', () => {
  it('a tool the app ran without recording it: one tool span, from the answer that asked to the request that answered', async () => {
    server.enqueue({ toolCalls: [{ id: 'call_w1', name: 'weather', arguments: '{"city":"Oslo"}' }] }, { reply: 'It is 4 degrees.' });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    await recorder.run({ kind: 'chat_turn' }, (run) => agentLoop(run, false));
    const tools = otel.kind('tool');
    expect(tools).toHaveLength(1);
    const tool = tools[0]!;
    const [first, second] = otel.kind('step').sort((a, b) => (a.attributes['runtrace.step.number'] as number) - (b.attributes['runtrace.step.number'] as number));
    expect(tool.name).toBe('execute_tool weather');
    expect(parentId(tool)).toBe(spanId(first!));
    expect(tool.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.tool.from_wire': true,
      'runtrace.step.id': spanId(first!),
      'gen_ai.tool.name': 'weather',
      'gen_ai.tool.call.id': 'call_w1',
      'gen_ai.tool.call.arguments': '{"city":"Oslo"}',
      'gen_ai.tool.call.result': '{"celsius":4}',
    });
    // It ran between the two calls: after the first answer, before the second request.
    expect(hrTimeToMilliseconds(tool.startTime)).toBeGreaterThanOrEqual(hrTimeToMilliseconds(first!.startTime));
    expect(hrTimeToMilliseconds(tool.endTime)).toBeLessThanOrEqual(hrTimeToMilliseconds(second!.endTime));
    expect(hrTimeToMilliseconds(tool.endTime) - hrTimeToMilliseconds(tool.startTime)).toBeGreaterThanOrEqual(15);
  });

  it('a tool the app recorded itself is not recorded twice', async () => {
    server.enqueue({ toolCalls: [{ id: 'call_w2', name: 'weather', arguments: '{"city":"Oslo"}' }] }, { reply: 'It is 4 degrees.' });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    await recorder.run({ kind: 'chat_turn' }, (run) => agentLoop(run, true));
    const tools = otel.kind('tool');
    expect(tools).toHaveLength(1);
    expect(tools[0]!.attributes['runtrace.tool.from_wire']).toBeUndefined();
  });

  it('under the metadata policy: the tool call without its arguments or result', async () => {
    server.enqueue({ toolCalls: [{ id: 'call_w3', name: 'weather', arguments: '{"city":"Oslo"}' }] }, { reply: 'It is 4 degrees.' });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'metadata' });
    await recorder.run({ kind: 'chat_turn' }, (run) => agentLoop(run, false));
    const [tool] = otel.kind('tool');
    expect(tool!.attributes).toMatchObject({ 'gen_ai.tool.name': 'weather', 'gen_ai.tool.call.id': 'call_w3' });
    expect(tool!.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(tool!.attributes['gen_ai.tool.call.result']).toBeUndefined();
  });
});
