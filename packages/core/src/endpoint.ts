// The endpoint of an HTTP round trip (`POST /v1/chat/completions`): one rule for the run summary,
// the store's rows and its SQL roll-up.
import { HttpAttributes } from './attributes.js';

/** An attempt's URL path: \`url.path\`, else the path of \`url.full\`; \`undefined\` without either. */
export function endpointPathOf(attributes: Readonly<Record<string, unknown>>): string | undefined {
  const path = attributes[HttpAttributes.URL_PATH];
  if (typeof path === 'string' && path !== '') return path;
  const url = attributes[HttpAttributes.URL_FULL];
  if (typeof url !== 'string' || url === '') return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/**
 * A run's endpoint: the method (upper case) and path of its first attempt by start time that has
 * both, whatever its outcome (a run whose every call failed still called somewhere). The store's
 * roll-up of runs without a summary applies the same rule in SQL.
 *
 * @example
 * endpointLabel('post', '/v1/chat/completions'); // 'POST /v1/chat/completions'
 */
export function endpointLabel(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}
