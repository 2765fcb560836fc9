// Decodes an OTLP ExportTraceServiceRequest (protobuf) into ReadableSpans, strictly and without throwing.
import { DecodeContext } from './internal/decode-context.js';
import { resolveDecodeLimits } from './internal/decode-limits.js';
import { decodeProtobufTraces } from './internal/protobuf-trace-decoder.js';
import { decodeAtOnce } from './internal/run-decode.js';
import type { OtlpDecodeOptions, OtlpDecodeResult } from './otlp-decode-result.js';

/** The content type this decoder reads. */
export const OTLP_PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/**
 * Decodes an OTLP/HTTP protobuf trace export request (`ExportTraceServiceRequest`).
 *
 * Malformed input (truncated fields, wrong wire types for known fields, over-long varints,
 * invalid UTF-8, nesting deeper than `maxDepth`) fails the whole payload, as does one that would
 * decode to more than `maxExpansion` times its size; spans that decode but cannot be stored
 * (invalid ids, no end time, implausible times) are rejected one by one and counted. Attributes,
 * events and links past the span limits are left out and counted in the span's `dropped*Count`.
 * Throws only for invalid options.
 *
 * @example
 * const result = decodeOtlpProtobuf(body);
 * if (result.ok) processor.ingest(result.spans);
 * else response.writeHead(400).end(result.error.message);
 */
export function decodeOtlpProtobuf(body: Uint8Array, options: OtlpDecodeOptions = {}): OtlpDecodeResult {
  const context = new DecodeContext(resolveDecodeLimits(options), body.length, undefined, false);
  return decodeAtOnce(OTLP_PROTOBUF_CONTENT_TYPE, decodeProtobufTraces(body, context), context);
}
