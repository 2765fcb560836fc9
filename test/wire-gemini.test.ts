// Plain fetch → the mock Gemini server, through register() and the store, without any
// setResponse: each call once inside recorder.run + run.step, once with no run at all (an
// llm_call run). generateContent JSON, streamGenerateContent as SSE (alt=sse) and as a JSON
// array; cumulative usage read once, finish reasons, cost, a 429 retried by the caller, cut streams.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockGeminiServer } from '@runtrace/testkit';
import type { MockGeminiScenario, MockGeminiServer } from '@runtrace/testkit';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODEL = 'gemini-2.5-flash';
/** On 127.0.0.1 the provider is the host name; `gcp.gemini` only on generativelanguage.googleapis.com. */
const PROVIDER = '127.0.0.1';
/** Default prices of gemini-2.5-flash, US dollars per token. */
const PRICE = { input: 0.3e-6, output: 2.5e-6, cacheRead: 0.03e-6 };

type CaseName = 'json' | 'sse' | 'array' | 'noUsage' | 'noUsageStream' | 'retry' | 'cut' | 'cutArray';
type Mode = 'explicit' | 'implicit';
type Method = 'generateContent' | 'streamGenerateContent' | 'streamGenerateContent?alt=sse';

interface Case {
  readonly scenarios: readonly MockGeminiScenario[];
  readonly method: Method;
}

