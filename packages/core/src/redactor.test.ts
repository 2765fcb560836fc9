import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { BEARER_TOKEN, FORMAT_SECRETS } from './__fixtures__/secrets.js';
import { REDACTED } from './attributes.js';
import { InvalidArgumentError } from './errors.js';
import { Redactor, defaultRedactor } from './redactor.js';
import { NEVER_SECRET_JSON_KEYS, SECRET_HEADER_NAMES, SECRET_JSON_KEYS } from './secret-names.js';

const redactor = defaultRedactor;
const OPENAI_KEY = FORMAT_SECRETS[1]!.secret;
const ANTHROPIC_KEY = FORMAT_SECRETS[3]!.secret;

describe('remembering clean texts', () => {
  it('a short text a full scan left alone is then known clean; one it changed never is', () => {
    const redactor = new Redactor();
    // The trigger fires on "token " and "Bearer ", so the first look is a full scan.
    const clean = 'the token limit of this model is 4096 (per Bearer of the plan)';
    expect(redactor.attributeUnchanged('note', clean)).toBe(false);
    expect(redactor.redactText(clean).value).toBe(clean);
    expect(redactor.attributeUnchanged('note', clean)).toBe(true);
    const secret = `my key is ${['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-')}`;
    expect(redactor.redactText(secret).value).not.toBe(secret);
    expect(redactor.attributeUnchanged('note', secret)).toBe(false);
    expect(redactor.redactText(secret).value).not.toBe(secret);
  });
});

describe('redactHeaders', () => {
  it('masks every listed header name, case-insensitively', () => {
    const input: Record<string, string> = {};
    for (const name of SECRET_HEADER_NAMES) input[name.toUpperCase()] = `value-of-${name}`;
    const { value, maskedCount, rules } = redactor.redactHeaders(input);
    for (const name of SECRET_HEADER_NAMES) expect(value[name]).toBe(REDACTED);
    expect(maskedCount).toBe(SECRET_HEADER_NAMES.length);
    expect(rules).toContain('header:authorization');
    expect(JSON.stringify(value)).not.toContain('value-of-');
  });

  it('masks names containing api-key, token, secret or bearer but keeps rate-limit headers', () => {
    const { value } = redactor.redactHeaders({
      'x-goog-api-key': 'g',
      'X-Auth-Token': 't',
      'x-client-secret': 's',
      'x-bearer-thing': 'b',
      'x-ratelimit-remaining-tokens': '149000',
      'anthropic-ratelimit-input-tokens-remaining': '20000',
      'content-type': 'application/json',
    });
    expect(value).toEqual({
      'x-goog-api-key': REDACTED,
      'x-auth-token': REDACTED,
      'x-client-secret': REDACTED,
      'x-bearer-thing': REDACTED,
      'x-ratelimit-remaining-tokens': '149000',
      'anthropic-ratelimit-input-tokens-remaining': '20000',
      'content-type': 'application/json',
    });
  });

  it('keeps usage counters in header names visible', () => {
    const headers = { 'x-tokens-used': '120', 'llm-remaining-tokens': '5000', 'x-auth-tokens': 'abc' };
    expect(redactor.redactHeaders(headers).value).toEqual({ 'x-tokens-used': '120', 'llm-remaining-tokens': '5000', 'x-auth-tokens': REDACTED });
  });

  it('lower-cases names, joins multiple values, and never mutates the input', () => {
    const input = Object.freeze({
      Accept: ['text/plain', 'application/json'] as readonly string[],
      'Content-Length': 42,
      'X-Missing': undefined,
      Cookie: ['a=1', 'b=2'] as readonly string[],
    });
    const copy = structuredClone(input);
    const { value } = redactor.redactHeaders(input);
    expect(value).toEqual({ accept: 'text/plain, application/json', 'content-length': '42', cookie: REDACTED });
    expect(input).toEqual(copy);
  });

  it('accepts a Headers, with every set-cookie masked', () => {
    const headers = new Headers();
    headers.append('Set-Cookie', 'session=abc');
    headers.append('Set-Cookie', 'other=def');
    headers.append('X-Api-Key', 'k');
    headers.append('Accept', 'a');
    const { value, maskedCount } = redactor.redactHeaders(headers);
    expect(value).toEqual({ 'set-cookie': REDACTED, 'x-api-key': REDACTED, accept: 'a' });
    expect(maskedCount).toBe(2);
  });

  it('accepts an iterable of pairs and merges repeated names', () => {
    const { value } = redactor.redactHeaders(
      new Map([
        ['Authorization', `Bearer ${BEARER_TOKEN}`],
        ['Vary', 'accept'],
      ]),
    );
    expect(value).toEqual({ authorization: REDACTED, vary: 'accept' });
    const pairs: [string, string][] = [
      ['Vary', 'a'],
      ['vary', 'b'],
    ];
    expect(redactor.redactHeaders(pairs).value).toEqual({ vary: 'a, b' });
  });

  it("accepts undici's flat raw array of strings or Buffers", () => {
    const raw = [Buffer.from('Authorization'), Buffer.from(`Bearer ${BEARER_TOKEN}`), Buffer.from('Accept'), Buffer.from('*/*')];
    expect(redactor.redactHeaders(raw).value).toEqual({ authorization: REDACTED, accept: '*/*' });
    expect(redactor.redactHeaders(['x-api-key', 'k', 'Host', 'h']).value).toEqual({ 'x-api-key': REDACTED, host: 'h' });
  });

  it('pattern-scans the values of other headers', () => {
    const { value, rules } = redactor.redactHeaders({
      'x-forwarded-for': '1.2.3.4',
      'x-custom': `key ${OPENAI_KEY}`,
      location: 'https://user:pw@example.com/next?token=abc',
    });
    expect(value).toEqual({ 'x-forwarded-for': '1.2.3.4', 'x-custom': `key ${REDACTED}`, location: `https://example.com/next?token=${REDACTED}` });
    expect(rules).toEqual(expect.arrayContaining(['pattern:openai-key', 'url:userinfo', 'url-query:token']));
  });

  it('answers headers it saw clean last time without scanning them, and still masks every secret, every time', () => {
    const remembering = new Redactor();
    const base = { accept: 'application/json', 'user-agent': 'OpenAI/JS 7.60.0', authorization: `Bearer ${BEARER_TOKEN}`, 'x-custom': 'plain' };
    for (let round = 0; round < 3; round++) {
      const { value, maskedCount, rules } = remembering.redactHeaders(base);
      expect(value).toEqual({ accept: 'application/json', 'user-agent': 'OpenAI/JS 7.60.0', authorization: REDACTED, 'x-custom': 'plain' });
      expect(maskedCount).toBe(1);
      expect(rules).toEqual(new Redactor().redactHeaders(base).rules);
    }
    // The same name with a new value is scanned again: a secret pasted into a header seen clean is masked.
    const changed = remembering.redactHeaders({ ...base, 'x-custom': `key ${OPENAI_KEY}` });
    expect(changed.value['x-custom']).toBe(`key ${REDACTED}`);
    expect(changed.maskedCount).toBe(2);
    expect(changed.rules).toEqual(expect.arrayContaining(['pattern:openai-key']));
    // And the secret is never taken for the name's clean value: sent again, it is masked again.
    expect(remembering.redactHeaders({ 'x-custom': `key ${OPENAI_KEY}` }).value).toEqual({ 'x-custom': `key ${REDACTED}` });
    expect(remembering.redactHeaders({ 'x-custom': 'plain' }).value).toEqual({ 'x-custom': 'plain' });
  });

  it('gives the same result as a redactor that remembers nothing, over many requests with changing headers', () => {
    const remembering = new Redactor();
    const values = ['a', 'application/json', `Bearer ${BEARER_TOKEN}`, `key ${OPENAI_KEY}`, ANTHROPIC_KEY, 'https://user:pw@example.com/?token=abc', '', REDACTED, '1.2.3.4'];
    const names = ['accept', 'authorization', 'x-custom', 'location', 'x-api-key', 'x-request-id', 'cookie'];
    let seed = 7;
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % bound;
    };
    for (let request = 0; request < 400; request++) {
      const headers: Record<string, string> = {};
      for (const name of names) if (next(3) > 0) headers[name] = values[next(values.length)]!;
      // Ever new names too, past the number of names a redactor keeps.
      headers[`x-trace-${request}`] = values[next(values.length)]!;
      expect(remembering.redactHeaders(headers)).toEqual(new Redactor().redactHeaders(headers));
    }
  });

  it('returns an empty record for null or undefined', () => {
    expect(redactor.redactHeaders(undefined)).toEqual({ value: {}, maskedCount: 0, rules: [] });
    expect(redactor.redactHeaders(null).value).toEqual({});
  });

  it('keeps a header named __proto__ as a plain field', () => {
    const { value } = redactor.redactHeaders([['__proto__', 'x']]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('reads a plain record the same way: lower-case names, case variants joined, __proto__ a plain field', () => {
    const input = JSON.parse('{"__proto__":"x","Accept":"a","accept":"b","X-Api-Key":"k"}') as Record<string, string>;
    const { value, maskedCount } = redactor.redactHeaders(input);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'accept', 'x-api-key']);
    expect(value).toMatchObject({ accept: 'a, b', 'x-api-key': '[REDACTED]' });
    expect(maskedCount).toBe(1);
  });

  it('gives the same answer for a repeated header value, secret or not (short clean texts are remembered)', () => {
    for (let round = 0; round < 3; round++) {
      expect(redactor.redactHeaders({ 'user-agent': 'OpenAI/JS 7.57.0', 'x-note': 'key sk-proj-abcdefghijklmnopqrstuvwx' }).value).toEqual({
        'user-agent': 'OpenAI/JS 7.57.0',
        'x-note': 'key [REDACTED]',
      });
    }
  });
});

