// The real @anthropic-ai/sdk client → the mock Anthropic server, through register() and the store,
// without any setResponse: each call once inside recorder.run + run.step, once with no run at all
// (an llm_call run). Model, provider, split usage, finish reason, cost, retries and cut streams
// are read from the wire.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { trace } from '@opentelemetry/api';
import { openStore } from '@runtrace/store';
import type { RunDetail } from '@runtrace/store';
import { startMockAnthropicServer } from '@runtrace/testkit';
import type { MockAnthropicScenario, MockAnthropicServer } from '@runtrace/testkit';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODEL = 'claude-sonnet-4-5';
/** What the API answers for the alias: a dated model name, priced as `claude-sonnet-4-5`. */
const DATED_MODEL = 'claude-sonnet-4-5-20250929';
/** On 127.0.0.1 the provider is the host name; `anthropic` only on api.anthropic.com (see provider-for-host.ts). */
const PROVIDER = '127.0.0.1';
/** Default prices of claude-sonnet-4-5, US dollars per token. */
const PRICE = { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite: 3.75e-6 };

type CaseName = 'json' | 'stream' | 'rawStream' | 'noUsage' | 'noUsageStream' | 'retry' | 'cut';
type Mode = 'explicit' | 'implicit';

interface Case {
  readonly scenarios: readonly MockAnthropicScenario[];
  readonly call: (client: Anthropic, prompt: string) => Promise<unknown>;
}

function params(prompt: string): Anthropic.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: prompt }] };
}

async function readRawStream(client: Anthropic, prompt: string): Promise<void> {
  const stream = await client.messages.create({ ...params(prompt), stream: true });
  for await (const _event of stream) {
    // read to the end
  }
}

const CASES: Readonly<Record<CaseName, Case>> = {
  json: {
    scenarios: [{ model: DATED_MODEL, reply: 'Hello.', usage: { inputTokens: 1000, cacheReadInputTokens: 2000, cacheCreationInputTokens: 100, outputTokens: 300 } }],
    call: (client, prompt) => client.messages.create(params(prompt)),
  },
  stream: {
    scenarios: [{ thinking: ['Let me ', 'think.'], reply: 'Sunny in Oslo.', usage: { inputTokens: 50, cacheReadInputTokens: 400, outputTokens: 120, initialOutputTokens: 3 } }],
    call: (client, prompt) => client.messages.stream(params(prompt)).finalMessage(),
  },
  rawStream: {
    scenarios: [{ reply: 'Checking.', toolUses: [{ id: 'toolu_01', name: 'weather', input: { city: 'Oslo' } }], usage: { inputTokens: 200, outputTokens: 60, repeatInputInDelta: false } }],
    call: readRawStream,
  },
  noUsage: { scenarios: [{ reply: 'No usage here.', usage: null }], call: (client, prompt) => client.messages.create(params(prompt)) },
  noUsageStream: { scenarios: [{ reply: 'No usage streamed.', usage: null }], call: readRawStream },
  retry: {
    scenarios: [{ status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '5' } }, { reply: 'After the retry.', usage: { inputTokens: 10, outputTokens: 5 } }],
    call: (client, prompt) => client.messages.create(params(prompt)),
  },
  cut: {
    // message_start, content_block_start, ping, one text_delta, then the socket is destroyed.
    scenarios: [{ reply: 'a b c d e', usage: { inputTokens: 10, outputTokens: 5 }, cutAfterEvents: 4 }],
    call: (client, prompt) => client.messages.stream(params(prompt)).finalMessage(),
  },
};
const CASE_NAMES = Object.keys(CASES) as CaseName[];

/** A distinct prompt per case and mode (the implicit run's label, under the `full` content policy). */
function promptOf(mode: Mode, name: CaseName): string {
  return `${mode} ${name}: what is the weather in Oslo?`;
}

