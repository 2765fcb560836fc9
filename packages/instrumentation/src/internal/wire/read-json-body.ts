// A body's bytes as a JSON value, read as a prefix when the body was cut.
import { parseJsonPrefix } from './parse-json-prefix.js';
import type { JsonPrefix } from './parse-json-prefix.js';

const utf8 = new TextDecoder('utf-8');

/**
 * Decodes a body and parses it as JSON; a truncated body (or invalid JSON) yields the leading
 * part that could be read, with `complete: false`. Never throws.
 *
 * @example
 * readJsonBody(new TextEncoder().encode('{"model":"gpt-4o"}'), false); // { value: { model: 'gpt-4o' }, complete: true }
 */
export function readJsonBody(body: Uint8Array, truncated: boolean): JsonPrefix {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { value: undefined, complete: false };
  }
  const parsed = parseJsonPrefix(text);
  return { value: parsed.value, complete: parsed.complete && !truncated };
}