describe('redactJson', () => {
  it('masks every exact secret key and keeps usage counters', () => {
    const doc: Record<string, unknown> = {};
    for (const [index, key] of SECRET_JSON_KEYS.entries()) doc[key] = `secret-${index}-value`;
    for (const key of NEVER_SECRET_JSON_KEYS) doc[key] = 123;
    const { value, maskedCount } = redactor.redactJson(JSON.stringify(doc));
    const parsed = JSON.parse(value) as Record<string, unknown>;
    for (const key of SECRET_JSON_KEYS) expect(parsed[key]).toBe(REDACTED);
    for (const key of NEVER_SECRET_JSON_KEYS) expect(parsed[key]).toBe(123);
    expect(maskedCount).toBe(SECRET_JSON_KEYS.length);
    expect(value).not.toMatch(/secret-\d+-value/);
  });

  it('never masks usage counters in any provider spelling, nor rate-limit fields', () => {
    const usage = {
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 1 } },
      anthropic: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 },
      usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3, thoughtsTokenCount: 4, cachedContentTokenCount: 5 },
      request: { max_tokens: 1, max_output_tokens: 2, max_completion_tokens: 3, maxTokens: 4, maxOutputTokens: 5, thinking: { budget_tokens: 6 } },
      aiSdk: { inputTokens: 1, outputTokens: 2, totalTokens: 3, reasoningTokens: 4, cachedInputTokens: 5 },
      headers: { 'x-ratelimit-remaining-tokens': '100', 'anthropic-ratelimit-input-tokens-remaining': '5' },
    };
    const text = JSON.stringify(usage);
    expect(redactor.redactJson(text)).toEqual({ value: text, maskedCount: 0, rules: [] });
    expect(redactor.redactValue(usage).value).toBe(usage);
  });

  it('masks camelCase variants', () => {
    const text = JSON.stringify({ apiKey: 'a', accessToken: 'b', clientSecret: 'c', refreshToken: 'd', privateKey: 'e', idToken: 'f' });
    expect(JSON.parse(redactor.redactJson(text).value)).toEqual({
      apiKey: REDACTED,
      accessToken: REDACTED,
      clientSecret: REDACTED,
      refreshToken: REDACTED,
      privateKey: REDACTED,
      idToken: REDACTED,
    });
  });

  it('replaces a credentials object and an array under a secret key whole', () => {
    const text = '{"credentials":{"user":"ada","password":"p","nested":[1,2]},"api_key":["k1","k2"],"keep":{"a":1}}';
    const { value, maskedCount, rules } = redactor.redactJson(text);
    expect(value).toBe('{"credentials":"[REDACTED]","api_key":"[REDACTED]","keep":{"a":1}}');
    expect(maskedCount).toBe(2);
    expect(rules).toEqual(['json-key:credentials', 'json-key:api_key']);
  });

  it('redacts nested arrays of objects', () => {
    const text = JSON.stringify({ accounts: [{ name: 'a', token: 't1' }, { name: 'b', items: [{ secret: 's' }] }] });
    expect(JSON.parse(redactor.redactJson(text).value)).toEqual({
      accounts: [{ name: 'a', token: REDACTED }, { name: 'b', items: [{ secret: REDACTED }] }],
    });
  });

  it('leaves max_tokens and other numbers untouched, byte for byte', () => {
    const text = '{ "max_tokens" : 1.50e+3, "temperature":-0.0,"n":1E5, "input_tokens":12,\n  "token": "x" }';
    const { value } = redactor.redactJson(text);
    expect(value).toBe('{ "max_tokens" : 1.50e+3, "temperature":-0.0,"n":1E5, "input_tokens":12,\n  "token": "[REDACTED]" }');
  });

  it('returns an unchanged document byte-identical (same string)', () => {
    const text = '{\n  "model": "gpt-4o",\n  "messages": [{"role": "user", "content": "caf\\u00e9 \\n ok"}],\n  "max_tokens": 10\n}';
    const result = redactor.redactJson(text);
    expect(result.value).toBe(text);
    expect(result.maskedCount).toBe(0);
    expect(result.rules).toEqual([]);
  });

  it('keeps null, empty and already-masked values and counts nothing for them', () => {
    const text = '{"token":null,"password":"","api_key":"[REDACTED]"}';
    expect(redactor.redactJson(text)).toEqual({ value: text, maskedCount: 0, rules: [] });
  });

  it('masks secret values that are numbers or booleans', () => {
    expect(redactor.redactJson('{"pin":1,"password":1234,"secret":true}').value).toBe('{"pin":1,"password":"[REDACTED]","secret":"[REDACTED]"}');
  });

  it('scans string values with the value patterns', () => {
    const text = JSON.stringify({ messages: [{ role: 'user', content: `my key is ${ANTHROPIC_KEY}, use it` }] });
    const { value, rules } = redactor.redactJson(text);
    expect(value).not.toContain(ANTHROPIC_KEY);
    expect(JSON.parse(value)).toEqual({ messages: [{ role: 'user', content: `my key is ${REDACTED}, use it` }] });
    expect(rules).toEqual(['pattern:anthropic-key']);
  });

  it('redacts JSON embedded in a string (tool call arguments)', () => {
    const args = JSON.stringify({ path: '/tmp/x', api_key: 'embedded-secret' });
    const text = JSON.stringify({ tool_calls: [{ function: { name: 'f', arguments: args } }] });
    const { value } = redactor.redactJson(text);
    expect(value).not.toContain('embedded-secret');
    const parsed = JSON.parse(value) as { tool_calls: { function: { arguments: string } }[] };
    expect(JSON.parse(parsed.tool_calls[0]!.function.arguments)).toEqual({ path: '/tmp/x', api_key: REDACTED });
  });

  it('redacts embedded JSON that starts with whitespace, like redactValue does', () => {
    // `cookie` is a secret key that no value trigger fires on, so only the JSON rules can catch it.
    for (const lead of [' ', '\n', '\t ', '\r\n  ']) {
      const args = `${lead}${JSON.stringify({ cookie: 'session-abc', n: 1 })}`;
      const { value, maskedCount } = redactor.redactJson(JSON.stringify({ arguments: args }));
      expect(value).not.toContain('session-abc');
      expect(maskedCount).toBe(1);
      expect(redactor.redactValue({ arguments: args }).value).toEqual(JSON.parse(value));
    }
  });

  it('sees through unicode escapes in keys and values', () => {
    const hiddenKey = '{"api\\u005fkey":"abc"}';
    expect(redactor.redactJson(hiddenKey).value).toBe('{"api\\u005fkey":"[REDACTED]"}');
    const escapedValue = JSON.stringify({ text: OPENAI_KEY }).replace('sk-', 'sk\\u002d');
    const { value } = redactor.redactJson(escapedValue);
    expect(JSON.parse(value)).toEqual({ text: REDACTED });
  });

  it('finds secrets whose surrounding whitespace or quotes are escapes in the raw JSON', () => {
    const text = JSON.stringify({ a: `Authorization:\tBearer ${BEARER_TOKEN}`, b: `x\nbearer\t${BEARER_TOKEN}`, c: 'cfg {"password":\n"hunter2", broken' });
    const { value } = redactor.redactJson(text);
    expect(value).not.toContain(BEARER_TOKEN);
    expect(value).not.toContain('hunter2');
  });

  it('masks a secret used as an object key', () => {
    const { value } = redactor.redactJson(JSON.stringify({ [OPENAI_KEY]: 1 }));
    expect(value).toBe(`{"${REDACTED}":1}`);
  });

  it.each([
    ['concatenated documents', '{"a":1}{"b":2}'],
    ['two documents on two lines', '{"a":1}\n{"b":2}'],
    ['an HTML error page', '<html><body>502 Bad Gateway token=abc</body></html>'],
    ['a truncated document', '{"token":"abc","more":'],
    ['a trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['a raw control character in a string', '{"a":"x\ty"}'],
    ['a bad escape', '{"a":"\\x"}'],
    ['a leading zero', '{"a":01}'],
    ['a bare word', 'hello'],
  ])('replaces %s with a placeholder', (_name, text) => {
    const { value, maskedCount, rules } = redactor.redactJson(text);
    expect(value).toBe(`[REDACTED: invalid JSON body, ${Buffer.byteLength(text)} bytes]`);
    expect(maskedCount).toBe(1);
    expect(rules).toEqual(['invalid-json']);
  });

  it('accepts a byte order mark in front of a document', () => {
    expect(redactor.redactJson('\uFEFF{"api_key":"k","n":1}').value).toBe('\uFEFF{"api_key":"[REDACTED]","n":1}');
    expect(redactor.redactJson('\uFEFF{oops').rules).toEqual(['invalid-json']);
  });

  it('accepts scalars and whitespace around a document', () => {
    expect(redactor.redactJson(' 42 ').value).toBe(' 42 ');
    expect(redactor.redactJson('"text"').value).toBe('"text"');
    expect(redactor.redactJson('').value).toBe('');
  });

  it('fails closed on absurd nesting instead of overflowing the stack', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(redactor.redactJson(deep).rules).toEqual(['invalid-json']);
    const fine = `${'['.repeat(100)}"${OPENAI_KEY}"${']'.repeat(100)}`;
    expect(redactor.redactJson(fine).value).toBe(`${'['.repeat(100)}"${REDACTED}"${']'.repeat(100)}`);
  });

  it('is idempotent: redacting the output again masks nothing', () => {
    const text = JSON.stringify({ api_key: 'k', messages: [{ content: `Bearer ${BEARER_TOKEN} and ${OPENAI_KEY}` }], url: 'https://a:b@h/?key=x' });
    const once = redactor.redactJson(text);
    expect(once.maskedCount).toBe(5);
    const twice = redactor.redactJson(once.value);
    expect(twice).toEqual({ value: once.value, maskedCount: 0, rules: [] });
  });
});

