// @runtrace/core through its public entry point (built output): the README's examples, as a user runs them.
import { Buffer } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  Limits,
  PricingTable,
  REDACTED,
  Redactor,
  defaultPricingTable,
  defaultRedactor,
  loadPricingFile,
  makeLabel,
  normalizeModel,
  truncateBytes,
  truncateText,
} from '@runtrace/core';
import { describe, expect, it } from 'vitest';

describe('@runtrace/core public API', () => {
  it('redacts headers, bodies, URLs and attributes as the README shows', () => {
    expect(defaultRedactor.redactHeaders({ Authorization: 'Bearer abc', 'X-RateLimit-Remaining-Tokens': '9000' }).value).toEqual({
      authorization: REDACTED,
      'x-ratelimit-remaining-tokens': '9000',
    });
    const body = defaultRedactor.redactBody(Buffer.from('{"api_key":"k","max_tokens":1024}'), 'application/json', { maxBytes: Limits.BODY_BYTES });
    expect(body).toEqual({ value: '{"api_key":"[REDACTED]","max_tokens":1024}', maskedCount: 1, rules: ['json-key:api_key'], truncated: false, originalBytes: 33, kind: 'json' });
    expect(defaultRedactor.redactAttribute('url.full', 'https://user:pw@api.example.com/v1?key=abc').value).toBe('https://api.example.com/v1?key=[REDACTED]');
    expect(defaultRedactor.redactJson('{"credentials":{"user":"ada","password":"p"},"max_tokens":1024}').value).toBe('{"credentials":"[REDACTED]","max_tokens":1024}');
    expect(defaultRedactor.redactUrl('https://u:p@api.example.com/v1?api_key=abc&limit=5').value).toBe('https://api.example.com/v1?api_key=[REDACTED]&limit=5');
    const prefix = defaultRedactor.redactBody('{"model":"gpt-4o","api_key":"k","messages":[{"role":"user","content":"hel', 'application/json', {
      truncatedInput: true,
      originalBytes: 180_000,
    });
    expect(prefix.value).toBe('{"model":"gpt-4o","api_key":"[REDACTED]","messages":[{"role":"user","content":…[truncated, 180000 bytes]');
  });

  it('configures a redactor with extra and allowlisted rules', () => {
    const redactor = new Redactor({
      extraHeaderNames: ['x-tenant-secret-id'],
      allowedHeaderNames: ['x-token-budget'],
      extraJsonKeys: ['session_key'],
      allowedJsonKeys: ['token'],
      extraQueryParams: ['ticket'],
      extraPatterns: [
        { name: 'internal-id', pattern: /INT-\d{6}/ },
        { name: 'pin', pattern: /(?<pre>pin )(?<secret>\d{4})/ },
      ],
      allowedValues: ['sk-test-public-demo-key'],
    });
    expect(redactor.redactText('INT-123456 pin 1234').value).toBe(`${REDACTED} pin ${REDACTED}`);
    expect(redactor.redactHeaders({ 'x-token-budget': '5', 'X-Tenant-Secret-Id': 't' }).value).toEqual({ 'x-token-budget': '5', 'x-tenant-secret-id': REDACTED });
    expect(redactor.redactJson('{"token":"Hello","sessionKey":"s"}').value).toBe('{"token":"Hello","sessionKey":"[REDACTED]"}');
  });

  it('bounds text, labels and bytes', () => {
    expect(truncateText('hello world', 6)).toBe('hello…');
    expect(truncateText('😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncateText('ab🇫🇷🇩🇪', 4)).toBe('ab…');
    expect(makeLabel('  Summarize\n\nthis   file ')).toBe('Summarize this file');
    expect(truncateBytes('x'.repeat(100), 40)).toBe(`${'x'.repeat(15)}…[truncated, 100 bytes]`);
    expect(truncateBytes('{"a":1,', 100, { incomplete: true, originalBytes: 70_000 })).toBe('{"a":1,…[truncated, 70000 bytes]');
  });

  it('prices usage, reports unknown models as unknown, and loads overrides from a file', async () => {
    const claude = defaultPricingTable.cost('claude-3-7-sonnet-20250219', { inputTokens: 12_000, cacheReadTokens: 10_000, outputTokens: 800 });
    expect(claude.known && claude.usd).toBeCloseTo(0.021, 10);
    expect(normalizeModel('claude-sonnet-4.5')).toBe('claude-sonnet-4-5');
    expect(defaultPricingTable.cost('claude-sonnet-4-5', { outputTokens: 1_000_000 })).toEqual({ known: true, usd: 15, model: 'claude-sonnet-4-5' });
    expect(defaultPricingTable.cost('my-fine-tune', { inputTokens: 10 })).toEqual({ known: false, model: 'my-fine-tune', reason: 'no price for model "my-fine-tune"' });
    const azure = new PricingTable({ providerPrices: { azure: { 'gpt-4o-mini': { input: 0.165, output: 0.66 } } } });
    expect(azure.cost('gpt-4o-mini', { inputTokens: 1_000_000 }, 'azure')).toEqual({ known: true, usd: 0.165, model: 'gpt-4o-mini' });

    const directory = await mkdtemp(join(tmpdir(), 'runtrace-core-'));
    try {
      const good = join(directory, 'prices.json');
      await writeFile(good, JSON.stringify({ models: { 'my-local-model': { input: 1, output: 2 } } }));
      expect((await loadPricingFile(good)).cost('my-local-model', { inputTokens: 1_000_000 })).toEqual({ known: true, usd: 1, model: 'my-local-model' });
      const bad = join(directory, 'bad.json');
      await writeFile(bad, JSON.stringify({ models: { 'my-model': { input: 1, output: 'two' } } }));
      const error: unknown = await loadPricingFile(bad).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(`${bad}: models.my-model.output: must be a non-negative number of US dollars per million tokens`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
