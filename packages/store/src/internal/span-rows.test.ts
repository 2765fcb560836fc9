import { defaultPricingTable } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { T0, fixtureSpans, makeSpan } from '../__fixtures__/spans.js';
import { spanToRow } from './span-rows.js';
import { ATTEMPT_COLUMNS, RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from './row-columns.js';

const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  runs: RUN_COLUMNS,
  steps: STEP_COLUMNS,
  attempts: ATTEMPT_COLUMNS,
  tool_calls: TOOL_COLUMNS,
  spans: SPAN_COLUMNS,
};

describe('spanToRow', () => {
  it("lists every row's fields in its table's column order (rows are written as their values in order)", () => {
    const context = { pricing: defaultPricingTable, normalizeModel: (model: string) => model, now: () => T0 };
    const spans = [...fixtureSpans(), makeSpan({ spanId: 'f000000000000001', traceId: 'f'.padStart(32, '0'), startMs: T0, endMs: T0 + 1 })];
    const tables = new Set<string>();
    for (const span of spans) {
      const found = spanToRow(span, false, context);
      if (found === undefined) continue;
      tables.add(found.table);
      expect(Object.keys(found.row)).toEqual(COLUMNS[found.table]);
    }
    expect([...tables].sort()).toEqual(['attempts', 'runs', 'spans', 'steps', 'tool_calls']);
  });

  it("lists the rows of other instrumentations' spans, and of the run they bring along, in column order too", () => {
    const context = { pricing: defaultPricingTable, normalizeModel: (model: string) => model, now: () => T0 };
    const traceId = 'e'.repeat(32);
    const spans = [
      makeSpan({ spanId: 'e000000000000001', traceId, name: 'invoke_agent m', startMs: T0, endMs: T0 + 9, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } }),
      makeSpan({ spanId: 'e000000000000002', traceId, name: 'chat m', startMs: T0, endMs: T0 + 2, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 3 } }),
      makeSpan({ spanId: 'e000000000000003', traceId, name: 'execute_tool t', startMs: T0 + 3, endMs: T0 + 4, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' } }),
    ];
    const found = spans.map((span) => spanToRow(span, false, context)!);
    expect(found.map((row) => row.table)).toEqual(['runs', 'steps', 'tool_calls']);
    for (const row of found) {
      expect(Object.keys(row.row)).toEqual(COLUMNS[row.table]);
      if ((row.table === 'steps' || row.table === 'tool_calls') && row.foreignRun !== undefined) expect(Object.keys(row.foreignRun)).toEqual(RUN_COLUMNS);
      else if (row.table !== 'runs') throw new Error(`no run row with the ${row.table} row`);
    }
  });
});