describe('Anthropic Messages read on the wire: the real @anthropic-ai/sdk, register() and the store', () => {
  let dir: string;
  let server: MockAnthropicServer;
  const explicitRunIds: Partial<Record<CaseName, string>> = {};
  const errors: Record<Mode, Partial<Record<CaseName, unknown>>> = { explicit: {}, implicit: {} };
  const details: Record<Mode, Partial<Record<CaseName, RunDetail>>> = { explicit: {}, implicit: {} };
  const implicitRunCounts: Partial<Record<CaseName, number>> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-wire-anthropic-'));
    server = await startMockAnthropicServer();
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full' });
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.baseURL, maxRetries: 2 });
    try {
      for (const name of CASE_NAMES) {
        const testCase = CASES[name];
        server.enqueue(...testCase.scenarios);
        await runtrace.recorder
          .run({ kind: 'chat_turn', label: name }, async (run) => {
            explicitRunIds[name] = run.id;
            await run.step({ operation: 'generate' }, () => testCase.call(client, promptOf('explicit', name)));
          })
          .catch((error: unknown) => {
            errors.explicit[name] = error;
          });
      }
      for (const name of CASE_NAMES) {
        const testCase = CASES[name];
        server.enqueue(...testCase.scenarios);
        await testCase.call(client, promptOf('implicit', name)).catch((error: unknown) => {
          errors.implicit[name] = error;
        });
      }
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
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the calls reached the server as the SDK sends them', () => {
    // 7 cases, the retry case twice, in both modes.
    expect(server.requests).toHaveLength(16);
    expect(server.requests.every((request) => request.path === '/v1/messages' && request.headers['anthropic-version'] !== undefined)).toBe(true);
    expect(errors.explicit).toEqual({ cut: expect.any(Error) });
    expect(errors.implicit).toEqual({ cut: expect.any(Error) });
  });

  it('a call outside any run is the one step of its own llm_call run', () => {
    for (const name of CASE_NAMES) {
      expect({ name, runs: implicitRunCounts[name] }).toEqual({ name, runs: 1 });
      const detail = details.implicit[name]!;
      expect(detail.run).toMatchObject({ kind: 'llm_call', provider: PROVIDER, model: MODEL, stepCount: 1 });
      expect(detail.steps[0]!.attributes['runtrace.step.implicit']).toBe(true);
    }
  });

  describe.each<Mode>(['explicit', 'implicit'])('%s', (mode) => {
    function step(name: CaseName): RunDetail['steps'][number] {
      const detail = details[mode][name];
      expect(detail?.steps).toHaveLength(1);
      return detail!.steps[0]!;
    }

    it('a non-streamed answer: models, provider, the split usage once (input = uncached + cache reads + writes), a priced cost', () => {
      expect(step('json')).toMatchObject({
        requestModel: MODEL,
        responseModel: DATED_MODEL,
        provider: PROVIDER,
        inputTokens: 3100,
        outputTokens: 300,
        cacheReadTokens: 2000,
        cacheCreationTokens: 100,
        finishReasons: ['end_turn'],
        costUnknown: false,
        status: 'completed',
      });
      expect(step('json').costUsd).toBeCloseTo(1000 * PRICE.input + 2000 * PRICE.cacheRead + 100 * PRICE.cacheWrite + 300 * PRICE.output, 12);
      expect(details[mode].json!.run).toMatchObject({ inputTokens: 3100, outputTokens: 300, costUnknown: false });
    });

    it('messages.stream: message_start and message_delta (which repeats the input counts) count once; the cumulative output wins', () => {
      expect(step('stream')).toMatchObject({
        requestModel: MODEL,
        responseModel: MODEL,
        provider: PROVIDER,
        inputTokens: 450,
        outputTokens: 120,
        cacheReadTokens: 400,
        finishReasons: ['end_turn'],
        costUnknown: false,
        status: 'completed',
      });
      expect(step('stream').costUsd).toBeCloseTo(50 * PRICE.input + 400 * PRICE.cacheRead + 120 * PRICE.output, 12);
      expect(step('stream').timeToFirstChunkMs).toEqual(expect.any(Number));
    });

    it('create({ stream: true }) with a tool_use block: usage, finish reason and the tool call from input_json_delta', () => {
      expect(step('rawStream')).toMatchObject({ inputTokens: 200, outputTokens: 60, cacheReadTokens: 0, finishReasons: ['tool_use'], costUnknown: false, status: 'completed' });
      expect(step('rawStream').costUsd).toBeCloseTo(200 * PRICE.input + 60 * PRICE.output, 12);
      const output = JSON.stringify(step('rawStream').attributes['gen_ai.output.messages']);
      expect(output).toContain('toolu_01');
      expect(output).toContain('Oslo');
    });

    it('an answer without usage: cost unknown, never $0', () => {
      for (const name of ['noUsage', 'noUsageStream'] as const) {
        expect({ name, ...step(name) }).toMatchObject({ name, responseModel: MODEL, finishReasons: ['end_turn'], costUsd: null, costUnknown: true });
        expect(details[mode][name]!.run).toMatchObject({ costUsd: null, costUnknown: true });
      }
    });

    it('a 429 then a 200 (the SDK retries by itself) is one step with two attempts, usage counted once', () => {
      const detail = details[mode].retry!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.steps[0]).toMatchObject({ inputTokens: 10, outputTokens: 5, status: 'completed', costUnknown: false });
      const attempts = detail.attempts.filter((attempt) => attempt.stepId === detail.steps[0]!.stepId);
      expect(attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status, attempt.resendCount])).toEqual([
        [1, 429, 'error', 0],
        [2, 200, 'completed', 1],
      ]);
      expect(attempts[0]).toMatchObject({ retryClassification: 'rate_limited', retryDelayMs: 5 });
    });

    it('a stream cut after 4 events: neither the step nor its attempt is completed', () => {
      const detail = details[mode].cut!;
      expect(detail.steps).toHaveLength(1);
      expect(detail.steps[0]!.status).not.toBe('completed');
      const attempts = detail.attempts.filter((attempt) => attempt.stepId === detail.steps[0]!.stepId);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]!.statusCode).toBe(200);
      expect(attempts[0]!.status).not.toBe('completed');
      // What was read before the cut: the model; message_start's first counts are not the call's
      // usage, so its cost is unknown, not understated.
      expect(detail.steps[0]).toMatchObject({ responseModel: MODEL, finishReasons: [], costUsd: null, costUnknown: true });
      expect(detail.run).toMatchObject({ costUsd: null, costUnknown: true, status: 'error' });
    });
  });
});
