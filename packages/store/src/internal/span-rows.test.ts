import { defaultPricingTable } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { T0, fixtureSpans, makeSpan } from '../__fixtures__/spans.js';
import { spanToRow } from './span-rows.js';
import { ATTEMPT_COLUMNS, RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from './sqlite-writer.js';

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
});