describe('redactValue', () => {
  it('redacts a parsed value without mutating it', () => {
    const input = { headers: { authorization: 'x' }, list: [{ password: 'p' }, OPENAI_KEY], n: 1 };
    const copy = structuredClone(input);
    const { value, maskedCount } = redactor.redactValue(input);
    expect(value).toEqual({ headers: { authorization: REDACTED }, list: [{ password: REDACTED }, REDACTED], n: 1 });
    expect(maskedCount).toBe(3);
    expect(input).toEqual(copy);
  });

  it('returns the same reference when nothing changes', () => {
    const input = { a: [1, { b: 'c' }] };
    expect(redactor.redactValue(input).value).toBe(input);
  });

  it('survives cycles and uses toJSON like JSON.stringify', () => {
    const cyclic: Record<string, unknown> = { token: 't' };
    cyclic.self = cyclic;
    expect(redactor.redactValue(cyclic).value).toEqual({ token: REDACTED, self: '[Circular]' });
    const date = new Date(0);
    expect(redactor.redactValue({ at: date }).value).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });
});

describe('redactNdjson', () => {
  it('redacts each line and fails closed on a broken one, keeping its neighbours', () => {
    const text = '{"token":"a1"}\r\n{"broken": \n{"content":"x","password":"p"}\n\n';
    const { value, maskedCount, rules } = redactor.redactNdjson(text);
    expect(value).toBe('{"token":"[REDACTED]"}\r\n[REDACTED: invalid JSON line, 11 bytes]\n{"content":"x","password":"[REDACTED]"}\n\n');
    expect(maskedCount).toBe(3);
    expect(rules).toEqual(['json-key:token', 'invalid-json', 'json-key:password']);
  });
});

