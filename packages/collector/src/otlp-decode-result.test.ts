// The decode limits, checked on both decoders with the same payload in each encoding.
import { describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { decodeOtlpJson } from './decode-otlp-json.js';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import type { OtlpDecodeOptions, OtlpDecodeResult, OtlpDecodeSuccess } from './otlp-decode-result.js';
import { concat } from './internal/export-response.js';
import { END_NS, SPAN_ID, START_NS, TRACE_ID, bytes, fixed64, hex, msg, str, vint } from './__fixtures__/protobuf-writer.js';

/** An attribute value: string, integer, array, or key-value list (a Map, to keep keys like `__proto__` plain). */
type Value = string | number | Value[] | Map<string, Value>;

interface TestSpan {
  readonly attributes?: readonly (readonly [string, Value])[];
  readonly droppedAttributesCount?: number;
  readonly events?: readonly { readonly name: string; readonly attributes?: readonly (readonly [string, Value])[] }[];
  readonly links?: readonly { readonly attributes?: readonly (readonly [string, Value])[] }[];
  readonly start?: bigint;
  readonly end?: bigint;
}

function jsonValue(value: Value): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { intValue: String(value) };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(jsonValue) } };
  return { kvlistValue: { values: [...value].map(([key, item]) => ({ key, value: jsonValue(item) })) } };
}

function protobufValue(value: Value): Uint8Array {
  if (typeof value === 'string') return str(1, value);
  if (typeof value === 'number') return vint(3, value);
  if (Array.isArray(value)) return msg(5, ...value.map((item) => msg(1, protobufValue(item))));
  return msg(6, ...[...value].map(([key, item]) => msg(1, str(1, key), msg(2, protobufValue(item)))));
}

function jsonAttributes(attributes: TestSpan['attributes'] = []): unknown[] {
  return attributes.map(([key, value]) => ({ key, value: jsonValue(value) }));
}

function protobufAttributes(field: number, attributes: TestSpan['attributes'] = []): Uint8Array[] {
  return attributes.map(([key, value]) => msg(field, str(1, key), msg(2, protobufValue(value))));
}

const LINK_SPAN_ID = '00f067aa0ba902b7';

/** The same request in both encodings. */
function encode(spans: readonly TestSpan[]): { json: string; protobuf: Uint8Array } {
  const json = JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: spans.map((span) => ({
              traceId: TRACE_ID,
              spanId: SPAN_ID,
              name: 'limited',
              startTimeUnixNano: String(span.start ?? START_NS),
              endTimeUnixNano: String(span.end ?? END_NS),
              attributes: jsonAttributes(span.attributes),
              droppedAttributesCount: span.droppedAttributesCount ?? 0,
              events: (span.events ?? []).map((event) => ({ timeUnixNano: String(START_NS), name: event.name, attributes: jsonAttributes(event.attributes) })),
              links: (span.links ?? []).map((link) => ({ traceId: TRACE_ID, spanId: LINK_SPAN_ID, attributes: jsonAttributes(link.attributes) })),
            })),
          },
        ],
      },
    ],
  });
  const protobuf = msg(
    1,
    msg(
      2,
      ...spans.map((span) =>
        // concat, not spread arguments: a span may have hundreds of thousands of fields.
        bytes(
          2,
          concat([
            bytes(1, hex(TRACE_ID)),
            bytes(2, hex(SPAN_ID)),
            str(5, 'limited'),
            fixed64(7, span.start ?? START_NS),
            fixed64(8, span.end ?? END_NS),
            ...protobufAttributes(9, span.attributes),
            vint(10, span.droppedAttributesCount ?? 0),
            ...(span.events ?? []).map((event) => msg(11, fixed64(1, START_NS), str(2, event.name), ...protobufAttributes(3, event.attributes))),
            ...(span.links ?? []).map((link) => msg(13, bytes(1, hex(TRACE_ID)), bytes(2, hex(LINK_SPAN_ID)), ...protobufAttributes(4, link.attributes))),
          ]),
        ),
      ),
    ),
  );
  return { json, protobuf };
}

