// Which header names, JSON keys and URL query parameters hold secrets.

/** Header names masked whole, compared lower-cased. */
export const SECRET_HEADER_NAMES: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
];

/** A header whose lower-cased name contains one of these is masked (unless rate-limit). */
export const SECRET_HEADER_FRAGMENTS: readonly string[] = [
  'api-key',
  'api_key',
  'apikey',
  'token',
  'secret',
  'bearer',
  'password',
  'credential',
  'authorization',
  'cookie',
];

const SECRET_HEADER_SET = new Set(SECRET_HEADER_NAMES);

/** Token counters in header names (`x-tokens-used`, `llm-remaining-tokens`): counts, not credentials. */
const TOKEN_COUNTER_HEADER =
  /(?:^|[-_])(?:input|output|prompt|completion|total|remaining|used|max|cached|reasoning|limit)[-_]tokens(?:$|[-_])|(?:^|[-_])tokens[-_](?:remaining|used|limit|reset|count|total|input|output)(?:$|[-_])/;

/**
 * Rate-limit and usage headers carry token budgets and counts (`x-ratelimit-remaining-tokens`,
 * `anthropic-ratelimit-tokens-remaining`, `x-tokens-used`), not credentials; they stay visible.
 */
function isRateLimitHeader(lowerName: string): boolean {
  return (
    lowerName.includes('ratelimit') ||
    lowerName.includes('rate-limit') ||
    lowerName.includes('rate_limit') ||
    (lowerName.includes('tokens') && TOKEN_COUNTER_HEADER.test(lowerName) && !hasSecretFragmentBesidesToken(lowerName))
  );
}

/** Whether a header name holds a secret fragment other than `token` (so `x-secret-tokens-used` stays masked). */
function hasSecretFragmentBesidesToken(lowerName: string): boolean {
  for (const fragment of SECRET_HEADER_FRAGMENTS) {
    if (fragment !== 'token' && lowerName.includes(fragment)) return true;
  }
  return false;
}

/** The rule id that masks a header, or undefined when the header is not secret by name. */
export function secretHeaderRule(lowerName: string): string | undefined {
  if (SECRET_HEADER_SET.has(lowerName)) return `header:${lowerName}`;
  if (isRateLimitHeader(lowerName)) return undefined;
  for (const fragment of SECRET_HEADER_FRAGMENTS) {
    if (lowerName.includes(fragment)) return `header:*${fragment}*`;
  }
  return undefined;
}

/** Lower-cases a key and drops `_`, `-`, `.` and spaces, so `apiKey`, `api_key` and `API-KEY` compare equal. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

/** JSON keys masked whole, as written in the documentation; compared normalized. */
export const SECRET_JSON_KEYS: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'auth_token',
  'bearer_token',
  'api_token',
  'api_key',
  'apikey',
  'x-api-key',
  'api_secret',
  'private_key',
  'client_secret',
  'access_key',
  'secret_access_key',
  'secret_key',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'authorization',
  'proxy-authorization',
  'auth',
  'cookie',
  'set-cookie',
  'credentials',
  'credential',
  'connection_string',
];

/** A JSON key whose normalized form contains one of these is masked. */
export const SECRET_JSON_KEY_FRAGMENTS: readonly string[] = [
  'secret',
  'password',
  'passwd',
  'authorization',
  'credential',
  'apikey',
  'privatekey',
];

/**
 * Usage counters and limits that look token-ish but are never secrets; listed for
 * documentation and as a guard (they are never masked by the built-in rules).
 */
export const NEVER_SECRET_JSON_KEYS: readonly string[] = [
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'max_tokens',
  'max_output_tokens',
  'max_completion_tokens',
  'max_tokens_to_sample',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'reasoning_tokens',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'audio_tokens',
  'accepted_prediction_tokens',
  'rejected_prediction_tokens',
  'prompt_token_count',
  'candidates_token_count',
  'total_token_count',
  'cached_content_token_count',
  'thoughts_token_count',
];

const SECRET_JSON_KEY_SET = firstByNormalized(SECRET_JSON_KEYS);
const NEVER_SECRET_JSON_KEY_SET = new Set(NEVER_SECRET_JSON_KEYS.map(normalizeKey));

/**
 * The rule id that masks a JSON key's value, or undefined. Exact names, "contains" fragments,
 * and any key ending in `token` (`sessionToken`, `github_token`) — never `*_tokens` counters.
 */
export function secretJsonKeyRule(key: string): string | undefined {
  const normalized = normalizeKey(key);
  if (NEVER_SECRET_JSON_KEY_SET.has(normalized)) return undefined;
  const exact = SECRET_JSON_KEY_SET.get(normalized);
  if (exact !== undefined) return `json-key:${exact}`;
  for (const fragment of SECRET_JSON_KEY_FRAGMENTS) {
    if (normalized.includes(fragment)) return `json-key:*${fragment}*`;
  }
  if (normalized.endsWith('token')) return 'json-key:*token';
  return lastWordRule(key);
}

/** Words that name a secret when they end a key (`user_auth`, `awsCreds`), not inside one (`author`, `auth_mode`). */
const SECRET_LAST_WORDS = new Set(['auth', 'creds', 'cred', 'pwd', 'token']);

/**
 * The rule for a key whose last word, before any numeric suffix, is a secret word:
 * `user_auth`, `dbCreds`, `api_token_2`. Words are split at `_`, `-`, `.`, spaces and camelCase.
 */
function lastWordRule(key: string): string | undefined {
  const words = key.split(/[-_.\s]+|(?<=[a-z0-9])(?=[A-Z])/).filter((word) => word !== '');
  while (words.length > 1 && /^\d+$/.test(words[words.length - 1] as string)) words.pop();
  const last = words[words.length - 1]?.toLowerCase();
  return last !== undefined && SECRET_LAST_WORDS.has(last) ? `json-key:*${last}` : undefined;
}

/** Query parameter names masked, compared normalized (so `X-Amz-Signature` matches). */
export const SECRET_QUERY_PARAMS: readonly string[] = [
  'api_key',
  'apikey',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'password',
  'pwd',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'awsaccesskeyid',
];

const SECRET_QUERY_PARAM_SET = firstByNormalized(SECRET_QUERY_PARAMS);

/** The rule id that masks a query parameter's value, or undefined. */
export function secretQueryParamRule(name: string): string | undefined {
  const exact = SECRET_QUERY_PARAM_SET.get(normalizeKey(name));
  if (exact !== undefined) return `url-query:${exact}`;
  const byKey = secretJsonKeyRule(name);
  return byKey === undefined ? undefined : `url-query:${byKey.slice('json-key:'.length)}`;
}

/** Normalized name → the first spelling listed (the one reported in rule ids). */
function firstByNormalized(names: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of names) {
    const normalized = normalizeKey(name);
    if (!map.has(normalized)) map.set(normalized, name);
  }
  return map;
}
