import { describe, expect, it } from 'vitest';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpDecodeError } from '@runtrace/core';
import { decodeOtlpJson } from './decode-otlp-json.js';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import { captureExport, makeSpans } from './__fixtures__/real-spans.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function body(spans: unknown[], resourceAttributes: unknown[] = []): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'json-test', version: '1' }, spans }] }],
  });
}

function baseSpan(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'execute_tool search',
    kind: 1,
    startTimeUnixNano: '1763700000123456789',
    endTimeUnixNano: '1763700001987654321',
    ...extra,
  };
}

function decodeOk(text: string): ReadableSpan[] {
  const result = decodeOtlpJson(text);
  if (!result.ok) throw result.error;
  return result.spans;
}

function decodeError(text: string | Uint8Array): string {
  const result = decodeOtlpJson(text);
  if (result.ok) throw new Error('expected a decode failure');
  expect(result.error).toBeInstanceOf(OtlpDecodeError);
  return result.error.message;
}

function view(s: ReadableSpan): unknown {
  return {
    name: s.name,
    kind: s.kind,
    context: { ...s.spanContext(), traceState: s.spanContext().traceState?.serialize() },
    parent: s.parentSpanContext?.spanId,
    startTime: s.startTime,
    endTime: s.endTime,
    status: s.status,
    attributes: s.attributes,
    events: s.events,
    links: s.links.map((link) => ({ ...link, context: { ...link.context, traceState: undefined } })),
    resource: s.resource.attributes,
    scope: s.instrumentationScope,
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
  };
}

