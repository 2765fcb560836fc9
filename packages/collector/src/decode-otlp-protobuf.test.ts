import { describe, expect, it } from 'vitest';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpDecodeError } from '@runtrace/core';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import type { OtlpDecodeOptions } from './otlp-decode-result.js';
import {
  END_NS,
  PARENT_ID,
  SPAN_ID,
  START_NS,
  TRACE_ID,
  attr,
  bytes,
  cat,
  double,
  fixed32,
  fixed64,
  hex,
  msg,
  request,
  span,
  str,
  tag,
  varint,
  vint,
} from './__fixtures__/protobuf-writer.js';
import { captureExport, makeSpans } from './__fixtures__/real-spans.js';

function decodeOk(body: Uint8Array, options: OtlpDecodeOptions = {}): ReadableSpan[] {
  const result = decodeOtlpProtobuf(body, options);
  if (!result.ok) throw result.error;
  return result.spans;
}

function decodeError(body: Uint8Array): string {
  const result = decodeOtlpProtobuf(body);
  if (result.ok) throw new Error('expected a decode failure');
  expect(result.error).toBeInstanceOf(OtlpDecodeError);
  return result.error.message;
}

/** The fields two spans must share after a round trip. */
function comparable(s: ReadableSpan): Record<string, unknown> {
  const context = s.spanContext();
  return {
    name: s.name,
    kind: s.kind,
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    parentSpanId: s.parentSpanContext?.spanId,
    startTime: s.startTime,
    endTime: s.endTime,
    duration: s.duration,
    status: s.status,
    attributes: s.attributes,
    events: s.events.map((event) => ({ name: event.name, time: event.time, attributes: event.attributes })),
    links: s.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: link.attributes })),
    resource: s.resource.attributes,
    scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version },
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
  };
}

