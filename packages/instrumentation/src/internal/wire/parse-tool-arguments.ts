// Tool-call arguments as a value: parsed JSON when the text is valid JSON, else the text itself.

/**
 * Parses tool-call arguments sent as JSON text; text that is not valid JSON (a cut stream, a
 * model's malformed output) is kept as it is. Values that are not strings are returned unchanged.
 *
 * @example
 * parseToolArguments('{"city":"Paris"}'); // { city: 'Paris' }
 * parseToolArguments('{"city":"Par'); // '{"city":"Par'
 */
export function parseToolArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return value === '' ? undefined : value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
