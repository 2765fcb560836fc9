import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds, defaultPricingTable } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { T0, fixtureSpans, makeSpan, testPricing } from '../__fixtures__/spans.js';
import { foreignRowOf } from './foreign-rows.js';
import { genericRow, spanToRow } from './span-rows.js';
import { ATTEMPT_COLUMNS, RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from './row-columns.js';
import type { RowValues } from './row-columns.js';

const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  runs: RUN_COLUMNS,
  steps: STEP_COLUMNS,
  attempts: ATTEMPT_COLUMNS,
  tool_calls: TOOL_COLUMNS,
  spans: SPAN_COLUMNS,
};

/** A row's values by column name. */
function byColumn(table: string, values: RowValues): Record<string, string | number | null> {
  const columns = COLUMNS[table]!;
  expect(values).toHaveLength(columns.length);
  return Object.fromEntries(columns.map((column, index) => [column, values[index]!]));
}

const TRACE = 'a'.repeat(32);
const RUN = 'a000000000000001';
const STEP = 'a000000000000002';
const context = { pricing: testPricing, normalizeModel: (model: string) => `normalized:${model}`, now: () => T0 + 50 };

describe('spanToRow', () => {
  it('puts every value of a run row in its column', () => {
    const span = makeSpan({
      spanId: RUN,
      traceId: TRACE,
      parentSpanId: 'b000000000000001',
      name: 'invoke_agent triage',
      startMs: T0,
      endMs: T0 + 40,
      attributes: {
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN,
        [RuntraceAttributes.STATUS]: 'error',
        [RuntraceAttributes.STATUS_MESSAGE]: 'it broke',
        [RuntraceAttributes.RUN_KIND]: 'chat_turn',
        [RuntraceAttributes.RUN_PARENT_RUN_ID]: 'c000000000000001',
        [RuntraceAttributes.RUN_LABEL]: 'triage',
        [RuntraceAttributes.RUN_ROOT_CONVERSATION_ID]: 'root-1',
        [RuntraceAttributes.RUN_PARENT_CONVERSATION_ID]: 'parent-1',
        [RuntraceAttributes.RUN_TRIGGER_MESSAGE_ID]: 4,
        [RuntraceAttributes.RUN_HISTORY_TIP_MESSAGE_ID]: 5,
        [RuntraceAttributes.RUN_ASSISTANT_MESSAGE_ID]: 6,
        [GenAiAttributes.CONVERSATION_ID]: 'conv-1',
        [HttpAttributes.ERROR_TYPE]: 'timeout',
        [RuntraceAttributes.SUMMARY_MODELS]: ['GPT-TEST'],
        [RuntraceAttributes.SUMMARY_PROVIDERS]: ['openai'],
        [RuntraceAttributes.SUMMARY_STEP_COUNT]: 2,
        [RuntraceAttributes.SUMMARY_INPUT_TOKENS]: 1000,
        [RuntraceAttributes.SUMMARY_OUTPUT_TOKENS]: 500,
        [RuntraceAttributes.SUMMARY_REASONING_TOKENS]: 7,
        [RuntraceAttributes.SUMMARY_CACHE_READ_TOKENS]: 8,
        [RuntraceAttributes.SUMMARY_CACHE_CREATION_TOKENS]: 9,
        [RuntraceAttributes.SUMMARY_TOOL_CALL_COUNT]: 3,
        [RuntraceAttributes.SUMMARY_ENDPOINT]: 'POST /v1/chat/completions',
        [RuntraceAttributes.SUMMARY_FIRST_MESSAGE]: 'hello',
        [RuntraceAttributes.STALE]: true,
      },
    });
    const found = spanToRow(span, false, context)!;
    expect(found.table).toBe('runs');
    const row = byColumn('runs', found.values);
    expect(row).toMatchObject({
      run_id: RUN,
      trace_id: TRACE,
      parent_span_id: 'b000000000000001',
      parent_run_id: 'c000000000000001',
      name: 'invoke_agent triage',
      kind: 'chat_turn',
      status: 'error',
      status_message: 'it broke',
      error_type: 'timeout',
      conversation_id: 'conv-1',
      root_conversation_id: 'root-1',
      parent_conversation_id: 'parent-1',
      trigger_message_id: 4,
      history_tip_message_id: 5,
      assistant_message_id: 6,
      provider: 'openai',
      model: 'GPT-TEST',
      normalized_model: 'normalized:GPT-TEST',
      label: 'triage',
      start_ms: T0,
      end_ms: T0 + 40,
      duration_ms: 40,
      last_activity_ms: T0 + 40,
      has_summary: 1,
      step_count: 2,
      input_tokens: 1000,
      output_tokens: 500,
      reasoning_tokens: 7,
      cache_read_tokens: 8,
      cache_creation_tokens: 9,
      total_tokens: 1500,
      tool_call_count: 3,
      has_error: 1,
      endpoint: 'POST /v1/chat/completions',
      first_message: 'hello',
      // $1/M input, $2/M output for gpt-test.
      cost_usd: 0.002,
      cost_unknown: 0,
      stale: 1,
      service_name: 'store-test',
      service_version: null,
      deployment_environment: null,
      resource: null,
      otel: JSON.stringify({ scope: { name: 'store-test' } }),
    });
    expect(JSON.parse(row['attributes'] as string)).toEqual(span.attributes);
    expect(row['resource_id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('puts every value of a step row in its column; an in-progress one has no end and no message', () => {
    const attributes = {
      [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP,
      [RuntraceAttributes.STATUS]: 'completed',
      [RuntraceAttributes.STATUS_MESSAGE]: 'fine',
      [RuntraceAttributes.RUN_ID]: RUN,
      [RuntraceAttributes.STEP_NUMBER]: 3,
      [RuntraceAttributes.STEP_OPERATION]: 'generate',
      [RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS]: 12.5,
      [GenAiAttributes.PROVIDER_NAME]: 'openai',
      [GenAiAttributes.REQUEST_MODEL]: 'gpt-test',
      [GenAiAttributes.RESPONSE_MODEL]: 'gpt-test-2026',
      [GenAiAttributes.RESPONSE_ID]: 'chatcmpl-1',
      [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
      [GenAiAttributes.USAGE_INPUT_TOKENS]: 100,
      [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 20,
      [GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS]: 3,
      [GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS]: 4,
      [GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS]: 5,
      [HttpAttributes.ERROR_TYPE]: 'none',
    };
    const span = makeSpan({ spanId: STEP, traceId: TRACE, parentSpanId: RUN, name: 'chat gpt-test', startMs: T0 + 1, endMs: T0 + 21, attributes });
    const row = byColumn('steps', spanToRow(span, false, context)!.values);
    expect(row).toMatchObject({
      step_id: STEP,
      run_id: RUN,
      trace_id: TRACE,
      parent_span_id: RUN,
      number: 3,
      operation: 'generate',
      status: 'completed',
      status_message: 'fine',
      error_type: 'none',
      provider: 'openai',
      request_model: 'gpt-test',
      response_model: 'gpt-test-2026',
      response_id: 'chatcmpl-1',
      finish_reasons: '["stop"]',
      input_tokens: 100,
      output_tokens: 20,
      reasoning_tokens: 3,
      cache_read_tokens: 4,
      cache_creation_tokens: 5,
      total_tokens: 120,
      time_to_first_chunk_ms: 12.5,
      start_ms: T0 + 1,
      end_ms: T0 + 21,
      duration_ms: 20,
      last_activity_ms: T0 + 21,
      // gpt-test-2026 is not priced by the test table.
      cost_usd: null,
      cost_unknown: 1,
      otel: JSON.stringify({ scope: { name: 'store-test' } }),
    });
    expect(JSON.parse(row['attributes'] as string)).toEqual(attributes);

    const live = makeSpan({ spanId: STEP, traceId: TRACE, parentSpanId: RUN, startMs: T0 + 1, attributes: { ...attributes, [RuntraceAttributes.STATUS]: 'in_progress' } });
    expect(byColumn('steps', spanToRow(live, true, context)!.values)).toMatchObject({ status: 'in_progress', status_message: null, end_ms: null, duration_ms: null, last_activity_ms: T0 + 50 });
  });

  it('puts every value of an attempt row in its column', () => {
    const attributes = {
      [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT,
      [RuntraceAttributes.STATUS]: 'error',
      [RuntraceAttributes.RUN_ID]: RUN,
      [RuntraceAttributes.STEP_ID]: STEP,
      [RuntraceAttributes.ATTEMPT_NUMBER]: 2,
      [RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION]: 'retryable',
      [RuntraceAttributes.ATTEMPT_RETRY_DELAY_MS]: 250,
      [RuntraceAttributes.ATTEMPT_ERROR]: 'HTTP 429',
      [HttpAttributes.REQUEST_METHOD]: 'POST',
      [HttpAttributes.URL_FULL]: 'https://api.example.com/v1/chat/completions?x=1',
      [HttpAttributes.RESPONSE_STATUS_CODE]: 429,
      [HttpAttributes.REQUEST_RESEND_COUNT]: 1,
      [HttpAttributes.ERROR_TYPE]: '429',
    };
    const span = makeSpan({ spanId: 'a000000000000003', traceId: TRACE, parentSpanId: STEP, startMs: T0 + 2, endMs: T0 + 5, attributes });
    const row = byColumn('attempts', spanToRow(span, false, context)!.values);
    expect(row).toMatchObject({
      attempt_id: 'a000000000000003',
      run_id: RUN,
      step_id: STEP,
      trace_id: TRACE,
      parent_span_id: STEP,
      number: 2,
      status: 'error',
      method: 'POST',
      url: 'https://api.example.com/v1/chat/completions?x=1',
      url_path: '/v1/chat/completions',
      status_code: 429,
      resend_count: 1,
      retry_classification: 'retryable',
      retry_delay_ms: 250,
      error_type: '429',
      error: 'HTTP 429',
      start_ms: T0 + 2,
      end_ms: T0 + 5,
      duration_ms: 3,
      last_activity_ms: T0 + 5,
    });
    expect(JSON.parse(row['attributes'] as string)).toEqual(attributes);
  });

  it('puts every value of a tool call row in its column', () => {
    const attributes = {
      [RuntraceAttributes.SPAN_KIND]: SpanKinds.TOOL,
      [RuntraceAttributes.STATUS]: 'completed',
      [RuntraceAttributes.RUN_ID]: RUN,
      [RuntraceAttributes.STEP_ID]: STEP,
      [GenAiAttributes.TOOL_NAME]: 'search',
      [GenAiAttributes.TOOL_CALL_ID]: 'call_1',
    };
    const span = makeSpan({ spanId: 'a000000000000004', traceId: TRACE, parentSpanId: RUN, startMs: T0 + 6, endMs: T0 + 9, attributes });
    const row = byColumn('tool_calls', spanToRow(span, false, context)!.values);
    expect(row).toMatchObject({
      span_id: 'a000000000000004',
      run_id: RUN,
      step_id: STEP,
      trace_id: TRACE,
      parent_span_id: RUN,
      name: 'search',
      call_id: 'call_1',
      status: 'completed',
      status_message: null,
      error_type: null,
      start_ms: T0 + 6,
      end_ms: T0 + 9,
      duration_ms: 3,
      last_activity_ms: T0 + 9,
    });
    expect(JSON.parse(row['attributes'] as string)).toEqual(attributes);
  });

  it('gives a row of the right length to every span of the fixture, generic spans included', () => {
    const spans = [...fixtureSpans(), makeSpan({ spanId: 'f000000000000001', traceId: 'f'.padStart(32, '0'), startMs: T0, endMs: T0 + 1 })];
    const tables = new Set<string>();
    for (const span of spans) {
      const found = spanToRow(span, false, { ...context, pricing: defaultPricingTable });
      if (found === undefined) continue;
      tables.add(found.table);
      expect(found.values).toHaveLength(COLUMNS[found.table]!.length);
    }
    expect([...tables].sort()).toEqual(['attempts', 'runs', 'spans', 'steps', 'tool_calls']);
  });
});

describe('row objects', () => {
  it("list a generic span's fields in its table's column order (they are written as their values in order)", () => {
    const span = makeSpan({ spanId: 'f000000000000001', traceId: 'f'.padStart(32, '0'), startMs: T0, endMs: T0 + 1 });
    expect(Object.keys(genericRow(span))).toEqual(SPAN_COLUMNS);
  });

  it("list the rows of other instrumentations' spans, and of the run they bring along, in column order too", () => {
    const traceId = 'e'.repeat(32);
    const spans = [
      makeSpan({ spanId: 'e000000000000001', traceId, name: 'invoke_agent m', startMs: T0, endMs: T0 + 9, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } }),
      makeSpan({ spanId: 'e000000000000002', traceId, name: 'chat m', startMs: T0, endMs: T0 + 2, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 3 } }),
      makeSpan({ spanId: 'e000000000000003', traceId, name: 'execute_tool t', startMs: T0 + 3, endMs: T0 + 4, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' } }),
    ];
    const found = spans.map((span) => foreignRowOf(span, context)!);
    expect(found.map((row) => row.table)).toEqual(['runs', 'steps', 'tool_calls']);
    for (const row of found) {
      expect(Object.keys(row.row)).toEqual(COLUMNS[row.table]);
      if (row.table !== 'runs') expect(Object.keys(row.foreignRun!)).toEqual(RUN_COLUMNS);
    }
    // And through spanToRow: the step and the tool call bring their run's values along.
    const rows = spans.map((span) => spanToRow(span, false, context)!);
    expect(rows.map((row) => ('foreignRun' in row ? row.foreignRun : undefined) !== undefined)).toEqual([true, true, true]);
  });
});
