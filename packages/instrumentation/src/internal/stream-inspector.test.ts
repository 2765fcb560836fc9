import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../__fixtures__/otel-harness.js';
import type { OtelHarness } from '../__fixtures__/otel-harness.js';
import { Recorder } from '../recorder.js';

let otel: OtelHarness;
beforeEach(() => {
  otel = createOtelHarness();
});
afterEach(async () => {
  await otel.close();
});

/** The events of an SSE transcript as the SDKs yield them: each `data:` line parsed. */
function sdkEvents(fixture: string): Record<string, unknown>[] {
  const text = readFileSync(new URL(`./wire/__fixtures__/${fixture}`, import.meta.url), 'utf8');
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as Record<string, unknown>);
}

async function* replay(events: readonly unknown[]): AsyncGenerator<unknown> {
  for (const event of events) {
    await Promise.resolve();
    yield event;
  }
}

/** Wraps the events in a step (no `inspect`), reads them to the end, and returns the step span. */
async function readWrapped(events: readonly unknown[]): Promise<ReturnType<OtelHarness['spans']>[number]> {
  const recorder = new Recorder({ tracerProvider: otel.provider, contentPolicy: 'full' });
  await recorder
    .run({ kind: 'stream' }, async (run) => {
      const step = run.startStep({ operation: 'stream' });
      for await (const _event of step.wrapStream(replay(events))) {
        // read to the end
      }
    })
    .catch(() => undefined);
  const [step] = otel.kind('step');
  return step!;
}

describe('step.wrapStream over the Anthropic and Gemini SDKs’ events, with the default inspector', () => {
  it('Anthropic: text, finish, model and the split usage counted once', async () => {
    const step = await readWrapped(sdkEvents('anthropic-messages-stream.sse'));
    expect(step.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'runtrace.stream.close_kind': 'completed',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 2520,
      'gen_ai.usage.output_tokens': 15,
      'gen_ai.usage.cache_read.input_tokens': 2048,
      'runtrace.stream.text': 'Revenue grew 12 % quarter over quarter — a strong Q3.',
    });
  });

  it('Anthropic: a stream that ends before its message_delta is cut short, not completed', async () => {
    const events = sdkEvents('anthropic-messages-stream.sse');
    const step = await readWrapped(events.slice(0, events.findIndex((event) => event['type'] === 'message_delta')));
    expect(step.attributes['runtrace.status']).not.toBe('completed');
    expect(step.attributes['runtrace.stream.close_kind']).toBe('upstream-premature');
  });

  it('Anthropic: a tool call put together from its fragments', async () => {
    const step = await readWrapped(sdkEvents('anthropic-messages-stream-tools.sse'));
    const output = JSON.parse(step.attributes['gen_ai.output.messages'] as string) as { parts: { type: string; name?: string }[] }[];
    expect(output[0]!.parts.some((part) => part.type === 'tool_call' && typeof part.name === 'string' && part.name !== '')).toBe(true);
    expect(step.attributes['runtrace.stream.close_kind']).toBe('completed');
  });

  it('Gemini: cumulative usage taken once, thoughts as reasoning, finish and model', async () => {
    const step = await readWrapped(sdkEvents('gemini-stream.sse'));
    expect(step.attributes).toMatchObject({
      'runtrace.status': 'completed',
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 1536,
      'gen_ai.usage.output_tokens': 69,
      'gen_ai.usage.reasoning.output_tokens': 58,
      'gen_ai.usage.cache_read.input_tokens': 1024,
      'runtrace.stream.text': 'About 10 minutes — slice, layer, drizzle. 🍅',
    });
  });

  it('Gemini: a stream without its finishing chunk is cut short', async () => {
    const step = await readWrapped(sdkEvents('gemini-stream.sse').slice(0, 2));
    expect(step.attributes['runtrace.stream.close_kind']).toBe('upstream-premature');
  });
});
