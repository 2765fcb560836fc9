// What register() keeps by default: the local store the (redacted) content of each call — its
// label, messages and answer — while the OTLP copy of the same spans is metadata only.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { decodeOtlpProtobuf } from '@runtrace/collector';
import { openStore } from '@runtrace/store';
import { startMockOpenAIServer, startMockOtlpBackend } from '@runtrace/testkit';
import type { MockOpenAIServer, MockOtlpBackend } from '@runtrace/testkit';
import OpenAI from 'openai';
import { register } from 'runtrace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const QUESTION = 'What is the weather in Oslo?';
/** A credential in the prompt: kept out of the store by redaction, out of OTLP by the metadata view too. */
const KEY = ['sk', 'proj', 'Zq3'.repeat(16)].join('-');

let dir: string;
let server: MockOpenAIServer;
let backend: MockOtlpBackend;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-content-default-'));
  server = await startMockOpenAIServer();
  backend = await startMockOtlpBackend({ status: 200 });
});
afterEach(async () => {
  trace.disable();
  await server.close();
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

describe('content by default: the local store keeps it, OTLP does not', () => {
  it('a call with no runtrace code: label, messages and answer in the store (redacted); none of them in the OTLP export', async () => {
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: { endpoint: backend.url }, env: {} });
    expect(runtrace.recorder.contentPolicy).toBe('full');
    server.enqueue({ reply: 'It is 4 °C in Oslo.', usage: { promptTokens: 12, completionTokens: 7 } });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${QUESTION} My key is ${KEY}` }] });
    await runtrace.shutdown();

    const store = openStore({ path, sweepOnOpen: false });
    try {
      const [summary] = store.listRuns().runs;
      expect(summary).toMatchObject({ kind: 'llm_call', status: 'completed', inputTokens: 12, outputTokens: 7 });
      expect(summary!.label).toContain(QUESTION);
      const detail = store.getRun(summary!.runId)!;
      const step = detail.steps[0]!;
      expect(String(step.attributes['gen_ai.input.messages'])).toContain(QUESTION);
      expect(String(step.attributes['gen_ai.output.messages'])).toContain('It is 4 °C in Oslo.');
      // A model call that succeeded is kept as its messages; its raw bodies only by size.
      const attempt = detail.attempts[0]!;
      expect(attempt.attributes['runtrace.attempt.request_body']).toBeUndefined();
      expect(attempt.attributes['runtrace.attempt.response_body']).toBeUndefined();
      expect(attempt.attributes['runtrace.attempt.request_body_size']).toBeGreaterThan(QUESTION.length);
      expect(JSON.stringify(detail)).not.toContain(KEY);
    } finally {
      store.close();
    }

    const spans = backend.received.flatMap((body) => {
      const decoded = decodeOtlpProtobuf(body);
      if (!decoded.ok) throw new Error(`the OTLP export does not decode: ${decoded.reason}`);
      return decoded.spans;
    });
    expect(spans.map((span) => span.attributes['runtrace.span.kind']).sort()).toEqual(['attempt', 'run', 'step']);
    for (const span of spans) {
      expect(span.attributes['runtrace.content.policy']).toBe('metadata');
      for (const key of ['runtrace.run.label', 'gen_ai.input.messages', 'gen_ai.output.messages', 'runtrace.attempt.request_body', 'runtrace.attempt.response_body']) {
        expect({ span: span.name, key, value: span.attributes[key] }).toEqual({ span: span.name, key, value: undefined });
      }
    }
    // Usage and the model still go to OTLP.
    const step = spans.find((span) => span.attributes['runtrace.span.kind'] === 'step')!;
    expect(step.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 7 });
    const exported = Buffer.concat(backend.received).toString('latin1');
    expect(exported).not.toContain(QUESTION);
    expect(exported).not.toContain(KEY);
  });

  it('RUNTRACE_BODIES=all keeps the bodies of a model call that succeeded too (redacted); an unreadable value is reported and ignored', async () => {
    const path = join(dir, 'bodies.db');
    const lines: string[] = [];
    const runtrace = register({ store: path, otlp: false, env: { RUNTRACE_BODIES: 'all' }, diagnosticSink: (line) => lines.push(line) });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${QUESTION} My key is ${KEY}` }] });
    await runtrace.shutdown();
    trace.disable();
    const store = openStore({ path, sweepOnOpen: false });
    try {
      const detail = store.getRun(store.listRuns().runs[0]!.runId)!;
      const attempt = detail.attempts[0]!;
      expect(String(attempt.attributes['runtrace.attempt.request_body'])).toContain(QUESTION);
      expect(String(attempt.attributes['runtrace.attempt.request_body'])).not.toContain(KEY);
      expect(String(attempt.attributes['runtrace.attempt.response_body'])).toContain('Hello from the mock server.');
    } finally {
      store.close();
    }
    expect(lines).toEqual([]);
    const bad = register({ store: false, otlp: false, env: { RUNTRACE_BODIES: 'some' }, diagnosticSink: (line) => lines.push(line) });
    await bad.shutdown();
    expect(lines).toEqual(['runtrace: RUNTRACE_BODIES: expected all or unread, got "some"; using unread instead: fix or unset RUNTRACE_BODIES']);
  });

  it('without the local store the default is metadata; RUNTRACE_CONTENT and the option still choose; an unreadable value means metadata', async () => {
    const cases: [Parameters<typeof register>[0], string][] = [
      [{ store: false, otlp: false, env: {} }, 'metadata'],
      [{ store: join(dir, 'a.db'), otlp: false, env: { RUNTRACE_CONTENT: 'metadata' } }, 'metadata'],
      [{ store: join(dir, 'b.db'), otlp: false, env: { RUNTRACE_CONTENT: 'none' } }, 'none'],
      [{ store: join(dir, 'c.db'), otlp: false, env: {}, contentPolicy: 'metadata' }, 'metadata'],
      [{ store: false, otlp: false, env: { RUNTRACE_CONTENT: 'full' } }, 'full'],
      [{ store: join(dir, 'd.db'), otlp: false, env: { RUNTRACE_CONTENT: 'everything' }, quiet: true }, 'metadata'],
    ];
    for (const [options, expected] of cases) {
      const runtrace = register(options);
      try {
        expect({ options, policy: runtrace.recorder.contentPolicy }).toEqual({ options, policy: expected });
      } finally {
        await runtrace.shutdown();
        trace.disable();
      }
    }
  });
});
