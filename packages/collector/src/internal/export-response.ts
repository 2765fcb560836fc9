// Encodes the collector's answers: ExportTraceServiceResponse on success, google.rpc.Status on failure.

import type { OtlpEncoding } from '../otlp-decode-result.js';

const encoder = new TextEncoder();
/** The answers to a request with nothing rejected, the common case: encoded once. */
const EMPTY_JSON_RESPONSE = encoder.encode('{}');
const EMPTY_PROTOBUF_RESPONSE = new Uint8Array(0);

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...varintBytes((field << 3) | 2), ...varintBytes(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** The parts, one after the other, in a new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** ExportTraceServiceResponse; `partial_success` only when something was rejected or needs saying. */
export function encodeExportResponse(encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): Uint8Array {
  if (rejectedSpans === 0 && errorMessage === '') return encoding === 'json' ? EMPTY_JSON_RESPONSE : EMPTY_PROTOBUF_RESPONSE;
  if (encoding === 'json') return encoder.encode(JSON.stringify({ partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }));
  const parts: Uint8Array[] = [];
  if (rejectedSpans > 0) parts.push(new Uint8Array([(1 << 3) | 0, ...varintBytes(rejectedSpans)]));
  if (errorMessage !== '') parts.push(lengthDelimited(2, encoder.encode(errorMessage)));
  return lengthDelimited(1, concat(parts));
}

/** google.rpc.Status codes used in error answers. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A google.rpc.Status, as OTLP/HTTP asks for in 4xx and 5xx answers. */
export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Uint8Array {
  if (encoding === 'json') return encoder.encode(JSON.stringify({ code, message }));
  const parts: Uint8Array[] = [new Uint8Array([(1 << 3) | 0, ...varintBytes(code)])];
  if (message !== '') parts.push(lengthDelimited(2, encoder.encode(message)));
  return concat(parts);
}