/** Decodes with both decoders, checks they agree, and returns the JSON decoder's result. */
function decodeBoth(spans: readonly TestSpan[], options: OtlpDecodeOptions = {}): OtlpDecodeResult {
  const { json, protobuf } = encode(spans);
  const fromJson = decodeOtlpJson(json, options);
  const fromProtobuf = decodeOtlpProtobuf(protobuf, options);
  expect(fromJson.ok).toBe(fromProtobuf.ok);
  if (fromJson.ok && fromProtobuf.ok) {
    const { spans: jsonSpans, ...jsonCounts } = fromJson;
    const { spans: protobufSpans, ...protobufCounts } = fromProtobuf;
    expect(jsonCounts).toEqual(protobufCounts);
    expect(jsonSpans.map(view)).toEqual(protobufSpans.map(view));
  } else if (!fromJson.ok && !fromProtobuf.ok) {
    expect(fromJson.reason).toBe(fromProtobuf.reason);
  }
  return fromJson;
}

function view(span: ReadableSpan): unknown {
  return {
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => [event.name, event.attributes, event.droppedAttributesCount]),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link) => [link.attributes, link.droppedAttributesCount]),
    droppedLinksCount: span.droppedLinksCount,
  };
}

function decodeOk(spans: readonly TestSpan[], options: OtlpDecodeOptions = {}): OtlpDecodeSuccess {
  const result = decodeBoth(spans, options);
  if (!result.ok) throw result.error;
  return result;
}

function numbered(prefix: string, count: number): [string, Value][] {
  return Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i] as [string, Value]);
}

