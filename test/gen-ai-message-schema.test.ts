// Messages as the GenAI conventions' JSON schemas define them, checked with a JSON-schema
// validator: a tool loop of the real openai client (text, an image, a tool call, its result,
// tool definitions with and without a description) and the explicit API's reasoning parts,
// read from the local store and from the OTLP export in both of its content views.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { decodeOtlpProtobuf } from '@runtrace/collector';
import { openStore } from '@runtrace/store';
import { startMockOpenAIServer, startMockOtlpBackend } from '@runtrace/testkit';
import type { MockOpenAIServer, MockOtlpBackend } from '@runtrace/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import OpenAI from 'openai';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_MESSAGES_SCHEMA, OUTPUT_MESSAGES_SCHEMA, TOOL_DEFINITIONS_SCHEMA } from './__fixtures__/gen-ai-message-schemas.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = {
  'gen_ai.input.messages': ajv.compile(INPUT_MESSAGES_SCHEMA),
  'gen_ai.output.messages': ajv.compile(OUTPUT_MESSAGES_SCHEMA),
  'gen_ai.tool.definitions': ajv.compile(TOOL_DEFINITIONS_SCHEMA),
} as const;
type ContentKey = keyof typeof validators;
const CONTENT_KEYS = Object.keys(validators) as ContentKey[];

/** Schema errors of one attribute value (none when it is valid). */
function errorsOf(key: ContentKey, value: unknown): string[] {
  const validate = validators[key];
  if (validate(JSON.parse(String(value)))) return [];
  return (validate.errors ?? []).map((error) => `${key}${error.instancePath} ${error.message ?? ''}`);
}

const IMAGE = `data:image/png;base64,${Buffer.from('not really a png, but bytes').toString('base64')}`;

describe('GenAI messages valid against the conventions’ JSON schemas', () => {
  let dir: string;
  let server: MockOpenAIServer;
  let fullBackend: MockOtlpBackend;
  let metadataBackend: MockOtlpBackend;
  /** Step attributes, by view. */
  const views: Record<'store' | 'otlp full' | 'otlp metadata', Attributes[]> = { store: [], 'otlp full': [], 'otlp metadata': [] };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-gen-ai-schema-'));
    server = await startMockOpenAIServer();
    fullBackend = await startMockOtlpBackend({ status: 200 });
    metadataBackend = await startMockOtlpBackend({ status: 200 });
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: { endpoint: fullBackend.url, content: 'full' }, env: {} });
    // A second OTLP copy with the default metadata view, through the processor's destinations.
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL });
    const tools = [
      { type: 'function' as const, function: { name: 'weather', description: 'The weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function' as const, function: { name: 'clock', parameters: { type: 'object', properties: {} } } },
    ];
    try {
      server.enqueue({ toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] }, { reply: 'It is 4 °C in Oslo.' });
      const asked = [
        { role: 'system' as const, content: 'Be brief.' },
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'What is this, and the weather in Oslo?' }, { type: 'image_url' as const, image_url: { url: IMAGE } }] },
      ];
      const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: asked, tools });
      const call = first.choices[0]!.message.tool_calls![0]!;
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        tools,
        messages: [...asked, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"celsius":4}' }],
      });
      // Reasoning parts through the explicit API.
      await runtrace.recorder.run({ kind: 'chat_turn' }, (run) =>
        run.step({ operation: 'generate', request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Think first.' }] }] } }, (step) => {
          step.setResponse({ content: [{ type: 'reasoning', text: 'Considering it.' }, { type: 'text', text: 'Done.' }], finishReason: 'stop' });
        }),
      );
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const summary of store.listRuns({ limit: 100 }).runs) {
        for (const step of store.getRun(summary.runId)!.steps) views.store.push(step.attributes);
      }
    } finally {
      store.close();
    }
    for (const body of fullBackend.received) {
      const decoded = decodeOtlpProtobuf(body);
      if (!decoded.ok) throw new Error(`the OTLP export does not decode: ${decoded.reason}`);
      for (const span of decoded.spans) if (span.attributes['runtrace.span.kind'] === 'step') views['otlp full'].push(span.attributes);
    }
    // The metadata view of the same spans, as the default OTLP destination sends it.
    const metadata = register({ store: false, otlp: { endpoint: metadataBackend.url }, env: {}, contentPolicy: 'full' });
    try {
      await metadata.recorder.run({ kind: 'chat_turn' }, (run) =>
        run.step({ operation: 'generate', request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }] } }, (step) => {
          step.setResponse({ content: [{ type: 'text', text: 'hello' }], finishReason: 'stop' });
        }),
      );
    } finally {
      await metadata.shutdown();
      trace.disable();
    }
    for (const body of metadataBackend.received) {
      const decoded = decodeOtlpProtobuf(body);
      if (!decoded.ok) throw new Error(`the OTLP export does not decode: ${decoded.reason}`);
      for (const span of decoded.spans) if (span.attributes['runtrace.span.kind'] === 'step') views['otlp metadata'].push(span.attributes);
    }
  });

  afterAll(async () => {
    await server.close();
    await fullBackend.close();
    await metadataBackend.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const view of ['store', 'otlp full'] as const) {
    it(`${view}: every message, part and tool definition is valid`, () => {
      expect(views[view]).toHaveLength(3);
      const errors = views[view].flatMap((attributes) => CONTENT_KEYS.flatMap((key) => (attributes[key] === undefined ? [] : errorsOf(key, attributes[key]))));
      expect(errors).toEqual([]);
      // Every kind of part was there to be checked.
      const all = JSON.stringify(views[view].map((attributes) => CONTENT_KEYS.map((key) => (attributes[key] === undefined ? null : (JSON.parse(attributes[key] as string) as unknown)))));
      for (const type of ['text', 'tool_call', 'tool_call_response', 'reasoning', 'omitted_file']) expect(all).toContain(`"type":"${type}"`);
      // The tool without a description gets an empty one, which the schema requires.
      expect(all).toContain('"name":"clock","description":""');
    });
  }

  it('otlp metadata: no message content at all, so nothing to break the schemas', () => {
    expect(views['otlp metadata']).toHaveLength(1);
    for (const attributes of views['otlp metadata']) for (const key of CONTENT_KEYS) expect(attributes[key]).toBeUndefined();
  });

  it('the validator rejects what the schemas rule out (so the checks above can fail)', () => {
    expect(errorsOf('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', length: 3 }] }]))).not.toEqual([]);
    expect(errorsOf('gen_ai.input.messages', JSON.stringify([{ role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1' }] }]))).not.toEqual([]);
    expect(errorsOf('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [] }]))).not.toEqual([]);
    expect(errorsOf('gen_ai.tool.definitions', JSON.stringify([{ type: 'function', name: 'x' }]))).not.toEqual([]);
  });
});
