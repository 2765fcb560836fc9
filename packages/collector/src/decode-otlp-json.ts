// Decodes an OTLP/JSON ExportTraceServiceRequest into ReadableSpans, strictly and without throwing.
import { DecodeContext } from './internal/decode-context.js';
import { resolveDecodeLimits } from './internal/decode-limits.js';
import { decodeJsonTraces } from './internal/json-trace-decoder.js';
import { decodeAtOnce } from './internal/run-decode.js';
import type { OtlpDecodeOptions, OtlpDecodeResult } from './otlp-decode-result.js';

/** The content type this decoder reads. */
export const OTLP_JSON_CONTENT_TYPE = 'application/json';

/**
 * Decodes an OTLP/HTTP JSON trace export request, following the OTLP JSON rules:
 * lowerCamelCase keys (unknown keys are ignored), trace and span ids as hex, 64-bit integers
 * as decimal strings or numbers, enums as integers (their names are accepted too), bytes as
 * base64.
 *
 * The document is checked and read without being built as JSON objects, so what the limits
 * leave out (attributes, events and links past the span limits, list elements past
 * `maxValueElements`) costs no memory. Throws only for invalid options.
 *
 * @example
 * const result = decodeOtlpJson(body);
 * if (result.ok) console.log(`${result.spans.length} spans, ${result.rejectedSpans} rejected`);
 */
export function decodeOtlpJson(body: Uint8Array | string, options: OtlpDecodeOptions = {}): OtlpDecodeResult {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const context = new DecodeContext(resolveDecodeLimits(options), bytes.length, undefined, false);
  return decodeAtOnce(OTLP_JSON_CONTENT_TYPE, decodeJsonTraces(bytes, context), context);
}