describe('decode limits', () => {
  it("keeps OpenTelemetry's default 128 attributes, events and links, counting the rest as dropped", () => {
    const result = decodeOk([
      {
        attributes: numbered('a', 200),
        droppedAttributesCount: 2,
        events: Array.from({ length: 150 }, (_, i) => ({ name: `e${i}`, attributes: numbered('ea', 130) })),
        links: Array.from({ length: 140 }, () => ({ attributes: numbered('la', 131) })),
      },
    ]);
    const [span] = result.spans;
    expect(Object.keys(span!.attributes)).toHaveLength(128);
    expect(span!.attributes['a127']).toBe(127);
    expect(span!.attributes['a128']).toBeUndefined();
    expect(span!.droppedAttributesCount).toBe(2 + 72);
    expect(span!.events).toHaveLength(128);
    expect(span!.events[127]!.name).toBe('e127');
    expect(span!.droppedEventsCount).toBe(22);
    expect(Object.keys(span!.events[0]!.attributes!)).toHaveLength(128);
    expect(span!.events[0]!.droppedAttributesCount).toBe(2);
    expect(span!.links).toHaveLength(128);
    expect(span!.droppedLinksCount).toBe(12);
    expect(Object.keys(span!.links[0]!.attributes!)).toHaveLength(128);
    expect(span!.links[0]!.droppedAttributesCount).toBe(3);
    expect(result).toMatchObject({ droppedAttributes: 72 + 128 * 2 + 128 * 3, droppedEvents: 22, droppedLinks: 12, truncatedValues: 0 });
  });

  it('takes configured limits, zero included, and still updates a key already kept', () => {
    const result = decodeOk(
      [
        {
          attributes: [['a', 1], ['b', 2], ['c', 3], ['a', 4]],
          events: [{ name: 'kept', attributes: [['x', 1]] }, { name: 'dropped' }],
          links: [{ attributes: [['y', 1]] }],
        },
      ],
      { attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 0, attributePerEventCountLimit: 0 },
    );
    const [span] = result.spans;
    expect(span!.attributes).toEqual({ a: 4, b: 2 });
    expect(span!.droppedAttributesCount).toBe(1);
    expect(span!.events.map((event) => [event.name, event.attributes, event.droppedAttributesCount])).toEqual([['kept', {}, 1]]);
    expect(span!.droppedEventsCount).toBe(1);
    expect(span!.links).toEqual([]);
    expect(span!.droppedLinksCount).toBe(1);
  });

  it('decodes a span with 300,000 attributes quickly, keeping the first 128', () => {
    const { json, protobuf } = encode([{ attributes: numbered('k', 300_000) }]);
    for (const decode of [() => decodeOtlpJson(json), () => decodeOtlpProtobuf(protobuf)]) {
      const started = performance.now();
      const result = decode();
      expect(performance.now() - started).toBeLessThan(2_000); // loose: a shared machine
      if (!result.ok) throw result.error;
      expect(Object.keys(result.spans[0]!.attributes)).toHaveLength(128);
      expect(result.spans[0]!.droppedAttributesCount).toBe(300_000 - 128);
      expect(result.droppedAttributes).toBe(300_000 - 128);
    }
  });

  it('cuts list values at maxValueElements, nested elements counted together', () => {
    const nested = new Map<string, Value>([
      ['x', [1, 2]],
      ['y', 3],
    ]);
    const result = decodeOk(
      [
        {
          attributes: [
            ['flat', Array.from({ length: 10 }, (_, i) => i)],
            ['nested', [[1, 2, 3], [4, 5, 6], 7]],
            ['list', nested],
            ['short', [1, 2]],
          ],
        },
      ],
      { maxValueElements: 4 },
    );
    expect(result.spans[0]!.attributes).toEqual({ flat: [0, 1, 2, 3], nested: [[1, 2, 3]], list: { x: [1, 2], y: 3 }, short: [1, 2] });
    expect(result.truncatedValues).toBe(2);
  });

  it('cuts strings at attributeValueLengthLimit, inside lists too', () => {
    const result = decodeOk([{ attributes: [['s', 'abcdefgh'], ['list', ['abcdefgh', 'ab']], ['ok', 'abcd']] }], { attributeValueLengthLimit: 4 });
    expect(result.spans[0]!.attributes).toEqual({ s: 'abcd', list: ['abcd', 'ab'], ok: 'abcd' });
    expect(result.truncatedValues).toBe(2);
  });

  it('refuses a payload that would decode to more than maxExpansion times its size', () => {
    const spans = Array.from({ length: 2_000 }, () => ({}));
    const refused = decodeBoth(spans, { maxExpansion: 1 });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.reason).toBe('too-large');
    expect(refused.error.message).toMatch(/decodes to more than 1 times its size/);
    expect(decodeBoth(spans).ok).toBe(true);
  });

  it('rejects spans with implausible times, one by one', () => {
    const now = Date.UTC(2026, 5, 1);
    const nanos = (ms: number): bigint => BigInt(ms) * 1_000_000n;
    const result = decodeOk(
      [
        { start: 0n, end: 1n },
        { start: nanos(Date.UTC(1999, 11, 31)), end: nanos(Date.UTC(2000, 0, 2)) },
        { start: nanos(now), end: nanos(now + 86_400_000 + 1) },
        { start: nanos(now), end: nanos(now + 86_400_000) },
        { start: nanos(Date.UTC(2000, 0, 1)), end: nanos(now) },
      ],
      { clock: { now: () => now } },
    );
    expect(result.spans).toHaveLength(2);
    expect(result.rejectedSpans).toBe(3);
    expect(result.errorMessage).toContain('implausible start time (before 2000-01-01T00:00:00.000Z)');
    expect(result.errorMessage).toContain('implausible end time (too far in the future)');
    const wide = decodeOk([{ start: 1n, end: 2n }], { earliestStartMs: 0 });
    expect(wide.spans).toHaveLength(1);
    // A start time of 0 is no start time (OTLP's unset value), rejected like a missing end.
    const unset = decodeOk([{ start: 0n, end: 2n }], { earliestStartMs: 0 });
    expect(unset.spans).toHaveLength(0);
    expect(unset.errorMessage).toBe('1 span rejected: span has no start time');
  });

  it('validates its options', () => {
    expect(() => decodeOtlpJson('{}', { attributeCountLimit: -1 })).toThrow(/attributeCountLimit/);
    expect(() => decodeOtlpProtobuf(new Uint8Array(0), { maxExpansion: 0.5 })).toThrow(/maxExpansion/);
    expect(() => decodeOtlpJson('{}', { maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => decodeOtlpJson('{}', { earliestStartMs: Number.NaN })).toThrow(/earliestStartMs/);
    expect(decodeOtlpJson('{}', { attributeCountLimit: Number.POSITIVE_INFINITY }).ok).toBe(true);
  });
});