const CASES: Readonly<Record<CaseName, Case>> = {
  json: {
    scenarios: [{ modelVersion: 'gemini-2.5-flash-001', reply: 'Hello.', usage: { promptTokens: 1000, candidatesTokens: 200, thoughtsTokens: 50, cachedContentTokens: 400 } }],
    method: 'generateContent',
  },
  sse: { scenarios: [{ chunks: ['Sunny ', 'in ', 'Oslo.'], usage: { promptTokens: 100, candidatesTokens: 30 } }], method: 'streamGenerateContent?alt=sse' },
  array: {
    scenarios: [{ thoughts: ['Think.'], chunks: ['Checking.'], functionCalls: [{ name: 'weather', args: { city: 'Oslo' } }], usage: { promptTokens: 80, candidatesTokens: 12, thoughtsTokens: 8 } }],
    method: 'streamGenerateContent',
  },
  noUsage: { scenarios: [{ reply: 'No usage here.', usage: null }], method: 'generateContent' },
  noUsageStream: { scenarios: [{ reply: 'No usage streamed.', usage: null }], method: 'streamGenerateContent?alt=sse' },
  retry: {
    scenarios: [
      { status: 429, error: { message: 'Resource exhausted.', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0s' }] } },
      { reply: 'After the retry.', usage: { promptTokens: 10, candidatesTokens: 5 } },
    ],
    method: 'generateContent',
  },
  cut: { scenarios: [{ chunks: ['a ', 'b ', 'c'], usage: { promptTokens: 10, candidatesTokens: 3 }, cutAfterChunks: 1 }], method: 'streamGenerateContent?alt=sse' },
  cutArray: { scenarios: [{ chunks: ['a ', 'b ', 'c'], usage: { promptTokens: 10, candidatesTokens: 3 }, cutAfterChunks: 1 }], method: 'streamGenerateContent' },
};
const CASE_NAMES = Object.keys(CASES) as CaseName[];

/** A distinct prompt per case and mode (the implicit run's label, under the `full` content policy). */
function promptOf(mode: Mode | 'heuristic', name: string): string {
  return `${mode} ${name}: what is the weather in Oslo?`;
}

function post(server: MockGeminiServer, method: Method, prompt: string): Promise<Response> {
  return fetch(`${server.url}/v1beta/models/${MODEL}:${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test-key' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }], generationConfig: { maxOutputTokens: 256 } }),
  });
}

/** Calls and reads the answer to its end; a 429 is retried once, by hand, with the same request. */
async function call(server: MockGeminiServer, method: Method, prompt: string): Promise<string> {
  let response = await post(server, method, prompt);
  if (response.status === 429) {
    await response.text();
    response = await post(server, method, prompt);
  }
  return response.text();
}

describe('Gemini generateContent read on the wire: plain fetch, register() and the store', () => {
  let dir: string;
  let server: MockGeminiServer;
  const explicitRunIds: Partial<Record<CaseName, string>> = {};
  const errors: Record<Mode, Partial<Record<CaseName, unknown>>> = { explicit: {}, implicit: {} };
  const details: Record<Mode, Partial<Record<CaseName, RunDetail>>> = { explicit: {}, implicit: {} };
  const implicitRunCounts: Partial<Record<CaseName, number>> = {};
  let heuristic: { first?: RunDetail | undefined; secondRuns: number } = { secondRuns: -1 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-wire-gemini-'));
    server = await startMockGeminiServer();
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full' });
    try {
      for (const name of CASE_NAMES) {
        const testCase = CASES[name];
        server.enqueue(...testCase.scenarios);
        await runtrace.recorder
          .run({ kind: 'chat_turn', label: name }, async (run) => {
            explicitRunIds[name] = run.id;
            await run.step({ operation: 'generate' }, () => call(server, testCase.method, promptOf('explicit', name)));
          })
          .catch((error: unknown) => {
            errors.explicit[name] = error;
          });
      }
      for (const name of CASE_NAMES) {
        const testCase = CASES[name];
        server.enqueue(...testCase.scenarios);
        await call(server, testCase.method, promptOf('implicit', name)).catch((error: unknown) => {
          errors.implicit[name] = error;
        });
      }
      // Not a retry: after a 429, a different question of the same byte length to the same URL.
      server.enqueue({ status: 429 }, { reply: 'Another answer.', usage: { promptTokens: 7, candidatesTokens: 2 } });
      await (await post(server, 'generateContent', promptOf('heuristic', 'first'))).text();
      await (await post(server, 'generateContent', promptOf('heuristic', 'other'))).text();
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const name of CASE_NAMES) {
        const detail = store.getRun(explicitRunIds[name] ?? '');
        if (detail !== undefined) details.explicit[name] = detail;
      }
      const implicitRuns = store.listRuns({ kind: 'llm_call', limit: 100 }).runs;
      for (const name of CASE_NAMES) {
        const matching = implicitRuns.filter((run) => run.label === promptOf('implicit', name));
        implicitRunCounts[name] = matching.length;
        const detail = matching[0] === undefined ? undefined : store.getRun(matching[0].runId);
        if (detail !== undefined) details.implicit[name] = detail;
      }
      const first = implicitRuns.find((run) => run.label === promptOf('heuristic', 'first'));
      heuristic = {
        secondRuns: implicitRuns.filter((run) => run.label === promptOf('heuristic', 'other')).length,
        first: first === undefined ? undefined : store.getRun(first.runId),
      };
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the calls reached the server; only the cut streams failed to read', () => {
    // 8 cases, the retry case twice, in both modes; then the two heuristic calls.
    expect(server.requests).toHaveLength(20);
    expect(errors.explicit).toEqual({ cut: expect.any(Error), cutArray: expect.any(Error) });
    expect(errors.implicit).toEqual({ cut: expect.any(Error), cutArray: expect.any(Error) });
  });

  it('a call outside any run is the one step of its own llm_call run', () => {
    for (const name of CASE_NAMES) {
      expect({ name, runs: implicitRunCounts[name] }).toEqual({ name, runs: 1 });
      const detail = details.implicit[name]!;
      expect(detail.run).toMatchObject({ kind: 'llm_call', provider: PROVIDER, model: MODEL, stepCount: 1 });
      expect(detail.steps[0]!.attributes['runtrace.step.implicit']).toBe(true);
    }
    expect(details.implicit.sse!.steps[0]!.operation).toBe('stream');
    expect(details.implicit.array!.steps[0]!.operation).toBe('stream');
    expect(details.implicit.json!.steps[0]!.operation).toBe('generate');
  });

  it('an implicit step takes the next call with the same URL and body size after a 429 as its retry, even with another question', () => {
    // The documented heuristic (implicit-model-call.ts): plain fetch sends no x-stainless-retry-count,
    // so a different request of the same size is indistinguishable from a retry.
    expect(heuristic.secondRuns).toBe(0);
    const detail = heuristic.first!;
    expect(detail.steps).toHaveLength(1);
    expect(detail.attempts.map((attempt) => attempt.statusCode)).toEqual([429, 200]);
    expect(detail.steps[0]).toMatchObject({ inputTokens: 7, outputTokens: 2, status: 'completed' });
  });

  describe.each<Mode>(['explicit', 'implicit'])('%s', (mode) => {
    function step(name: CaseName): RunDetail['steps'][number] {
      const detail = details[mode][name];
      expect(detail?.steps).toHaveLength(1);
      return detail!.steps[0]!;
    }

    it('generateContent: request model from the path, modelVersion, usage with thoughts and cached content, a priced cost', () => {
      expect(step('json')).toMatchObject({
        requestModel: MODEL,
        responseModel: 'gemini-2.5-flash-001',
        provider: PROVIDER,
        inputTokens: 1000,
        // candidatesTokenCount excludes thoughts: output = 200 + 50.
        outputTokens: 250,
        reasoningTokens: 50,
        cacheReadTokens: 400,
        finishReasons: ['STOP'],
        costUnknown: false,
        status: 'completed',
      });
      expect(step('json').costUsd).toBeCloseTo(600 * PRICE.input + 400 * PRICE.cacheRead + 250 * PRICE.output, 12);
    });

    it('streamGenerateContent?alt=sse: the cumulative usageMetadata of 3 chunks is read once, not summed', () => {
      expect(step('sse')).toMatchObject({ requestModel: MODEL, responseModel: MODEL, provider: PROVIDER, inputTokens: 100, outputTokens: 30, finishReasons: ['STOP'], costUnknown: false, status: 'completed' });
      expect(step('sse').costUsd).toBeCloseTo(100 * PRICE.input + 30 * PRICE.output, 12);
      expect(step('sse').timeToFirstChunkMs).toEqual(expect.any(Number));
      expect(JSON.stringify(step('sse').attributes['gen_ai.output.messages'])).toContain('Sunny in Oslo.');
    });

    it('streamGenerateContent as a JSON array: thoughts, text and a functionCall, usage read once', () => {
      expect(step('array')).toMatchObject({ inputTokens: 80, outputTokens: 20, reasoningTokens: 8, finishReasons: ['STOP'], costUnknown: false, status: 'completed' });
      expect(step('array').costUsd).toBeCloseTo(80 * PRICE.input + 20 * PRICE.output, 12);
      const output = JSON.stringify(step('array').attributes['gen_ai.output.messages']);
      expect(output).toContain('weather');
      expect(output).toContain('Oslo');
    });

    it('an answer without usageMetadata: cost unknown, never $0', () => {
      for (const name of ['noUsage', 'noUsageStream'] as const) {
        expect({ name, ...step(name) }).toMatchObject({ name, responseModel: MODEL, finishReasons: ['STOP'], costUsd: null, costUnknown: true });
        expect(details[mode][name]!.run).toMatchObject({ costUsd: null, costUnknown: true });
      }
    });

    it('a 429 then the same request again: one step with two attempts, usage counted once', () => {
      const detail = details[mode].retry!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.steps[0]).toMatchObject({ inputTokens: 10, outputTokens: 5, status: 'completed', costUnknown: false });
      const attempts = detail.attempts.filter((attempt) => attempt.stepId === detail.steps[0]!.stepId);
      expect(attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status])).toEqual([
        [1, 429, 'error'],
        [2, 200, 'completed'],
      ]);
      expect(attempts[0]!.retryClassification).toBe('rate_limited');
    });

    it('a stream cut after its first chunk (SSE and JSON array): neither the step nor its attempt is completed', () => {
      for (const name of ['cut', 'cutArray'] as const) {
        const detail = details[mode][name]!;
        expect(detail.steps).toHaveLength(1);
        expect({ name, status: detail.steps[0]!.status }).not.toEqual({ name, status: 'completed' });
        const attempts = detail.attempts.filter((attempt) => attempt.stepId === detail.steps[0]!.stepId);
        expect(attempts.map((attempt) => attempt.statusCode)).toEqual([200]);
        expect({ name, status: attempts[0]!.status }).not.toEqual({ name, status: 'completed' });
        expect(detail.steps[0]!.finishReasons).toEqual([]);
        // The running counts of the chunks read are not the call's usage: its cost is unknown, not understated.
        expect({ name, costUsd: detail.steps[0]!.costUsd, costUnknown: detail.steps[0]!.costUnknown }).toEqual({ name, costUsd: null, costUnknown: true });
        expect({ name, costUnknown: detail.run.costUnknown }).toEqual({ name, costUnknown: true });
      }
    });
  });
});
