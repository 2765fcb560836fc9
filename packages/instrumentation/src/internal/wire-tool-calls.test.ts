import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { startMockGeminiServer, startMockOpenAIServer } from '@runtrace/testkit';
import type { MockGeminiServer, MockOpenAIServer } from '@runtrace/testkit';
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

describe('tool calls without ids (Gemini function calls)', () => {
  let gemini: MockGeminiServer;
  beforeEach(async () => {
    gemini = await startMockGeminiServer();
  });
  afterEach(async () => {
    await gemini.close();
  });

  /** A hand-written Gemini loop over fetch: each turn the model asks for `weather` twice, the app answers both, in order. */
  async function geminiLoop(run: Run, turns: number): Promise<void> {
    const contents: unknown[] = [{ role: 'user', parts: [{ text: 'Weather in Oslo and Bergen?' }] }];
    for (let turn = 0; turn <= turns; turn++) {
      const answer = await run.step({ operation: 'generate' }, async () => {
        const response = await fetch(`${gemini.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test' },
          body: JSON.stringify({ contents }),
        });
        return (await response.json()) as { candidates: { content: { role: string; parts: { functionCall?: { name: string; args: { city: string } } }[] } }[] };
      });
      const content = answer.candidates[0]!.content;
      contents.push(content);
      const calls = content.parts.flatMap((part) => (part.functionCall === undefined ? [] : [part.functionCall]));
      if (calls.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
      contents.push({ role: 'user', parts: calls.map((call) => ({ functionResponse: { name: call.name, response: { city: call.args.city, turn } } })) });
    }
  }

  it("matches each result to its call by name and order within the latest answer, and records no call id", async () => {
    const asked = { functionCalls: [{ name: 'weather', args: { city: 'Oslo' } }, { name: 'weather', args: { city: 'Bergen' } }], usage: { promptTokens: 10, candidatesTokens: 4 } };
    gemini.enqueue(asked, asked, { reply: 'Done.', usage: { promptTokens: 30, candidatesTokens: 2 } });
    const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
    await recorder.run({ kind: 'chat_turn' }, (run) => geminiLoop(run, 2));
    const steps = otel.kind('step').sort((a, b) => (a.attributes['runtrace.step.number'] as number) - (b.attributes['runtrace.step.number'] as number));
    expect(steps).toHaveLength(3);
    const tools = otel.kind('tool');
    expect(tools).toHaveLength(4);
    const summary = tools
      .map((tool): [number, string, unknown] => [
        parentId(tool) === spanId(steps[0]!) ? 1 : parentId(tool) === spanId(steps[1]!) ? 2 : 0,
        (JSON.parse(tool.attributes['gen_ai.tool.call.arguments'] as string) as { city: string }).city,
        JSON.parse(tool.attributes['gen_ai.tool.call.result'] as string) as unknown,
      ])
      .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    expect(summary).toEqual([
      [1, 'Bergen', { city: 'Bergen', turn: 0 }],
      [1, 'Oslo', { city: 'Oslo', turn: 0 }],
      [2, 'Bergen', { city: 'Bergen', turn: 1 }],
      [2, 'Oslo', { city: 'Oslo', turn: 1 }],
    ]);
    for (const tool of tools) {
      expect(tool.attributes['gen_ai.tool.call.id']).toBeUndefined();
      expect(tool.attributes['runtrace.tool.from_wire']).toBe(true);
    }
  });
});
