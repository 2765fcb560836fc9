// The README's quick start without any setResponse: register() + the real openai client → the
// local store shows the model, token totals and cost read from the wire, streamed and not; an
// answer without usage leaves tokens and cost unknown, never a silent $0.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('usage and model read from the wire, through register() and the store', () => {
  let dir: string;
  let server: MockOpenAIServer;
  const runs: Record<'json' | 'stream' | 'noUsage' | 'unpriced' | 'tools', string> = { json: '', stream: '', noUsage: '', unpriced: '', tools: '' };
  const details: Partial<Record<keyof typeof runs, RunDetail>> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-wire-'));
    server = await startMockOpenAIServer({
      script: [{ usage: { promptTokens: 1000, completionTokens: 200 } }, { usage: { promptTokens: 500, completionTokens: 50, cachedTokens: 100 } }, {}, { usage: { promptTokens: 7, completionTokens: 3 } }, { toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] }, { reply: 'It is 4 degrees.' }],
    });
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {} });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL });
    const messages = [{ role: 'user' as const, content: 'hello' }];
    try {
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'json' }, async (run) => {
        runs.json = run.id;
        await run.step({ operation: 'generate' }, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
      });
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'stream' }, async (run) => {
        runs.stream = run.id;
        await run.step({ operation: 'stream' }, async () => {
          const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
          for await (const _chunk of stream) {
            // read to the end
          }
        });
      });
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'no usage' }, async (run) => {
        runs.noUsage = run.id;
        await run.step({ operation: 'stream' }, async () => {
          const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
          for await (const _chunk of stream) {
            // read to the end
          }
        });
      });
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'unpriced' }, async (run) => {
        runs.unpriced = run.id;
        await run.step({ operation: 'generate' }, () => client.chat.completions.create({ model: 'my-local-model', messages }));
      });
      // A hand-written tool loop with no runtrace code around the tool: the wire shows it.
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'tools' }, async (run) => {
        runs.tools = run.id;
        const history: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];
        const asked = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: history });
        const call = asked.choices[0]!.message.tool_calls![0]!;
        history.push(asked.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"celsius":4}' });
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: history });
      });
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const key of Object.keys(runs) as (keyof typeof runs)[]) {
        const detail = store.getRun(runs[key]);
        if (detail !== undefined) details[key] = detail;
      }
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a non-streamed answer: tokens, model and a priced cost on the step and the run', () => {
    const detail = details.json!;
    expect(detail.steps).toHaveLength(1);
    expect(detail.steps[0]).toMatchObject({ requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 200, costUnknown: false });
    // Neither the run nor the step named a model or provider: both come from the wire, through the step.
    expect(detail.run).toMatchObject({ inputTokens: 1000, outputTokens: 200, costUnknown: false, model: 'gpt-4o-mini', normalizedModel: 'gpt-4o-mini', provider: '127.0.0.1' });
    expect(detail.run.costUsd).toBeGreaterThan(0);
    expect(detail.run.costUsd).toBeCloseTo(detail.steps[0]!.costUsd!, 12);
  });

  it('a streamed answer with include_usage: the final usage chunk counts once', () => {
    const detail = details.stream!;
    expect(detail.steps[0]).toMatchObject({ inputTokens: 500, outputTokens: 50, cacheReadTokens: 100, costUnknown: false });
    expect(detail.steps[0]!.timeToFirstChunkMs).toEqual(expect.any(Number));
    expect(detail.run).toMatchObject({ inputTokens: 500, outputTokens: 50 });
    expect(detail.run.costUsd).toBeGreaterThan(0);
  });

  it('an answer without usage: tokens and cost unknown, not 0 and not $0', () => {
    const detail = details.noUsage!;
    expect(detail.steps[0]).toMatchObject({ responseModel: 'gpt-4o-mini', finishReasons: ['stop'], costUsd: null, costUnknown: true });
    expect(detail.run.costUsd).toBeNull();
    expect(detail.run.costUnknown).toBe(true);
    expect(detail.steps[0]!.costUnknownReason).toBe('no usage in the response');
    expect(detail.costUnknownReasons).toEqual(['no usage in the response']);
  });

  it('calls and a tool made inside a run but outside any step: two steps and the tool call, from the wire', () => {
    const detail = details.tools!;
    expect(detail.steps.map((step) => [step.number, step.requestModel, step.status])).toEqual([
      [1, 'gpt-4o-mini', 'completed'],
      [2, 'gpt-4o-mini', 'completed'],
    ]);
    expect(detail.toolCalls).toHaveLength(1);
    expect(detail.toolCalls[0]).toMatchObject({ name: 'weather', callId: 'call_1', status: 'completed', stepId: detail.steps[0]!.stepId });
    expect(detail.run).toMatchObject({ stepCount: 2, toolCallCount: 1, status: 'completed' });
  });

  it('a model without a price: tokens counted, cost unknown, and the reason says which model', () => {
    const detail = details.unpriced!;
    expect(detail.run).toMatchObject({ inputTokens: 7, outputTokens: 3, costUsd: null, costUnknown: true });
    expect(detail.costUnknownReasons).toEqual(['no price for model "my-local-model"']);
    expect(details.json!.costUnknownReasons).toEqual([]);
  });
});
