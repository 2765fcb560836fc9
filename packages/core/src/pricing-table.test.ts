import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { DEFAULT_PRICES } from './internal/default-prices.js';
import { PricingTable, defaultPricingTable } from './pricing-table.js';
import type { TokenUsage } from './token-usage.js';

describe('PricingTable', () => {
  it('prices every family the default table promises', () => {
    for (const model of [
      'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o1', 'o3', 'o3-mini', 'o4-mini',
      'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5-pro', 'gpt-5-codex', 'gpt-5.1-2025-11-13', 'gpt-5.1-chat-latest', 'gpt-5.1-codex',
      'claude-3-5-sonnet-20241022', 'claude-3-7-sonnet-20250219', 'claude-3-5-haiku-20241022', 'claude-3-haiku-20240307',
      'claude-opus-4-20250514', 'claude-opus-4-1', 'claude-sonnet-4-20250514', 'claude-sonnet-4-5', 'claude-haiku-4-5',
      'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'gemini-1.5-pro', 'gemini-1.5-flash', 'gemini-2.0-flash', 'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-3-pro-preview',
      'deepseek-chat', 'deepseek-reasoner',
    ]) {
      expect(defaultPricingTable.price(model), model).toBeDefined();
    }
  });

  it('resolves dashed and dotted Claude names to one price', () => {
    const a = defaultPricingTable.cost('claude-3-7-sonnet-20250219', { inputTokens: 1000, outputTokens: 1000 });
    const b = defaultPricingTable.cost('anthropic/claude-3.7-sonnet', { inputTokens: 1000, outputTokens: 1000 });
    expect(a).toEqual({ known: true, usd: 0.018, model: 'claude-3-7-sonnet' });
    expect(b).toEqual(a);
    expect(defaultPricingTable.cost('claude-sonnet-4.5', { outputTokens: 1_000_000 })).toEqual({ known: true, usd: 15, model: 'claude-sonnet-4-5' });
  });

  it('prices cached input separately: input tokens include cache reads and writes', () => {
    // 10,000 input = 6,000 uncached + 3,000 read + 1,000 written; 500 output.
    const result = defaultPricingTable.cost('claude-sonnet-4-5', {
      inputTokens: 10_000,
      cacheReadTokens: 3_000,
      cacheCreationTokens: 1_000,
      outputTokens: 500,
    });
    const expected = (6_000 * 3 + 3_000 * 0.3 + 1_000 * 3.75 + 500 * 15) / 1e6;
    expect(result.known).toBe(true);
    expect(result.known && result.usd).toBeCloseTo(expected, 12);
  });

  it('charges cache tokens at the input price when a model has no cache price', () => {
    const table = new PricingTable({ includeDefaults: false, prices: { m: { input: 2, output: 4 } } });
    const cached = table.cost('m', { inputTokens: 1000, cacheReadTokens: 600, cacheCreationTokens: 400 });
    const plain = table.cost('m', { inputTokens: 1000 });
    expect(cached).toEqual({ known: true, usd: 0.002, model: 'm' });
    expect(plain).toEqual(cached);
  });

  it('never goes below zero uncached input when providers over-report cache tokens', () => {
    const table = new PricingTable({ includeDefaults: false, prices: { m: { input: 1, output: 1, cacheRead: 0.5 } } });
    expect(table.cost('m', { inputTokens: 100, cacheReadTokens: 200 })).toEqual({ known: true, usd: 0.0001, model: 'm' });
  });

  it('reports an unknown model as unknown, never as zero', () => {
    expect(defaultPricingTable.cost('my-fine-tune', { inputTokens: 10, outputTokens: 10 })).toEqual({
      known: false,
      model: 'my-fine-tune',
      reason: 'no price for model "my-fine-tune"',
    });
    expect(defaultPricingTable.cost(undefined, { inputTokens: 1 })).toMatchObject({ known: false, reason: 'no model name' });
    expect(defaultPricingTable.cost('  ', {})).toMatchObject({ known: false });
    // Attribute values of the wrong type are unknown too, never a throw into the caller.
    expect(defaultPricingTable.cost(42 as unknown as string, { inputTokens: 1 })).toMatchObject({ known: false, reason: 'no model name' });
    expect(defaultPricingTable.cost('gpt-4o', null as unknown as TokenUsage)).toEqual({ known: false, model: 'gpt-4o', reason: 'no token usage' });
  });

  it('knows a zero cost for zero usage of a known model', () => {
    expect(defaultPricingTable.cost('gpt-4o', {})).toEqual({ known: true, usd: 0, model: 'gpt-4o' });
  });

  it('lets overrides win over defaults and applies provider-scoped prices', () => {
    const table = new PricingTable({
      prices: { 'openai/gpt-4o-2024-08-06': { input: 1, output: 1 }, 'local-llama': { input: 0, output: 0 } },
      providerPrices: { Azure: { 'gpt-4o-mini': { input: 10, output: 10 } } },
    });
    expect(table.cost('gpt-4o', { inputTokens: 1_000_000 })).toEqual({ known: true, usd: 1, model: 'gpt-4o' });
    expect(table.cost('local-llama', { inputTokens: 5 })).toEqual({ known: true, usd: 0, model: 'local-llama' });
    expect(table.cost('gpt-4o-mini', { inputTokens: 1_000_000 }, 'azure')).toEqual({ known: true, usd: 10, model: 'gpt-4o-mini' });
    expect(table.cost('gpt-4o-mini', { inputTokens: 1_000_000 }, 'openai')).toEqual({ known: true, usd: 0.15, model: 'gpt-4o-mini' });
    expect(table.models()).toContain('local-llama');
  });

  it('rejects an invalid price with a ConfigError naming the field', () => {
    expect(() => new PricingTable({ prices: { m: { input: -1, output: 1 } } })).toThrow(ConfigError);
    expect(() => new PricingTable({ prices: { m: { input: 1 } as never } })).toThrow('options: prices.m.output');
  });

  it('has a sane default table: non-negative prices, cache reads below input', () => {
    for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
      expect(price.input, model).toBeGreaterThanOrEqual(0);
      expect(price.output, model).toBeGreaterThanOrEqual(price.input);
      if (price.cacheRead !== undefined) expect(price.cacheRead, model).toBeLessThan(price.input);
      if (price.cacheWrite !== undefined) expect(price.cacheWrite, model).toBeGreaterThanOrEqual(price.input);
    }
  });
});