describe('decodeOtlpProtobuf', () => {
  it('decodes what the real OTLP protobuf exporter sends, field for field', async () => {
    const original = makeSpans();
    const captured = await captureExport((url) => new OTLPTraceExporter({ url }), original);
    expect(captured.headers['content-type']).toBe('application/x-protobuf');
    const decoded = decodeOtlpProtobuf(captured.body);
    if (!decoded.ok) throw decoded.error;
    expect(decoded.rejectedSpans).toBe(0);
    expect(decoded.errorMessage).toBe('');
    expect(decoded.spans.map(comparable)).toEqual(original.map(comparable));
    for (const s of decoded.spans) expect(s.ended).toBe(true);
  });

  it('reads every span field, including the flags, trace state, links and status', () => {
    const body = request(
      span({
        parentId: PARENT_ID,
        extra: [
          str(3, 'vendor=abc'),
          msg(9, str(1, 'n.int'), msg(2, vint(3, 7))),
          msg(9, str(1, 'n.negative'), msg(2, vint(3, -5))),
          msg(9, str(1, 'n.double'), msg(2, double(4, 2.5))),
          msg(9, str(1, 'n.bool'), msg(2, vint(2, 1))),
          msg(9, str(1, 'n.bytes'), msg(2, bytes(7, hex('0102ff')))),
          msg(9, str(1, 'n.array'), msg(2, msg(5, msg(1, str(1, 'a')), msg(1, vint(3, 2)), msg(1)))),
          msg(9, str(1, 'n.map'), msg(2, msg(6, msg(1, str(1, 'inner'), msg(2, str(1, 'v')))))),
          msg(9, str(1, 'n.empty'), msg(2)),
          vint(10, 3),
          msg(11, fixed64(1, START_NS + 5n), str(2, 'runtrace.heartbeat'), attr(3, 'k', 'v'), vint(4, 1)),
          vint(12, 2),
          msg(13, bytes(1, hex(TRACE_ID)), bytes(2, hex(PARENT_ID)), str(3, 'x=1'), attr(4, 'lk', 'lv'), fixed32(6, 0x301)),
          msg(13, bytes(1, hex('00000000000000000000000000000000')), bytes(2, hex(PARENT_ID))),
          vint(14, 1),
          msg(15, str(2, 'boom'), vint(3, 2)),
          fixed32(16, 0x301),
        ],
      }),
    );
    const [decoded] = decodeOk(body);
    expect(decoded).toBeDefined();
    const s = decoded!;
    expect(s.spanContext()).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(s.spanContext().traceState?.get('vendor')).toBe('abc');
    expect(s.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID, isRemote: true });
    expect(s.kind).toBe(2); // OTLP CLIENT (3) is the API's CLIENT (2)
    expect(s.startTime).toEqual([1_763_700_000, 123_456_789]);
    expect(s.endTime).toEqual([1_763_700_001, 987_654_321]);
    expect(s.duration).toEqual([1, 864_197_532]);
    expect(s.attributes).toEqual({
      'n.int': 7,
      'n.negative': -5,
      'n.double': 2.5,
      'n.bool': true,
      'n.bytes': new Uint8Array([1, 2, 255]),
      'n.array': ['a', 2, null],
      'n.map': { inner: 'v' },
    });
    expect(s.droppedAttributesCount).toBe(3);
    expect(s.events).toEqual([{ name: 'runtrace.heartbeat', time: [1_763_700_000, 123_456_794], attributes: { k: 'v' }, droppedAttributesCount: 1 }]);
    expect(s.droppedEventsCount).toBe(2);
    expect(s.links).toHaveLength(1);
    expect(s.links[0]).toMatchObject({ context: { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1, isRemote: true }, attributes: { lk: 'lv' } });
    expect(s.droppedLinksCount).toBe(2); // one declared, one invalid link dropped here
    expect(s.status).toEqual({ code: 2, message: 'boom' });
    expect(s.resource.attributes).toEqual({ 'service.name': 'checkout' });
    expect(s.instrumentationScope).toEqual({ name: 'runtrace-test', version: '1.2.3' });
  });

  it('reads the resource and scope even when they come after the spans', () => {
    const body = msg(
      1,
      msg(2, bytes(2, span()), msg(1, str(1, 'late-scope')), str(3, 'https://opentelemetry.io/schemas/1.30.0')),
      msg(1, attr(1, 'service.name', 'late')),
      str(3, 'https://opentelemetry.io/schemas/1.29.0'),
    );
    const [s] = decodeOk(body);
    expect(s!.resource.attributes).toEqual({ 'service.name': 'late' });
    expect(s!.resource.schemaUrl).toBe('https://opentelemetry.io/schemas/1.29.0');
    expect(s!.instrumentationScope).toEqual({ name: 'late-scope', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = cat(vint(99, 1), fixed64(98, 5n), fixed32(97, 5), str(96, 'x'));
    const body = cat(unknown, msg(1, unknown, msg(1, unknown, attr(1, 'a', 'b')), msg(2, unknown, bytes(2, span({ extra: [unknown] })))));
    expect(decodeOk(body)).toHaveLength(1);
  });

  it('treats an empty body as a request with no spans', () => {
    expect(decodeOtlpProtobuf(new Uint8Array(0))).toEqual({
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

  it('rejects spans that cannot be stored one by one (partial success)', () => {
    const body = request(
      span(),
      span({ traceId: '00000000000000000000000000000000' }),
      span({ spanId: '0102' }),
      span({ end: 0n }),
      span({ end: START_NS - 1n }),
      span({ extra: [bytes(4, hex('0102'))] }),
    );
    const result = decodeOtlpProtobuf(body);
    if (!result.ok) throw result.error;
    expect(result.spans).toHaveLength(1);
    expect(result.rejectedSpans).toBe(5);
    expect(result.errorMessage).toMatch(/^5 spans rejected: invalid trace id/);
    expect(result.errorMessage).toContain('invalid span id');
    expect(result.errorMessage).toContain('no end time');
    expect(result.errorMessage).toContain('ends before it starts');
  });

  it('fails on a known field with the wrong wire type', () => {
    expect(decodeError(request(span({ extra: [vint(5, 1)] })))).toMatch(/name \(field 5\) has wire type 0, expected 2/);
    expect(decodeError(request(span({ extra: [str(7, 'x')] })))).toMatch(/start_time_unix_nano/);
    expect(decodeError(cat(vint(1, 1)))).toMatch(/resource_spans/);
  });

  it('fails on truncated input at every cut point, without throwing', () => {
    const body = request(span({ extra: [attr(9, 'k', 'v'), msg(15, str(2, 'm'), vint(3, 1))] }));
    for (let cut = 1; cut < body.length; cut++) {
      const result = decodeOtlpProtobuf(body.subarray(0, cut));
      expect(result.ok).toBe(false);
    }
  });

  it('fails on invalid UTF-8 in strings, in the ASCII fast path and the long path', () => {
    const invalid = Uint8Array.from([0x61, 0xc3, 0x28]);
    expect(decodeError(request(span({ extra: [bytes(5, invalid)] })))).toMatch(/invalid UTF-8/);
    const long = new Uint8Array(200).fill(0x61);
    long[150] = 0xff;
    expect(decodeError(request(span({ extra: [msg(9, bytes(1, long), msg(2, str(1, 'v')))] })))).toMatch(/invalid UTF-8/);
  });

  it('fails on over-long varints, group wire types and field number 0', () => {
    const elevenBytes = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(decodeError(cat(tag(99, 0), elevenBytes))).toMatch(/longer than 10 bytes/);
    expect(decodeError(cat(tag(99, 0), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])))).toMatch(/overflows/);
    expect(decodeError(cat(tag(99, 3)))).toMatch(/wire type 3/);
    expect(decodeError(Uint8Array.from([0x00, 0x00]))).toMatch(/field number 0/);
  });

  it('fails when a nested length overruns its parent', () => {
    const inner = span();
    const lying = cat(tag(1, 2), varint(3), tag(2, 2), varint(inner.length), inner);
    expect(decodeError(lying)).toMatch(/overruns/);
  });

  it('limits how deeply attribute values nest', () => {
    let anyValue = str(1, 'leaf');
    for (let i = 0; i < 40; i++) anyValue = msg(5, msg(1, anyValue));
    const body = request(span({ extra: [msg(9, str(1, 'deep'), msg(2, anyValue))] }));
    expect(decodeError(body)).toMatch(/nest deeper than 32/);
    expect(decodeOtlpProtobuf(body, { maxDepth: 64 }).ok).toBe(true);
  });

  it('keeps an attribute named __proto__ as data, not as a prototype', () => {
    const [s] = decodeOk(request(span({ extra: [attr(9, '__proto__', 'polluted')] })));
    expect(Object.getPrototypeOf(s!.attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(s!.attributes, '__proto__')?.value).toBe('polluted');
  });

  it('keeps int64 attribute values exact: a number where it is safe, else the decimal string', () => {
    const int = (key: string, value: bigint): Uint8Array => msg(9, str(1, key), msg(2, vint(3, value)));
    const [s] = decodeOk(
      request(span({ extra: [int('max', 2n ** 63n - 1n), int('min', -(2n ** 63n)), int('above', 2n ** 53n + 1n), int('safe', 2n ** 53n - 1n), int('negative', -42n)] })),
    );
    expect(s!.attributes).toMatchObject({ max: '9223372036854775807', min: '-9223372036854775808', above: '9007199254740993', safe: 9007199254740991, negative: -42 });
  });

  it('converts 64-bit nanoseconds exactly', () => {
    const values = [0n, 1n, 999_999_999n, 1_000_000_000n, 2n ** 32n, 2n ** 48n + 7n, END_NS, 2n ** 63n + 12_345n, 2n ** 64n - 1n];
    // Times of any size, so the plausibility window is opened wide.
    const anyTime = { earliestStartMs: 0, maxFutureMs: Number.POSITIVE_INFINITY };
    for (const end of values) {
      const [s] = decodeOk(request(span({ extra: [fixed64(7, 1n), fixed64(8, end <= 1n ? 2n : end)] })), anyTime);
      const expected = end <= 1n ? 2n : end;
      expect(s!.endTime).toEqual([Number(expected / 1_000_000_000n), Number(expected % 1_000_000_000n)]);
    }
  });
});