describe('redactEventStream', () => {
  it('redacts JSON data lines as JSON and other data lines by patterns, keeping the rest', () => {
    const text = [
      ': keep-alive',
      'event: message',
      'id: 7',
      `data: {"delta":{"text":"hi"},"api_key":"sse-secret"}`,
      '',
      'retry: 1000',
      `data: plain text with ${OPENAI_KEY} inside`,
      '',
      'data:[DONE]',
      '',
      '',
    ].join('\n');
    const { value, maskedCount, rules } = redactor.redactEventStream(text);
    expect(value).toBe(
      [
        ': keep-alive',
        'event: message',
        'id: 7',
        `data: {"delta":{"text":"hi"},"api_key":"[REDACTED]"}`,
        '',
        'retry: 1000',
        `data: plain text with ${REDACTED} inside`,
        '',
        'data:[DONE]',
        '',
        '',
      ].join('\n'),
    );
    expect(maskedCount).toBe(2);
    expect(rules).toEqual(['json-key:api_key', 'pattern:openai-key']);
  });

  it('redacts the data of an event spread over several data: lines as one document', () => {
    const text = 'event: x\ndata: {"credentials":\ndata: {"user":"ada","pw":"zzz-secret"},\ndata:  "n": 1}\n\ndata: {"b":2}\n\n';
    const { value, maskedCount, rules } = redactor.redactEventStream(text);
    expect(value).not.toContain('zzz-secret');
    expect(value).toBe('event: x\ndata: {"credentials":\ndata: "[REDACTED]",\ndata:  "n": 1}\n\ndata: {"b":2}\n\n');
    expect(maskedCount).toBe(1);
    expect(rules).toEqual(['json-key:credentials']);
    // A value spanning lines, masked whole, leaves fewer lines.
    const folded = redactor.redactEventStream('data: {"api_key": [\r\ndata: "k1",\r\ndata: "k2"], "a": 1}\r\n\r\n').value;
    expect(folded).toBe('data: {"api_key": "[REDACTED]", "a": 1}\r\n\r\n');
    expect(JSON.parse(folded.slice('data: '.length))).toEqual({ api_key: REDACTED, a: 1 });
  });

  it('redacts one JSON document per data: line, and text spread over lines as one text', () => {
    expect(redactor.redactEventStream('data: {"token":"t1"}\ndata: {"token":"t2"}\n\n').value).toBe(
      'data: {"token":"[REDACTED]"}\ndata: {"token":"[REDACTED]"}\n\n',
    );
    const pem = FORMAT_SECRETS.find(({ rule }) => rule === 'pattern:private-key')!.secret;
    const stream = `data: here is the key:\n${pem.split('\n').map((line) => `data: ${line}`).join('\n')}\ndata: done\n\n`;
    const { value } = redactor.redactEventStream(stream);
    for (const line of pem.split('\n').slice(1, -1)) expect(value).not.toContain(line);
    expect(value).toBe(`data: here is the key:\ndata: ${REDACTED}\ndata: done\n\n`);
  });

  it('pattern-scans a JSON-looking data line that does not parse', () => {
    const { value } = redactor.redactEventStream('data: {"password": "hunter2", broken\r\n\r\n');
    expect(value).toBe('data: {"password": "[REDACTED]", broken\r\n\r\n');
  });

  it('returns a stream without secrets unchanged', () => {
    const text = 'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"Hello"}}\n\n';
    expect(redactor.redactEventStream(text)).toEqual({ value: text, maskedCount: 0, rules: [] });
  });
});

describe('redactUrl', () => {
  it('strips userinfo and masks ?api_key=', () => {
    const { value, maskedCount, rules } = redactor.redactUrl('https://user:pass@api.example.com:8443/v1/models?api_key=abc123&limit=5');
    expect(value).toBe(`https://api.example.com:8443/v1/models?api_key=${REDACTED}&limit=5`);
    expect(maskedCount).toBe(2);
    expect(rules).toEqual(['url:userinfo', 'url-query:api_key']);
  });

  it('masks signed-URL parameters and fragment tokens, in any case and encoding', () => {
    const url =
      'https://bucket.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F2024&X-Amz-Date=20240101T000000Z&X-Amz-Signature=abcdef&api%5Fkey=x#access_token=tok&state=1';
    expect(redactor.redactUrl(url).value).toBe(
      `https://bucket.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${REDACTED}&X-Amz-Date=20240101T000000Z&X-Amz-Signature=${REDACTED}&api%5Fkey=${REDACTED}#access_token=${REDACTED}&state=1`,
    );
  });

  it.each(['key', 'token', 'access_token', 'secret', 'signature', 'sig', 'password', 'client_secret', 'apikey'])('masks ?%s=', (name) => {
    expect(redactor.redactUrl(`https://h/p?a=1&${name}=v&b=2`).value).toBe(`https://h/p?a=1&${name}=${REDACTED}&b=2`);
  });

  it('returns a URL without secrets unchanged, even when unusual', () => {
    for (const url of ['https://example.com', 'https://example.com/a/b?c=d&e#f', 'mailto:a@example.com', '/relative?page=2', 'not a url']) {
      expect(redactor.redactUrl(url)).toEqual({ value: url, maskedCount: 0, rules: [] });
    }
  });

  it('masks a key format in the path', () => {
    expect(redactor.redactUrl(`https://h/v1/${OPENAI_KEY}/x`).value).toBe(`https://h/v1/${REDACTED}/x`);
  });
});

