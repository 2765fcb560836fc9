// An in-band error as a WireResponseError, from the error shapes providers send.
import { field, stringField } from './json-value.js';
import type { WireResponseError } from './wire-format.js';

/**
 * Reads an error object: OpenAI's `{ message, type, code }`, Anthropic's `{ type, message }`,
 * Google's `{ code, message, status }`. The type is the most specific one present: a string
 * `code` (OpenAI's `rate_limit_exceeded` beside type `requests`), else `type`, else `status`,
 * else a numeric `code`, else `error`.
 *
 * @example
 * wireResponseError({ type: 'overloaded_error', message: 'Overloaded' }); // { type: 'overloaded_error', message: 'Overloaded' }
 * wireResponseError({ code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' }); // { type: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded' }
 */
export function wireResponseError(error: unknown): WireResponseError {
  const code = field(error, 'code');
  const type =
    (typeof code === 'string' && code !== '' ? code : undefined) ??
    nonEmpty(stringField(error, 'type')) ??
    nonEmpty(stringField(error, 'status')) ??
    (typeof code === 'number' && Number.isFinite(code) ? String(code) : undefined) ??
    'error';
  const message = typeof error === 'string' ? error : stringField(error, 'message');
  return message === undefined ? { type } : { type, message };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
