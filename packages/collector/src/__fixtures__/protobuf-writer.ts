// Test-only protobuf builders for hand-made (and deliberately broken) OTLP payloads.

import { concat } from '../internal/export-response.js';

const encoder = new TextEncoder();

export function cat(...parts: Uint8Array[]): Uint8Array {
  return concat(parts);
}

export function varint(value: number | bigint): Uint8Array {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return new Uint8Array(out);
}

export function tag(field: number, wireType: number): Uint8Array {
  return varint((field << 3) | wireType);
}

export function vint(field: number, value: number | bigint): Uint8Array {
  return cat(tag(field, 0), varint(value));
}

export function fixed64(field: number, value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return cat(tag(field, 1), bytes);
}

export function fixed32(field: number, value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return cat(tag(field, 5), bytes);
}

export function double(field: number, value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return cat(tag(field, 1), bytes);
}

export function bytes(field: number, payload: Uint8Array): Uint8Array {
  return cat(tag(field, 2), varint(payload.length), payload);
}

export function str(field: number, text: string): Uint8Array {
  return bytes(field, encoder.encode(text));
}

export function msg(field: number, ...parts: Uint8Array[]): Uint8Array {
  return bytes(field, cat(...parts));
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** KeyValue with a string value. */
export function attr(field: number, key: string, value: string): Uint8Array {
  return msg(field, str(1, key), msg(2, str(1, value)));
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';
export const PARENT_ID = '00f067aa0ba902b7';
export const START_NS = 1_763_700_000_123_456_789n;
export const END_NS = 1_763_700_001_987_654_321n;

export interface SpanParts {
  readonly traceId?: string;
  readonly spanId?: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly extra?: readonly Uint8Array[];
  readonly end?: bigint;
}

/** A Span message body (without its tag). */
export function span(parts: SpanParts = {}): Uint8Array {
  return cat(
    bytes(1, hex(parts.traceId ?? TRACE_ID)),
    bytes(2, hex(parts.spanId ?? SPAN_ID)),
    ...(parts.parentId === undefined ? [] : [bytes(4, hex(parts.parentId))]),
    str(5, parts.name ?? 'chat gpt-4o'),
    vint(6, 3),
    fixed64(7, START_NS),
    fixed64(8, parts.end ?? END_NS),
    ...(parts.extra ?? []),
  );
}

/** An ExportTraceServiceRequest with one resource, one scope and the given span bodies. */
export function request(...spans: Uint8Array[]): Uint8Array {
  return msg(
    1,
    msg(1, attr(1, 'service.name', 'checkout')),
    msg(2, msg(1, str(1, 'runtrace-test'), str(2, '1.2.3')), ...spans.map((body) => bytes(2, body))),
  );
}