describe('redactText', () => {
  it.each(FORMAT_SECRETS.map(({ rule, secret }) => [rule, secret] as const))('masks %s', (rule, secret) => {
    const { value, maskedCount, rules } = redactor.redactText(`before ${secret} after`);
    expect(value).toBe(`before ${REDACTED} after`);
    expect(maskedCount).toBe(1);
    expect(rules).toEqual([rule]);
  });

  it('masks a bearer token and keeps the scheme word', () => {
    expect(redactor.redactText(`got Bearer ${BEARER_TOKEN} back`).value).toBe(`got Bearer ${REDACTED} back`);
    expect(redactor.redactText(`authorization: bearer ${BEARER_TOKEN}`).value).toBe(`authorization: bearer ${REDACTED}`);
  });

  it('masks a private key block cut short by an earlier truncation', () => {
    const cut = FORMAT_SECRETS.find(({ rule }) => rule === 'pattern:private-key')!.secret.slice(0, 60);
    expect(redactor.redactText(`key: ${cut}`).value).not.toContain(cut.slice(40));
  });

  it('redacts a URL embedded in an error message', () => {
    const message = 'fetch failed: GET https://ada:s3cret@api.example.com/v1/chat?api_key=abc&stream=true (ECONNRESET)';
    const { value, rules } = redactor.redactText(message);
    expect(value).toBe(`fetch failed: GET https://api.example.com/v1/chat?api_key=${REDACTED}&stream=true (ECONNRESET)`);
    expect(rules).toEqual(['url:userinfo', 'url-query:api_key']);
  });

  it('masks secrets in escaped JSON quoted inside an error message', () => {
    expect(redactor.redactText('upstream said: {\\"password\\":\\"hunter2\\",\\"n\\":1}').value).toBe(
      `upstream said: {\\"password\\":\\"${REDACTED}\\",\\"n\\":1}`,
    );
  });

  it('masks assignments of secret-named settings', () => {
    expect(redactor.redactText('DB_PASSWORD=hunter2 OPENAI_API_KEY="abc" user=ada').value).toBe(
      `DB_PASSWORD=${REDACTED} OPENAI_API_KEY="${REDACTED}" user=ada`,
    );
    expect(redactor.redactText('Authorization: Basic dXNlcjpwYXNz').value).toBe(`Authorization: Basic ${REDACTED}`);
  });

  it('leaves ordinary text alone (and returns the same string)', () => {
    for (const text of [
      'The task-management system uses max_tokens: 100 and input_tokens=5.',
      'sk-short is not a key; neither is desk-lamp-with-a-very-long-name-here.',
      'A bearer of bad news. Tokens: 12. https://example.com/docs?page=2',
      'eyJ alone is not a JWT, nor is AKIA.',
    ]) {
      const result = redactor.redactText(text);
      expect(result.value).toBe(text);
      expect(result.maskedCount).toBe(0);
    }
  });

  it('reads an encoded parameter value as text, and goes on to the parameters after it', () => {
    // The value of `note` decodes to text that holds a parameter of its own: the same pass runs
    // inside the one over the outer text, which then goes on from where it was.
    expect(redactor.redactText('note=a%26password%3Dhunter2xyz&token=abc123XYZ789&x=1').value).toBe(
      `note=a%26password%3D%5BREDACTED%5D&token=${REDACTED}&x=1`,
    );
    expect(redactor.redactText(`q=my%20key%20${OPENAI_KEY}&password=swordfish&b=2`).value).toBe(`q=my%20key%20%5BREDACTED%5D&password=${REDACTED}&b=2`);
    const url = 'go to https://h.example/p?next=%2Fhome%3Fapi_key%3Dk3yV4lu3XYZ&sig=abcdef123456 now';
    expect(redactor.redactText(url).value).toBe(`go to https://h.example/p?next=%2Fhome%3Fapi_key%3D%5BREDACTED%5D&sig=${REDACTED} now`);
  });

  it('turns down code the assignment rule finds on every line, and masks the values among it', () => {
    const code = [
      'export function refresh(config: Config, token: string | undefined) {',
      '  if (token === undefined) token = await getAccessToken(config);',
      '  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;',
      '  const secret = crypto.randomBytes(32).toString("hex");',
      '  return { token: self._token, auth: HTTPBasicAuth(user, password) };',
      '}',
    ];
    const text = [...code, ...code].join('\n');
    expect(redactor.redactText(text).value).toBe(text);
    const withValues = `${code.join('\n')}\nDB_PASSWORD=Xk9mP2vLq\n${code.join('\n')}\napi_key: "s3cr3tV4lu3"`;
    expect(redactor.redactText(withValues).value).toBe(`${code.join('\n')}\nDB_PASSWORD=${REDACTED}\n${code.join('\n')}\napi_key: "${REDACTED}"`);
  });

  it('never reports a secret in the rule ids', () => {
    for (const { secret } of FORMAT_SECRETS) {
      const { rules } = redactor.redactText(`x ${secret} api_key=${secret}`);
      expect(rules.join(' ')).not.toContain(secret.slice(0, 12));
    }
  });
});

