// The spans the ingest benchmarks write (store-ingest, postgres-ingest): runs as runtrace records
// them — the run span, 3 steps and 3 attempts, ~1 KB of attributes each — built directly as
// ReadableSpans so that making them costs nothing inside the timing.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes } from '@runtrace/core';

type Attrs = Record<string, string | number | boolean | string[]>;

function hr(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function span(traceId: string, spanId: string, parent: string | undefined, name: string, startMs: number, endMs: number, attributes: Attrs): ReadableSpan {
  return {
    name,
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    ...(parent === undefined ? {} : { parentSpanContext: { traceId, spanId: parent, traceFlags: 1 } }),
    startTime: hr(startMs),
    endTime: hr(endMs),
    duration: hr(endMs - startMs),
    status: { code: 0 },
    attributes,
    links: [],
    events: [],
    ended: true,
    resource: { attributes: {} } as unknown as ReadableSpan['resource'],
    instrumentationScope: { name: 'bench' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

const id = (prefix: string, n: number, width: number): string => prefix + n.toString(16).padStart(width - prefix.length, '0');
const MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Summarize the attached build log and list the failing tests with a one-line reason for each. '.repeat(6) }] }]);
const OUTPUT = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Three tests failed: the retry test timed out and two snapshot tests differ. ' }] }]);
const HEADERS = JSON.stringify({ 'content-type': 'application/json', authorization: '[REDACTED]', 'user-agent': 'runtrace-bench/1.0', 'x-request-id': 'req_0123456789abcdef', 'openai-organization': 'org-bench', 'x-ratelimit-remaining-tokens': '149000' });
const BODY = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Summarize the attached build log. '.repeat(12) }] });

/** Hex digits from a random source (ids as an SDK makes them: no order). */
function randomHex(random: () => number, width: number): string {
  let out = '';
  while (out.length < width) out += Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return out.slice(0, width);
}

/**
 * One run: the run span, 3 steps and 3 attempts (7 spans, ~1 KB of attributes each). Ids count
 * up with `n` and every run has the same figures, unless `random` is given: then ids are random,
 * as an SDK makes them, and each run has its own duration, tokens and cost.
 */
export function makeRun(n: number, random?: () => number): ReadableSpan[] {
  const newId = random === undefined ? (prefix: string, width: number): string => id(prefix, n, width) : (_prefix: string, width: number): string => randomHex(random, width);
  const trace = newId('b', 32);
  const runId = newId('a', 16);
  const t = Date.UTC(2026, 0, 1) + n * 10_000;
  const inputTokens = random === undefined ? 1200 : 100 + Math.floor(random() * 8000);
  const outputTokens = random === undefined ? 300 : 10 + Math.floor(random() * 2000);
  const runMs = random === undefined ? 8000 : 7000 + Math.floor(random() * 60_000);
  const spans: ReadableSpan[] = [];
  for (let s = 1; s <= 3; s++) {
    const stepId = newId(`b${s}`, 16);
    spans.push(
      span(trace, newId(`c${s}`, 16), stepId, 'POST', t + s * 2000, t + s * 2000 + 1500, {
        [RuntraceAttributes.SPAN_KIND]: 'attempt', [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
        [RuntraceAttributes.STEP_ID]: stepId, [RuntraceAttributes.ATTEMPT_NUMBER]: 1, [HttpAttributes.REQUEST_METHOD]: 'POST',
        [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions', [HttpAttributes.RESPONSE_STATUS_CODE]: 200,
        [RuntraceAttributes.ATTEMPT_REQUEST_HEADERS]: HEADERS, [RuntraceAttributes.ATTEMPT_REQUEST_BODY]: BODY,
        [RuntraceAttributes.ATTEMPT_REQUEST_BODY_SIZE]: BODY.length,
      }),
      span(trace, stepId, runId, 'chat gpt-4o-mini', t + s * 2000, t + s * 2000 + 1600, {
        [RuntraceAttributes.SPAN_KIND]: 'step', [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
        [RuntraceAttributes.STEP_NUMBER]: s, [RuntraceAttributes.STEP_OPERATION]: 'stream', [GenAiAttributes.OPERATION_NAME]: 'chat',
        [GenAiAttributes.PROVIDER_NAME]: 'openai', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [GenAiAttributes.RESPONSE_MODEL]: 'gpt-4o-mini-2024-07-18',
        [GenAiAttributes.USAGE_INPUT_TOKENS]: inputTokens, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: outputTokens, [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
        [GenAiAttributes.INPUT_MESSAGES]: MESSAGES, [GenAiAttributes.OUTPUT_MESSAGES]: OUTPUT, [RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS]: 350,
      }),
    );
  }
  spans.push(
    span(trace, runId, undefined, 'invoke_agent chat_turn', t, t + runMs, {
      [RuntraceAttributes.SPAN_KIND]: 'run', [RuntraceAttributes.STATUS]: 'completed', [RuntraceAttributes.RUN_ID]: runId,
      [RuntraceAttributes.RUN_KIND]: 'chat_turn', [GenAiAttributes.CONVERSATION_ID]: `conv-${n % 500}`, [GenAiAttributes.PROVIDER_NAME]: 'openai',
      [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini', [RuntraceAttributes.RUN_LABEL]: 'Summarize the attached build log and list the failing tests '.repeat(3),
      [RuntraceAttributes.SUMMARY_STEP_COUNT]: 3, [RuntraceAttributes.SUMMARY_INPUT_TOKENS]: 3 * inputTokens, [RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]: 3 * outputTokens,
      [RuntraceAttributes.SUMMARY_TOTAL_TOKENS]: 3 * (inputTokens + outputTokens), [RuntraceAttributes.SUMMARY_COST_USD]: random === undefined ? 0.0011 : (3 * (inputTokens * 0.15 + outputTokens * 0.6)) / 1e6, [RuntraceAttributes.SUMMARY_ENDPOINT]: 'POST /v1/chat/completions',
      [RuntraceAttributes.SUMMARY_FIRST_MESSAGE]: 'Summarize the attached build log and list the failing tests '.repeat(6),
    }),
  );
  return spans;
}