describe('decodeOtlpJson', () => {
  it('decodes what the real OTLP/HTTP JSON exporter sends exactly as the protobuf decoder decodes the protobuf exporter', async () => {
    const original = makeSpans();
    const json = await captureExport((url) => new HttpJsonExporter({ url }), original);
    const proto = await captureExport((url) => new ProtobufExporter({ url }), original);
    expect(json.headers['content-type']).toBe('application/json');
    const fromJson = decodeOtlpJson(json.body);
    const fromProto = decodeOtlpProtobuf(proto.body);
    if (!fromJson.ok) throw fromJson.error;
    if (!fromProto.ok) throw fromProto.error;
    expect(fromJson.spans).toHaveLength(original.length);
    expect(fromJson.spans.map(view)).toEqual(fromProto.spans.map(view));
    expect(fromJson.spans.map((s) => s.spanContext().spanId)).toEqual(original.map((s) => s.spanContext().spanId));
  });

  it('accepts int64 as strings or numbers, enums as integers or names, and every AnyValue variant', () => {
    const [s] = decodeOk(
      body([
        baseSpan({
          kind: 'SPAN_KIND_SERVER',
          startTimeUnixNano: 1_763_700_000_000_000_000,
          endTimeUnixNano: '1763700000500000000',
          parentSpanId: '00F067AA0BA902B7',
          traceState: 'a=b',
          flags: 0x301,
          attributes: [
            { key: 's', value: { stringValue: 'text' } },
            { key: 'b', value: { boolValue: false } },
            { key: 'i', value: { intValue: '-12' } },
            { key: 'j', value: { intValue: 12 } },
            { key: 'd', value: { doubleValue: 1.5 } },
            { key: 'nan', value: { doubleValue: 'NaN' } },
            { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, {}, { intValue: 3 }] } } },
            { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
            { key: 'bytes', value: { bytesValue: 'AQL/' } },
            { key: 'empty', value: {} },
            { key: 'missing' },
          ],
          droppedAttributesCount: '2',
          events: [{ timeUnixNano: '1763700000200000000', name: 'e', attributes: [{ key: 'k', value: { stringValue: 'v' } }] }],
          links: [{ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', flags: 0x100 }, { traceId: 'zz', spanId: SPAN_ID }],
          status: { code: 'STATUS_CODE_ERROR', message: 'bad' },
          unknownField: { ignored: true },
        }),
      ]),
    );
    expect(s!.kind).toBe(1);
    expect(s!.startTime).toEqual([1_763_700_000, 0]);
    expect(s!.endTime).toEqual([1_763_700_000, 500_000_000]);
    expect(s!.parentSpanContext).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: true });
    expect(s!.spanContext().traceState?.get('a')).toBe('b');
    expect(s!.attributes).toEqual({
      s: 'text',
      b: false,
      i: -12,
      j: 12,
      d: 1.5,
      nan: Number.NaN,
      a: ['x', null, 3],
      m: { k: true },
      bytes: new Uint8Array([1, 2, 255]),
    });
    expect(s!.droppedAttributesCount).toBe(2);
    expect(s!.events).toEqual([{ time: [1_763_700_000, 200_000_000], name: 'e', attributes: { k: 'v' }, droppedAttributesCount: 0 }]);
    expect(s!.links).toHaveLength(1);
    expect(s!.links[0]!.context).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: false });
    expect(s!.droppedLinksCount).toBe(1);
    expect(s!.status).toEqual({ code: 2, message: 'bad' });
    expect(s!.instrumentationScope).toEqual({ name: 'json-test', version: '1' });
  });

  it('rejects spans with malformed ids or no end time, keeping the others', () => {
    const result = decodeOtlpJson(
      body([
        baseSpan(),
        baseSpan({ traceId: 'not-hex-at-all-not-hex-at-all-xx' }),
        baseSpan({ spanId: '00000000000000000' }),
        baseSpan({ parentSpanId: 'abc' }),
        baseSpan({ endTimeUnixNano: undefined }),
      ]),
    );
    if (!result.ok) throw result.error;
    expect(result.spans).toHaveLength(1);
    expect(result.rejectedSpans).toBe(4);
    expect(result.errorMessage).toContain('invalid parent span id');
  });

  it('keeps int64 values exact: a number where it is safe, else the decimal string; out of range is malformed', () => {
    // The values are written by hand: JSON.stringify cannot write a number beyond 2^53 exactly.
    const marker = JSON.stringify({ key: 'marker', value: { stringValue: 'x' } });
    const withAttributes = (raw: string): string => body([baseSpan({ attributes: [{ key: 'marker', value: { stringValue: 'x' } }] })]).replace(marker, raw);
    const [s] = decodeOk(
      withAttributes(
        '{"key":"s","value":{"intValue":"9007199254740993"}},{"key":"n","value":{"intValue":9223372036854775807}},' +
          '{"key":"m","value":{"intValue":-9223372036854775808}},{"key":"small","value":{"intValue":"-42"}},{"key":"edge","value":{"intValue":9007199254740991}}',
      ),
    );
    expect(s!.attributes).toMatchObject({ s: '9007199254740993', n: '9223372036854775807', m: '-9223372036854775808', small: -42, edge: 9007199254740991 });
    for (const outOfRange of ['"9223372036854775808"', '-9223372036854775809', '"1e3"']) {
      expect(decodeError(withAttributes(`{"key":"x","value":{"intValue":${outOfRange}}}`))).toMatch(/intValue/);
    }
  });

  it('fails on bodies that are not OTLP JSON', () => {
    expect(decodeError('{')).toMatch(/not JSON/);
    expect(decodeError('[]')).toMatch(/must be a JSON object/);
    expect(decodeError(JSON.stringify({ resourceSpans: {} }))).toMatch(/resourceSpans must be an array/);
    expect(decodeError(body([baseSpan({ name: 5 })]))).toMatch(/spans\[0\]\.name must be a string/);
    expect(decodeError(body([baseSpan({ startTimeUnixNano: '12x' })]))).toMatch(/startTimeUnixNano/);
    expect(decodeError(body([baseSpan({ attributes: [{ key: 'k', value: { intValue: 'twelve' } }] })]))).toMatch(/intValue/);
    expect(decodeError(body([baseSpan({ attributes: [{ key: 'k', value: { bytesValue: '%%%' } }] })]))).toMatch(/base64/);
    expect(decodeError(Uint8Array.from([0x7b, 0xff, 0x7d]))).toMatch(/invalid UTF-8/);
  });

  it('limits how deeply attribute values nest', () => {
    let value: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    const text = body([baseSpan({ attributes: [{ key: 'deep', value }] })]);
    expect(decodeError(text)).toMatch(/nest deeper than 32/);
    expect(decodeOtlpJson(text, { maxDepth: 50 }).ok).toBe(true);
  });

  it('treats a request without resourceSpans as empty', () => {
    expect(decodeOtlpJson('{}')).toEqual({
      ok: true,
      spans: [],
      rejectedSpans: 0,
      errorMessage: '',
      droppedAttributes: 0,
      droppedEvents: 0,
      droppedLinks: 0,
      truncatedValues: 0,
    });
  });

  it('accepts exactly the JSON that JSON.parse accepts', () => {
    const values = [
      '1', '-0', '0.5e-3', '1E+2', '-12.25', '"a\\u00e9\\n\\"\\/"', '"\\ud83d\\ude00"', '"é日本"', '[]', '{}', '[1,[2,{"a":null}]]', 'true', 'false', 'null', ' \t\r\n 1 ',
      '01', '1.', '.5', '-', '+1', '1e', '1e+', '"a', '"\\x"', '"\\u12g4"', '"tab\there"', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', '[1 2]',
      'tru', 'nul', 'NaN', '[1]]', '{"a":1}}', "'a'", '', '[', '{"a":[}]}',
    ];
    for (const value of values) {
      const text = `{"x":${value}}`;
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      const result = decodeOtlpJson(text);
      expect([value, result.ok]).toEqual([value, parses]);
      if (!result.ok) expect(result.error.message).toMatch(/not JSON/);
    }
    expect(decodeError('{} x')).toMatch(/not JSON \(unexpected data after the JSON value/);
    expect(decodeError('')).toMatch(/not JSON/);
    expect(decodeOtlpJson('\ufeff{}').ok).toBe(true);
  });

  it('reads any key order and skips large values it does not need, exactly', () => {
    const large = 'x'.repeat(50_000);
    const escaped = `"quoted" \\ ${'é'.repeat(3_000)} \n ${large}`;
    const unknown = { deep: Array.from({ length: 2_000 }, (_, i) => ({ i, s: `s${i}`, nested: [[i]] })) };
    const text = JSON.stringify({
      unknownFirst: unknown,
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                baseSpan({
                  unknownInSpan: unknown,
                  attributes: [
                    { value: { stringValue: escaped }, key: 'value-before-key' },
                    { key: 'big-array', value: { arrayValue: { values: Array.from({ length: 20_000 }, (_, i) => ({ intValue: i })) } } },
                    { key: 'after', value: { stringValue: large } },
                  ],
                }),
              ],
              scope: { name: 'late-scope', attributes: [{ key: 'k', value: { stringValue: large } }] },
            },
          ],
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'late-resource' } }] },
        },
      ],
      unknownLast: unknown,
    });
    expect(text.length).toBeGreaterThan(300_000);
    const result = decodeOtlpJson(text, { maxValueElements: 3 });
    if (!result.ok) throw result.error;
    const [s] = result.spans;
    expect(s!.attributes).toEqual({ 'value-before-key': escaped, 'big-array': [0, 1, 2], after: large });
    expect(result.truncatedValues).toBe(1);
    expect(s!.resource.attributes).toEqual({ 'service.name': 'late-resource' });
    expect(s!.instrumentationScope).toEqual({ name: 'late-scope' });
  });

  it('keeps the last of repeated keys, as JSON.parse does', () => {
    const first = JSON.stringify([{ scopeSpans: [{ spans: [baseSpan({ name: 'first' })] }] }]);
    const last = JSON.stringify([{ scopeSpans: [{ spans: [baseSpan({ name: 'last' })] }] }]);
    const spans = decodeOk(`{"resourceSpans":${first},"resourceSpans":${last}}`);
    expect(spans.map((s) => s.name)).toEqual(['last']);
  });

  it('fails on nesting too deep to be OTLP, in any field', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(decodeError(`{"unknown":${deep}}`)).toMatch(/not JSON \(nesting deeper than \d+ levels/);
  });
});