describe('redactBody', () => {
  it('redacts JSON and +json bodies, with content-type parameters', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'APPLICATION/JSON']) {
      const result = redactor.redactBody('{"token":"t","n":1}', type);
      expect(result).toEqual({
        value: '{"token":"[REDACTED]","n":1}',
        maskedCount: 1,
        rules: ['json-key:token'],
        truncated: false,
        originalBytes: 19,
        kind: 'json',
      });
    }
  });

  it('replaces a 502 HTML error page sent as application/json with a placeholder', () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    const result = redactor.redactBody(Buffer.from(html), 'application/json');
    expect(result.value).toBe(`[REDACTED: invalid JSON body, ${html.length} bytes]`);
    expect(result.kind).toBe('json');
    expect(result.rules).toEqual(['invalid-json']);
  });

  it('handles NDJSON, event streams, forms and text by content type', () => {
    expect(redactor.redactBody('{"a":1}\n{"secret":"s"}\n', 'application/x-ndjson').value).toBe('{"a":1}\n{"secret":"[REDACTED]"}\n');
    expect(redactor.redactBody('{"secret":"s"}', 'application/jsonl').kind).toBe('ndjson');
    expect(redactor.redactBody('data: {"token":"t"}\n\n', 'text/event-stream').value).toBe('data: {"token":"[REDACTED]"}\n\n');
    const form = redactor.redactBody('grant_type=client_credentials&client_id=abc&client_secret=xyz&password=p%40ss', 'application/x-www-form-urlencoded');
    expect(form.value).toBe(`grant_type=client_credentials&client_id=abc&client_secret=${REDACTED}&password=${REDACTED}`);
    expect(form.kind).toBe('form');
    const xml = redactor.redactBody(`<key>${OPENAI_KEY}</key>`, 'application/xml');
    expect(xml.value).toBe(`<key>${REDACTED}</key>`);
    expect(xml.kind).toBe('text');
    expect(redactor.redactBody(`<p>Bearer ${BEARER_TOKEN}</p>`, 'text/html').value).toBe(`<p>Bearer ${REDACTED}</p>`);
  });

  it('describes binary bodies instead of keeping them', () => {
    const bytes = new Uint8Array(1234).fill(7);
    expect(redactor.redactBody(bytes, 'application/octet-stream')).toEqual({
      value: '[binary body: 1234 bytes, application/octet-stream]',
      maskedCount: 0,
      rules: [],
      truncated: false,
      originalBytes: 1234,
      kind: 'binary',
    });
    expect(redactor.redactBody(new Uint8Array([0xff, 0xfe, 0x00, 0x41])).value).toBe('[binary body: 4 bytes, unknown type]');
    expect(redactor.redactBody(Buffer.from('PNG...'), 'image/png').kind).toBe('binary');
  });

  it('sniffs bodies without a content type', () => {
    expect(redactor.redactBody(Buffer.from('{"token":"t"}')).value).toBe('{"token":"[REDACTED]"}');
    expect(redactor.redactBody(Buffer.from('[not json, password=x')).value).toBe(`[not json, password=${REDACTED}`);
    expect(redactor.redactBody('plain').kind).toBe('text');
    expect(redactor.redactBody('').kind).toBe('empty');
  });

  it('cuts a body over the cap after redaction; a secret past the cut never appears', () => {
    const body = JSON.stringify({ padding: 'x'.repeat(200), api_key: 'late-secret-value-123456' });
    const result = redactor.redactBody(body, 'application/json', { maxBytes: 120 });
    expect(result.truncated).toBe(true);
    expect(result.originalBytes).toBe(Buffer.byteLength(body));
    expect(Buffer.byteLength(result.value)).toBeLessThanOrEqual(120);
    expect(result.value).toMatch(new RegExp(`…\\[truncated, ${Buffer.byteLength(body)} bytes\\]$`));
    expect(result.value).not.toContain('late-secret');
    expect(result.maskedCount).toBe(1);
  });

  it('masks a secret before the cut', () => {
    const body = JSON.stringify({ api_key: 'early-secret-value-123456', padding: 'x'.repeat(500) });
    const result = redactor.redactBody(body, 'application/json', { maxBytes: 100 });
    expect(result.value.startsWith('{"api_key":"[REDACTED]","padding":"xxx')).toBe(true);
    expect(result.value).not.toContain('early-secret');
  });

  it('never cuts a secret in half: a key format straddling the cut is masked first', () => {
    const text = `${'a'.repeat(90)} ${OPENAI_KEY} tail`;
    const result = redactor.redactBody(text, 'text/plain', { maxBytes: 110 });
    expect(result.value).not.toContain(OPENAI_KEY.slice(0, 10));
  });

  it('cuts multi-byte text on a character boundary', () => {
    const text = '日本語😀'.repeat(100);
    for (const maxBytes of [60, 61, 62, 63, 64, 65]) {
      const { value, truncated } = redactor.redactBody(text, 'text/plain', { maxBytes });
      expect(truncated).toBe(true);
      expect(Buffer.byteLength(value)).toBeLessThanOrEqual(maxBytes);
      expect(value).not.toContain('\uFFFD');
      expect(Buffer.from(value).toString('utf8')).toBe(value);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(value)).toBe(false);
    }
  });

  it('uses a 50,000-byte cap by default and rejects a bad maxBytes', () => {
    const result = redactor.redactBody('y'.repeat(60_000), 'text/plain');
    expect(Buffer.byteLength(result.value)).toBe(50_000);
    expect(() => redactor.redactBody('x', 'text/plain', { maxBytes: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('redactBody with truncatedInput (the captured start of a larger body)', () => {
  const ORIGINAL = 180_000;
  const MARKER = `…[truncated, ${ORIGINAL} bytes]`;
  const prefixOf = (text: string, type = 'application/json', maxBytes = 50_000) =>
    redactor.redactBody(text, type, { maxBytes, truncatedInput: true, originalBytes: ORIGINAL });

  it('masks a secret under a key before the cut and keeps the rest of the prefix visible', () => {
    const result = prefixOf('{"model":"gpt-4o","api_key":"early-secret-value-1","messages":[{"role":"user","content":"hel');
    expect(result.value).toBe(`{"model":"gpt-4o","api_key":"[REDACTED]","messages":[{"role":"user","content":${MARKER}`);
    expect(result).toMatchObject({ maskedCount: 1, rules: ['json-key:api_key'], truncated: true, originalBytes: ORIGINAL, kind: 'json' });
  });

  it('masks the value of a secret key that the cut falls inside, whatever its shape', () => {
    for (const partial of ['"early-sec', '{"user":"ada","pass":"p', '["first-secret-123", "sec', 'nul', '12', '"']) {
      const result = prefixOf(`{"a":1,"credentials":${partial}`);
      expect(result.value).toBe(`{"a":1,"credentials":"[REDACTED]"${MARKER}`);
      expect(result.maskedCount).toBe(1);
    }
    // Cut before the value began: nothing of it arrived, nothing to mask.
    expect(prefixOf('{"a":1,"password": ').value).toBe(`{"a":1,"password": ${MARKER}`);
    expect(prefixOf('{"a":1,"password"').value).toBe(`{"a":1,"password"${MARKER}`);
  });

  it('drops a plain string the cut falls inside, so a key format cut in half never shows', () => {
    for (const cut of [3, 10, 20, 30, OPENAI_KEY.length - 1]) {
      const text = `{"messages":[{"role":"user","content":"my key is ${OPENAI_KEY.slice(0, cut)}`;
      const result = prefixOf(text);
      expect(result.value).toBe(`{"messages":[{"role":"user","content":${MARKER}`);
      expect(result.value).not.toContain('sk-');
    }
    // A complete string before the cut is pattern-scanned as in a whole document.
    expect(prefixOf(`{"content":"my key is ${OPENAI_KEY}","n":`).value).toBe(`{"content":"my key is ${REDACTED}","n":${MARKER}`);
    // So is a cut-short key.
    expect(prefixOf('{"a":1,"api_ke').value).toBe(`{"a":1,${MARKER}`);
  });

  it('keeps every complete token when the cut falls between tokens, and drops a number or literal it falls inside', () => {
    expect(prefixOf('{"a":[1,2,').value).toBe(`{"a":[1,2,${MARKER}`);
    expect(prefixOf('{"a":[1,2] ').value).toBe(`{"a":[1,2] ${MARKER}`);
    expect(prefixOf('{"a":true').value).toBe(`{"a":true${MARKER}`);
    expect(prefixOf('{"a":[1,23').value).toBe(`{"a":[1,${MARKER}`);
    expect(prefixOf('{"a":[1,2.5e').value).toBe(`{"a":[1,${MARKER}`);
    expect(prefixOf('{"a":[1,-').value).toBe(`{"a":[1,${MARKER}`);
    expect(prefixOf('{"a":fal').value).toBe(`{"a":${MARKER}`);
    expect(prefixOf('{"a":"x\\u00').value).toBe(`{"a":${MARKER}`);
    expect(prefixOf('{"a":"x\\').value).toBe(`{"a":${MARKER}`);
    expect(prefixOf('').value).toBe(MARKER);
  });

  it('fails closed with the placeholder when the document is invalid before the cut', () => {
    for (const text of ['<html><body>502 Bad Gateway', '{"a":1}}', '{"a":tx', '{"a":01', '{"a" 1', '{"a":"\\x"', '{"a":"x\u0001']) {
      const result = prefixOf(text);
      expect(result.value).toBe(`[REDACTED: invalid JSON body, ${ORIGINAL} bytes]`);
      expect(result).toMatchObject({ rules: ['invalid-json'], truncated: false, kind: 'json' });
    }
    // Without a JSON content type, a prefix that does not parse is text (its last word dropped).
    expect(redactor.redactBody('[not json, password=x more', undefined, { truncatedInput: true, originalBytes: ORIGINAL }).value).toBe(
      `[not json, password=${REDACTED} ${MARKER}`,
    );
  });

  it('drops a character cut in half by the byte cap and never splits one in the output', () => {
    const text = '{"a":"日本","b":"😀 ok","c":"é';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut <= bytes.byteLength; cut++) {
      const prefix = bytes.subarray(0, cut);
      for (const type of ['application/json', undefined]) {
        const { value } = redactor.redactBody(prefix, type, { truncatedInput: true, originalBytes: ORIGINAL });
        expect(value.endsWith(MARKER)).toBe(true);
        const kept = value.slice(0, -MARKER.length);
        expect(kept).not.toContain('\uFFFD');
        expect(text.startsWith(kept)).toBe(true);
      }
    }
    // Cut inside the emoji (bytes 19..22): the string holding it is dropped whole.
    expect(redactor.redactBody(bytes.subarray(0, 21), 'application/json', { truncatedInput: true, originalBytes: ORIGINAL }).value).toBe(`{"a":"日本","b":${MARKER}`);
  });

  it('keeps the result within maxBytes, marker included', () => {
    const text = `{"api_key":"k","content":"${'a '.repeat(200)}","more":"${'b'.repeat(50)}`;
    const result = prefixOf(text, 'application/json', 120);
    expect(Buffer.byteLength(result.value)).toBe(120);
    expect(result.value.startsWith(`{"api_key":"${REDACTED}","content":"a a a`)).toBe(true);
    expect(result.value.endsWith(MARKER)).toBe(true);
  });

  it('redacts the complete lines of NDJSON and drops the partial last line', () => {
    const text = `{"token":"t1"}\n{"content":"ok"}\r\n{"token":"partial-secret-value`;
    const result = prefixOf(text, 'application/x-ndjson');
    expect(result.value).toBe(`{"token":"${REDACTED}"}\n{"content":"ok"}\r\n${MARKER}`);
    expect(result.kind).toBe('ndjson');
    expect(prefixOf('{"a":1}\n{oops\n{"b"', 'application/x-ndjson').value).toBe(`{"a":1}\n[REDACTED: invalid JSON line, 5 bytes]\n${MARKER}`);
  });

  it('redacts the complete events of an event stream and drops the partial last event', () => {
    const text = `event: a\ndata: {"token":"t"}\n\ndata: {"b":1}\r\n\r\ndata: {"content":"key ${OPENAI_KEY.slice(0, 12)}`;
    const result = prefixOf(text, 'text/event-stream');
    expect(result.value).toBe(`event: a\ndata: {"token":"${REDACTED}"}\n\ndata: {"b":1}\r\n\r\n${MARKER}`);
    expect(result.kind).toBe('event-stream');
    // A complete data line of an event whose blank line has not arrived is dropped too.
    expect(prefixOf('data: {"x":1}\n', 'text/event-stream').value).toBe(MARKER);
  });

  it('drops the partial last word of text and the partial last parameter of a form', () => {
    expect(prefixOf(`note: use the key ${OPENAI_KEY.slice(0, 15)}`, 'text/plain').value).toBe(`note: use the key ${MARKER}`);
    expect(prefixOf('a=1&password=p&b=sk-pr', 'application/x-www-form-urlencoded').value).toBe(`a=1&password=${REDACTED}${MARKER}`);
  });

  it('describes a binary prefix by the original size and rejects an originalBytes smaller than the body', () => {
    expect(redactor.redactBody(Buffer.from('PNG'), 'image/png', { truncatedInput: true, originalBytes: ORIGINAL }).value).toBe(
      `[binary body: ${ORIGINAL} bytes, image/png]`,
    );
    expect(() => redactor.redactBody('abc', 'text/plain', { originalBytes: 2 })).toThrow(InvalidArgumentError);
    expect(() => redactor.redactBody('abc', 'text/plain', { originalBytes: 1.5 })).toThrow(InvalidArgumentError);
  });
});

describe('redactAttribute', () => {
  it('applies URL rules to URL keys', () => {
    for (const key of ['url.full', 'http.url', 'runtrace.custom.url']) {
      expect(redactor.redactAttribute(key, 'https://u:p@h/x?token=t').value).toBe(`https://h/x?token=${REDACTED}`);
    }
    expect(redactor.redactAttribute('url.query', 'a=1&api_key=k').value).toBe(`a=1&api_key=${REDACTED}`);
  });

  it('masks attributes named after a secret header or key whole', () => {
    expect(redactor.redactAttribute('http.request.header.authorization', 'Basic abc')).toEqual({
      value: REDACTED,
      maskedCount: 1,
      rules: ['header:authorization'],
    });
    expect(redactor.redactAttribute('http.response.header.x-ratelimit-remaining-tokens', '100').value).toBe('100');
    expect(redactor.redactAttribute('app.config.api_key', 'k').value).toBe(REDACTED);
    expect(redactor.redactAttribute('gen_ai.usage.input_tokens', '12').value).toBe('12');
  });

  it('applies header rules to header JSON objects', () => {
    const headers = JSON.stringify({ authorization: `Bearer ${BEARER_TOKEN}`, 'x-ratelimit-remaining-tokens': '5', accept: ['a', 'b'] });
    const { value, maskedCount } = redactor.redactAttribute('runtrace.attempt.request_headers', headers);
    expect(JSON.parse(value)).toEqual({ authorization: REDACTED, 'x-ratelimit-remaining-tokens': '5', accept: ['a', 'b'] });
    expect(maskedCount).toBe(1);
    const clean = '{"accept":"a"}';
    expect(redactor.redactAttribute('runtrace.attempt.response_headers', clean).value).toBe(clean);
  });

  it('applies JSON rules to JSON-looking values and falls back to text when they do not parse', () => {
    const messages = JSON.stringify([{ role: 'user', content: 'hi', api_key: 'k' }]);
    expect(JSON.parse(redactor.redactAttribute('gen_ai.input.messages', messages).value)).toEqual([{ role: 'user', content: 'hi', api_key: REDACTED }]);
    const log = `[ERROR] request failed with Bearer ${BEARER_TOKEN}`;
    expect(redactor.redactAttribute('exception.message', log)).toEqual({
      value: `[ERROR] request failed with Bearer ${REDACTED}`,
      maskedCount: 1,
      rules: ['pattern:bearer'],
    });
  });

  it('returns ordinary strings unchanged with no work', () => {
    const value = 'chat gpt-4o';
    const result = redactor.redactAttribute('gen_ai.operation.name', value);
    expect(result).toEqual({ value, maskedCount: 0, rules: [] });
  });

  it('redacts free text, including URLs inside it', () => {
    expect(redactor.redactAttribute('exception.message', 'GET https://h/?key=abc failed').value).toBe(`GET https://h/?key=${REDACTED} failed`);
  });
});

describe('Redactor options', () => {
  it('adds header names, JSON keys, query parameters and patterns', () => {
    const custom = new Redactor({
      extraHeaderNames: ['X-Tenant'],
      extraJsonKeys: ['session_key'],
      extraQueryParams: ['ticket'],
      extraPatterns: [
        { name: 'internal-id', pattern: /INT-\d{6}/ },
        { name: 'pin', pattern: /(?<pre>pin )(?<secret>\d{4})/g },
      ],
    });
    expect(custom.redactHeaders({ 'x-tenant': 't' }).value).toEqual({ 'x-tenant': REDACTED });
    expect(custom.redactJson('{"sessionKey":"s","session_key":"s"}').value).toBe('{"sessionKey":"[REDACTED]","session_key":"[REDACTED]"}');
    expect(custom.redactUrl('https://h/?ticket=abc').value).toBe(`https://h/?ticket=${REDACTED}`);
    expect(custom.redactText('ticket=abc').value).toBe(`ticket=${REDACTED}`);
    const text = custom.redactText('ids INT-123456 and pin 1234');
    expect(text.value).toBe(`ids ${REDACTED} and pin ${REDACTED}`);
    expect(text.rules).toEqual(['pattern:internal-id', 'pattern:pin']);
    expect(custom.redactJson('{"note":"INT-654321"}').value).toBe('{"note":"[REDACTED]"}');
    // A pattern that may match nothing, in Unicode mode: each empty match moves on past a whole
    // character, as String.prototype.replace does, and the text around it stays whole.
    const optional = new Redactor({ extraPatterns: [{ name: 'opt', pattern: /(?:INT-\d{6})?/u }] });
    expect(optional.redactText('😀 INT-123456 東😀').value).toBe(`😀 ${REDACTED} 東😀`);
    // Built-in rules still apply.
    expect(custom.redactJson('{"token":"t"}').value).toBe('{"token":"[REDACTED]"}');
  });

  it('never masks allowlisted values', () => {
    const allowed = OPENAI_KEY;
    const custom = new Redactor({ allowedValues: [allowed, 'public-demo-key'] });
    expect(custom.redactText(`use ${allowed}`).value).toBe(`use ${allowed}`);
    expect(custom.redactJson('{"api_key":"public-demo-key","token":"x"}').value).toBe('{"api_key":"public-demo-key","token":"[REDACTED]"}');
    expect(custom.redactHeaders({ 'x-api-key': 'public-demo-key' }).value).toEqual({ 'x-api-key': 'public-demo-key' });
    expect(custom.redactUrl('https://h/?key=public-demo-key').value).toBe('https://h/?key=public-demo-key');
  });

  it('keeps allowlisted header names visible', () => {
    const custom = new Redactor({ allowedHeaderNames: ['x-request-token-count'] });
    expect(custom.redactHeaders({ 'x-request-token-count': '5', 'x-other-token': 'x' }).value).toEqual({
      'x-request-token-count': '5',
      'x-other-token': REDACTED,
    });
  });

  it('keeps allowlisted JSON keys visible (logprobs tokens), still pattern-scanning their values', () => {
    const logprobs = JSON.stringify({
      choices: [{ logprobs: { content: [{ token: 'Hello', logprob: -0.1, top_logprobs: [{ token: 'Hi', logprob: -2 }] }] } }],
    });
    // By default, `token` is a secret key name: model output under it is masked (documented over-masking).
    expect(redactor.redactJson(logprobs).value).not.toContain('Hello');
    const custom = new Redactor({ allowedJsonKeys: ['token'], extraJsonKeys: ['session_key'] });
    expect(custom.redactJson(logprobs)).toEqual({ value: logprobs, maskedCount: 0, rules: [] });
    // Value patterns still apply under an allowlisted key; other rules are untouched.
    expect(JSON.parse(custom.redactJson(JSON.stringify({ token: OPENAI_KEY, access_token: 'a', sessionKey: 's' })).value)).toEqual({
      token: REDACTED,
      access_token: REDACTED,
      sessionKey: REDACTED,
    });
    expect(custom.redactUrl('https://h/?token=abc').value).toBe(`https://h/?token=${REDACTED}`);
  });

  it('rejects malformed options with InvalidArgumentError', () => {
    expect(() => new Redactor({ extraJsonKeys: [''] })).toThrow(InvalidArgumentError);
    expect(() => new Redactor({ extraHeaderNames: 'authorization' as unknown as string[] })).toThrow(InvalidArgumentError);
    expect(() => new Redactor({ extraPatterns: [{ name: 'x', pattern: 'abc' as unknown as RegExp }] })).toThrow(/extraPatterns\[0\]/);
  });
});
