import { describe, expect, it } from 'vitest';
import {
  NEVER_SECRET_JSON_KEYS,
  SECRET_HEADER_NAMES,
  SECRET_JSON_KEYS,
  SECRET_QUERY_PARAMS,
  normalizeKey,
  secretHeaderRule,
  secretJsonKeyRule,
  secretQueryParamRule,
} from './secret-names.js';

describe('secret header names', () => {
  it.each(SECRET_HEADER_NAMES)('masks %s by its exact name', (name) => {
    expect(secretHeaderRule(name)).toBe(`header:${name}`);
  });

  it.each([
    ['x-goog-api-key', 'header:*api-key*'],
    ['x_api_key', 'header:*api_key*'],
    ['apikey', 'header:*apikey*'],
    ['x-auth-token', 'header:*token*'],
    ['x-amz-security-token', 'header:*token*'],
    ['x-client-secret', 'header:*secret*'],
    ['x-bearer', 'header:*bearer*'],
    ['x-forwarded-authorization', 'header:*authorization*'],
  ])('masks %s by a fragment', (name, rule) => {
    expect(secretHeaderRule(name)).toBe(rule);
  });

  it.each([
    'x-ratelimit-limit-tokens',
    'x-ratelimit-remaining-tokens',
    'x-ratelimit-reset-tokens',
    'anthropic-ratelimit-tokens-remaining',
    'anthropic-ratelimit-input-tokens-limit',
    'anthropic-ratelimit-output-tokens-reset',
    'ratelimit-remaining-tokens',
    'x-tokens-used',
    'x-total-tokens',
    'llm-remaining-tokens',
    'x-litellm-key-remaining-tokens',
    'x-usage-input-tokens',
  ])('keeps the rate-limit or usage header %s visible', (name) => {
    expect(secretHeaderRule(name)).toBeUndefined();
  });

  it.each([
    ['x-auth-tokens', 'header:*token*'],
    ['x-session-tokens', 'header:*token*'],
    ['x-secret-tokens-used', 'header:*token*'],
    ['x-api-key-remaining-tokens', 'header:*api-key*'],
  ])('still masks %s, which only looks like a counter', (name, rule) => {
    expect(secretHeaderRule(name)).toBe(rule);
  });

  it.each(['content-type', 'accept', 'user-agent', 'openai-organization', 'x-request-id', 'retry-after'])(
    'keeps %s',
    (name) => {
      expect(secretHeaderRule(name)).toBeUndefined();
    },
  );
});

describe('secret JSON keys', () => {
  it.each(SECRET_JSON_KEYS)('masks the exact key %s', (key) => {
    expect(secretJsonKeyRule(key)).toMatch(/^json-key:/);
  });

  it.each([
    'apiKey',
    'accessToken',
    'refreshToken',
    'idToken',
    'clientSecret',
    'privateKey',
    'secretKey',
    'sessionToken',
    'API_KEY',
    'Api-Key',
  ])('masks the camelCase or other-case variant %s', (key) => {
    expect(secretJsonKeyRule(key)).toBeDefined();
  });

  it.each([
    ['my_client_secret_value', 'json-key:*secret*'],
    ['dbPassword', 'json-key:*password*'],
    ['proxyAuthorizationHeader', 'json-key:*authorization*'],
    ['awsCredentials', 'json-key:*credential*'],
    ['openai_api_key', 'json-key:*apikey*'],
    ['github_token', 'json-key:*token'],
  ])('masks %s by a "contains" rule', (key, rule) => {
    expect(secretJsonKeyRule(key)).toBe(rule);
  });

  it.each([...NEVER_SECRET_JSON_KEYS, 'maxOutputTokens', 'inputTokens', 'tokens', 'token_count', 'role', 'content', 'key_id', 'model'])(
    'never masks %s',
    (key) => {
      expect(secretJsonKeyRule(key)).toBeUndefined();
    },
  );

  it('normalizes case and separators', () => {
    expect(normalizeKey('X-Api_Key.v')).toBe('xapikeyv');
  });
});

describe('secret query parameters', () => {
  it.each(SECRET_QUERY_PARAMS)('masks %s', (name) => {
    expect(secretQueryParamRule(name)).toMatch(/^url-query:/);
  });

  it.each(['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'apiKey'])('masks %s in any case', (name) => {
    expect(secretQueryParamRule(name)).toBeDefined();
  });

  it.each(['page', 'limit', 'model', 'alt', 'q', 'X-Amz-Date', 'X-Amz-Expires'])('keeps %s', (name) => {
    expect(secretQueryParamRule(name)).toBeUndefined();
  });
});

describe('secretJsonKeyRule, last words', () => {
  it('masks keys ending in a secret word, also before a numeric suffix', () => {
    expect(secretJsonKeyRule('user_auth')).toBe('json-key:*auth');
    expect(secretJsonKeyRule('dbCreds')).toBe('json-key:*creds');
    expect(secretJsonKeyRule('some_api_token_123')).toBe('json-key:*token');
  });

  it('keeps keys where the word is not the last one or is part of a longer word', () => {
    for (const key of ['author', 'auth_mode', 'oauth', 'token_count', 'tokens', 'credit']) expect(secretJsonKeyRule(key), key).toBeUndefined();
  });
});
