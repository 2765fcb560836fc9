// Guarded reads of parsed JSON of unknown shape: a missing field or a wrong type reads as undefined.

/** Whether a value is a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An own property of a JSON object; `alternate` is tried when `key` is absent (Google APIs accept
 * both `maxOutputTokens` and `max_output_tokens`).
 */
export function field(value: unknown, key: string, alternate?: string): unknown {
  if (!isRecord(value)) return undefined;
  if (Object.hasOwn(value, key)) return value[key];
  return alternate !== undefined && Object.hasOwn(value, alternate) ? value[alternate] : undefined;
}

/** A string field. */
export function stringField(value: unknown, key: string, alternate?: string): string | undefined {
  const found = field(value, key, alternate);
  return typeof found === 'string' ? found : undefined;
}

/** A finite number field. */
export function numberField(value: unknown, key: string, alternate?: string): number | undefined {
  const found = field(value, key, alternate);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

/** An array field. */
export function arrayField(value: unknown, key: string, alternate?: string): readonly unknown[] | undefined {
  const found = field(value, key, alternate);
  return Array.isArray(found) ? found : undefined;
}

/** A JSON value as a string, if it is one. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
