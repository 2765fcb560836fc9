// The view of an attempt span an OTLP backend gets: its headers as the HTTP conventions'
// `http.request.header.<name>` / `http.response.header.<name>` attributes (string arrays), not
// runtrace's compact JSON of them. The values are the redacted ones the span already holds.
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes } from '@runtrace/core';
import { viewWithAttributes } from './span-copy.js';

const HEADER_BLOBS: readonly (readonly [string, string])[] = [
  [RuntraceAttributes.ATTEMPT_REQUEST_HEADERS, 'http.request.header.'],
  [RuntraceAttributes.ATTEMPT_RESPONSE_HEADERS, 'http.response.header.'],
];

/** Moves one header blob into per-header attributes; a blob that cannot be read stays as it is. */
function expand(attributes: Attributes, key: string, prefix: string): void {
  const blob = attributes[key];
  if (typeof blob !== 'string') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(blob);
  } catch {
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
  delete attributes[key];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    if (values.length > 0) attributes[`${prefix}${name.toLowerCase()}`] = values;
  }
}

/**
 * `span` with its header blobs as standard header attributes, or `span` itself when it has none
 * (the span is never changed).
 *
 * @example
 * withStandardHeaders(attempt).attributes['http.request.header.content-type']; // ['application/json']
 */
export function withStandardHeaders(span: ReadableSpan): ReadableSpan {
  const source = span.attributes;
  if (typeof source[RuntraceAttributes.ATTEMPT_REQUEST_HEADERS] !== 'string' && typeof source[RuntraceAttributes.ATTEMPT_RESPONSE_HEADERS] !== 'string') return span;
  const attributes: Attributes = { ...source };
  for (const [key, prefix] of HEADER_BLOBS) expand(attributes, key, prefix);
  return viewWithAttributes(span, attributes, span.events);
}
