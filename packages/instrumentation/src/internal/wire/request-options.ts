// Generation options of a request, with only the fields that were set.
import type { RequestOptions } from '../../gen-ai-types.js';
import { asString } from './json-value.js';

type OptionFields = { readonly [K in keyof RequestOptions]?: RequestOptions[K] | undefined };

/**
 * The options that are present, or `undefined` when none is.
 *
 * @example
 * requestOptions({ temperature: 0.2, topP: undefined }); // { temperature: 0.2 }
 */
export function requestOptions(fields: OptionFields): RequestOptions | undefined {
  const options: Record<string, unknown> = {};
  let present = false;
  // for…in, not Object.entries: no array of pairs per request read.
  for (const key in fields) {
    const value = fields[key as keyof OptionFields];
    if (value === undefined) continue;
    options[key] = value;
    present = true;
  }
  return present ? options : undefined;
}

/**
 * Stop sequences from a `stop` value: one string, or an array of strings.
 *
 * @example
 * stopSequences('\n\n'); // ['\n\n']
 */
export function stopSequences(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const sequences = value.map(asString).filter((item): item is string => item !== undefined);
  return sequences.length > 0 ? sequences : undefined;
}
