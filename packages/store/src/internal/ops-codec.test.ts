import { describe, expect, it } from 'vitest';
import { OpsPacker, OpsReader, decodeOps, encodeOps, encodedCount, encodedLength } from './ops-codec.js';
import { RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS } from './row-columns.js';
import type { WriteOp } from './row-columns.js';

function values(columns: readonly string[], pick: (column: string, index: number) => string | number | null): (string | number | null)[] {
  return columns.map(pick);
}

/** A generic span's op named `text`. */
function spanOp(id: string, text: string): WriteOp {
  return {
    table: 'spans',
    values: values(SPAN_COLUMNS, (column) => (column === 'span_id' ? id : column === 'trace_id' ? '0af7651916cd43dd8448eb211c80319c' : column === 'name' ? text : null)),
    spanId: id,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    runId: null,
    events: [],
    aggregate: false,
  };
}

describe('encodeOps / decodeOps', () => {
  it('round-trips ops of every shape: nulls, numbers, empty and non-ASCII text, events', () => {
    const ops: WriteOp[] = [
      {
        table: 'runs',
        values: values(RUN_COLUMNS, (column, index) => (column === 'run_id' ? 'a000000000000001' : column === 'trace_id' ? '0af7651916cd43dd8448eb211c80319c' : index % 3 === 0 ? null : index % 3 === 1 ? index + 0.25 : `${column} ✓ ${'é'.repeat(index)}`)),
        spanId: 'a000000000000001',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        runId: 'a000000000000001',
        events: [
          { name: 'runtrace.heartbeat', time_ms: 1_767_225_600_000.5, attributes: '{}' },
          { name: 'runtrace.first_chunk', time_ms: -1, attributes: '{"emoji":"🙂","quote":"\\""}' },
        ],
        aggregate: true,
      },
      {
        table: 'steps',
        values: values(STEP_COLUMNS, (column, index) => (column === 'step_id' ? 'b000000000000001' : column === 'trace_id' ? '0af7651916cd43dd8448eb211c80319c' : column === 'run_id' ? 'a000000000000001' : index % 2 === 0 ? '' : Number.MAX_SAFE_INTEGER)),
        spanId: 'b000000000000001',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        runId: 'a000000000000001',
        events: [],
        aggregate: true,
      },
      {
        table: 'spans',
        values: values(SPAN_COLUMNS, (column) => (column === 'span_id' ? 'c000000000000001' : column === 'trace_id' ? '0af7651916cd43dd8448eb211c80319c' : null)),
        spanId: 'c000000000000001',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        runId: null,
        events: [],
        aggregate: false,
      },
    ];
    const encoded = encodeOps(ops);
    expect(encodedCount(encoded)).toBe(3);
    expect(decodeOps(encoded)).toEqual(ops);
  });

  it("round-trips a foreign run's flags and the run row a step brings along", () => {
    const ops: WriteOp[] = [
      {
        table: 'runs',
        values: values(RUN_COLUMNS, (column) => (column === 'run_id' || column === 'trace_id' ? 'f'.repeat(32) : column === 'name' ? 'invoke_agent' : null)),
        spanId: 'f'.repeat(32),
        traceId: 'f'.repeat(32),
        runId: 'f'.repeat(32),
        events: [],
        aggregate: true,
        foreignRun: true,
      },
      {
        table: 'steps',
        values: values(STEP_COLUMNS, (column) => (column === 'step_id' ? 'b000000000000002' : column === 'run_id' || column === 'trace_id' ? 'f'.repeat(32) : null)),
        spanId: 'b000000000000002',
        traceId: 'f'.repeat(32),
        runId: 'f'.repeat(32),
        events: [{ name: 'ai.stream.firstChunk', time_ms: 5, attributes: '{}' }],
        aggregate: true,
        foreignRun: true,
        runValues: values(RUN_COLUMNS, (column, index) => (column === 'run_id' ? 'f'.repeat(32) : column === 'kind' ? 'gen_ai' : index)),
      },
    ];
    expect(decodeOps(encodeOps(ops))).toEqual(ops);
  });

  it('packs into a larger reused buffer and keeps its scratch space between batches', () => {
    const packer = new OpsPacker();
    packer.add(spanOp('c000000000000001', 'x'.repeat(5_000)));
    const first = packer.finish();
    expect(decodeOps(first)).toEqual([spanOp('c000000000000001', 'x'.repeat(5_000))]);
    // A second, smaller batch written into the first (now too large) buffer: only its own rows come back.
    packer.add(spanOp('c000000000000002', 'lone surrogate \ud800 and ✓'));
    const reused = packer.finish(first);
    expect(reused).toBe(first);
    expect(encodedCount(reused)).toBe(1);
    expect(encodedLength(reused)).toBeLessThan(reused.byteLength);
    expect(decodeOps(reused)).toEqual([spanOp('c000000000000002', 'lone surrogate \ud800 and ✓')]);
  });

  it('refuses a buffer whose sizes do not add up', () => {
    const encoded = encodeOps([]);
    new Uint32Array(encoded, 0, 4)[2] = 1_000;
    expect(() => decodeOps(encoded)).toThrow(/damaged/);
  });

  it('encodes an empty batch', () => {
    expect(decodeOps(encodeOps([]))).toEqual([]);
  });

  it.each([
    { format: 0, name: 'before schema 2', runColumns: RUN_COLUMNS.indexOf('service_name'), stepColumns: STEP_COLUMNS.indexOf('otel') },
    { format: 1, name: 'before schema 3', runColumns: RUN_COLUMNS.indexOf('resource_id'), stepColumns: STEP_COLUMNS.indexOf('resource_id') },
  ])('reads a buffer packed $name (format $format, a spool left by an older version): the columns added since read as null', ({ format, runColumns, stepColumns }) => {
    const values = RUN_COLUMNS.slice(0, runColumns).map((column) => (column === 'run_id' ? 'r1' : column === 'trace_id' ? 't1' : column === 'start_ms' ? 5 : null));
    const stepValues = STEP_COLUMNS.slice(0, stepColumns).map((column) => (column === 'step_id' ? 's1' : column === 'run_id' ? 'r1' : column === 'trace_id' ? 't1' : null));
    const encoded = encodeOps([
      { table: 'runs', values, events: [], aggregate: false },
      { table: 'steps', values: stepValues, events: [{ name: 'e', time_ms: 1, attributes: '{}' }], aggregate: true },
    ]);
    const header = new Uint32Array(encoded, 0, 4);
    header[0] = ((header[0]! & 0x00ff_ffff) | (format << 24)) >>> 0;
    const [op, step] = decodeOps(encoded);
    expect(op!.values).toHaveLength(RUN_COLUMNS.length);
    expect(op!.values.slice(0, runColumns)).toEqual(values);
    expect(op!.values.slice(runColumns)).toEqual(RUN_COLUMNS.slice(runColumns).map(() => null));
    expect(op!.traceId).toBe('t1');
    expect(step!.values).toEqual([...stepValues, ...STEP_COLUMNS.slice(stepColumns).map(() => null)]);
    expect(step!.events).toEqual([{ name: 'e', time_ms: 1, attributes: '{}' }]);
    expect(encodedCount(encoded)).toBe(2);
    // A format this version does not know is refused.
    header[0] = (header[0] | (9 << 24)) >>> 0;
    expect(() => decodeOps(encoded)).toThrow(/unknown format/);
  });

  it('packs each resource once per batch, with the first op naming it, and again in the next batch', () => {
    const resource = ['r'.repeat(32), 'checkout', '1.2.0', 'prod', '{"service.name":"checkout","host.name":"web-1"}'];
    const other = ['s'.repeat(32), 'billing', null, null, '{"service.name":"billing"}'];
    const op = (id: string, with_: readonly (string | null)[]): WriteOp => ({
      table: 'spans',
      values: values(SPAN_COLUMNS, (column) => (column === 'span_id' ? id : column === 'trace_id' ? 't1' : column === 'resource_id' ? with_[0]! : null)),
      spanId: id,
      traceId: 't1',
      runId: null,
      events: [],
      aggregate: false,
      resource: with_,
    });
    const packer = new OpsPacker();
    for (const [id, with_] of [['c1', resource], ['c2', resource], ['c3', other], ['c4', resource]] as const) packer.add(op(id, with_));
    const first = decodeOps(packer.finish());
    expect(first.map((found) => found.resource)).toEqual([resource, undefined, other, undefined]);
    expect(first.map((found) => found.values[SPAN_COLUMNS.indexOf('resource_id')])).toEqual(['r'.repeat(32), 'r'.repeat(32), 's'.repeat(32), 'r'.repeat(32)]);
    packer.add(op('c5', resource));
    expect(decodeOps(packer.finish()).map((found) => found.resource)).toEqual([resource]);
  });
});

describe('OpsReader', () => {
  it('reads ops one at a time, each with its own text, then undefined', () => {
    const ops = [spanOp('c000000000000001', 'first ✓'), spanOp('c000000000000002', ''), spanOp('c000000000000003', `third ${'x'.repeat(3_000)} \ud800`)];
    const reader = new OpsReader(encodeOps(ops));
    expect(reader.count).toBe(3);
    expect([reader.next(), reader.next(), reader.next()]).toEqual(ops);
    expect(reader.next()).toBeUndefined();
  });

  it('throws at the op a damaged buffer cannot hold, after reading those before it', () => {
    const encoded = encodeOps([spanOp('c000000000000001', 'only')]);
    const header = new Uint32Array(encoded, 0, 4);
    header[0] = header[0]! + 1;
    const reader = new OpsReader(encoded);
    expect(reader.next()).toEqual(spanOp('c000000000000001', 'only'));
    expect(() => reader.next()).toThrow(/damaged/);
  });

  it('refuses a buffer too short for its header', () => {
    expect(encodedCount(new ArrayBuffer(3))).toBe(0);
    expect(() => new OpsReader(new ArrayBuffer(3))).toThrow(/too short/);
  });
});
