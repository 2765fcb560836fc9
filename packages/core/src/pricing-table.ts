// Model prices and cache-aware cost of token usage.
import { ConfigError } from './errors.js';
import { DEFAULT_PRICES } from './internal/default-prices.js';
import { normalizeModel } from './normalize-model.js';
import type { TokenUsage } from './token-usage.js';

/** A model's price in US dollars per million tokens. */
export interface ModelPrice {
  /** Uncached input tokens. */
  readonly input: number;
  /** Output tokens (reasoning tokens included). */
  readonly output: number;
  /** Input tokens read from the prompt cache. Default: the `input` price. */
  readonly cacheRead?: number;
  /** Input tokens written to the prompt cache. Default: the `input` price. */
  readonly cacheWrite?: number;
}

/** Options of {@link PricingTable}. */
export interface PricingTableOptions {
  /**
   * Prices by model name, added to (and winning over) the built-in ones. Names are normalized
   * with {@link normalizeModel}, so `openai/gpt-4o-2024-08-06` sets the price of `gpt-4o`.
   * Default: none.
   */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /**
   * Prices that apply only to one provider (the `provider` argument of {@link PricingTable.cost},
   * for example `azure`), by provider then model name. Default: none.
   */
  readonly providerPrices?: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>>;
  /** Whether to start from the built-in table. Default: `true`. */
  readonly includeDefaults?: boolean;
  /** Names the source in configuration errors (a file path). Default: `options`. */
  readonly source?: string;
}

/** The cost of some usage: known with a dollar amount, or unknown with the reason. */
export type CostResult =
  | { readonly known: true; readonly usd: number; readonly model: string }
  | { readonly known: false; readonly model: string; readonly reason: string };

/**
 * A table of model prices that computes the cost of token usage. Input tokens include cached
 * ones: uncached input (input − cache read − cache write) is priced at `input`, cache reads at
 * `cacheRead`, cache writes at `cacheWrite`, output at `output`. An unknown model's cost is
 * reported as unknown, never as zero.
 *
 * @example
 * const table = new PricingTable({ prices: { 'my-model': { input: 1, output: 2 } } });
 * table.cost('gpt-4o-2024-08-06', { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 400 });
 * // { known: true, usd: 0.0015 + 0.0005 + 0.001, model: 'gpt-4o' }
 */
export class PricingTable {
  readonly #prices = new Map<string, ModelPrice>();
  readonly #providerPrices = new Map<string, Map<string, ModelPrice>>();

  constructor(options: PricingTableOptions = {}) {
    const source = options.source ?? 'options';
    if (options.includeDefaults !== false) {
      for (const [model, price] of Object.entries(DEFAULT_PRICES)) this.#prices.set(model, price);
    }
    for (const [model, price] of entries(options.prices, source, 'prices')) {
      this.#prices.set(normalizeModel(model), validatePrice(price, source, `prices.${model}`));
    }
    for (const [provider, models] of entries(options.providerPrices, source, 'providerPrices')) {
      const table = new Map<string, ModelPrice>();
      for (const [model, price] of entries(models, source, `providerPrices.${provider}`)) {
        table.set(normalizeModel(model), validatePrice(price, source, `providerPrices.${provider}.${model}`));
      }
      this.#providerPrices.set(provider.toLowerCase(), table);
    }
  }

  /**
   * The price of a model, or undefined when it is unknown.
   *
   * @example
   * defaultPricingTable.price('claude-sonnet-4.5')?.output; // 15
   */
  price(model: string, provider?: string): ModelPrice | undefined {
    return this.#priceOf(normalizeModel(model), provider);
  }

  #priceOf(name: string, provider: string | undefined): ModelPrice | undefined {
    if (provider !== undefined) {
      const scoped = this.#providerPrices.get(provider.toLowerCase())?.get(name);
      if (scoped !== undefined) return scoped;
    }
    return this.#prices.get(name);
  }

  /**
   * The cost of token usage in US dollars.
   *
   * @example
   * defaultPricingTable.cost('unknown-model', { inputTokens: 10 }); // { known: false, model: 'unknown-model', reason: '…' }
   */
  cost(model: string | undefined, usage: TokenUsage, provider?: string): CostResult {
    // Callers pass span attribute values: anything that is not a model name is "unknown", never a throw.
    if (typeof model !== 'string' || model.trim() === '') return { known: false, model: '', reason: 'no model name' };
    const name = normalizeModel(model);
    if (typeof usage !== 'object' || usage === null) return { known: false, model: name, reason: 'no token usage' };
    const price = this.#priceOf(name, provider);
    if (price === undefined) {
      return { known: false, model: name, reason: `no price for model "${name}"${provider === undefined ? '' : ` (provider ${provider})`}` };
    }
    const input = count(usage.inputTokens);
    const cacheRead = count(usage.cacheReadTokens);
    const cacheWrite = count(usage.cacheCreationTokens);
    const uncached = Math.max(0, input - cacheRead - cacheWrite);
    const usd =
      (uncached * price.input +
        cacheRead * (price.cacheRead ?? price.input) +
        cacheWrite * (price.cacheWrite ?? price.input) +
        count(usage.outputTokens) * price.output) /
      1_000_000;
    return { known: true, usd, model: name };
  }

  /**
   * Every model with a price (normalized names, provider-scoped ones excluded).
   *
   * @example
   * defaultPricingTable.models().includes('gpt-4o'); // true
   */
  models(): string[] {
    return [...this.#prices.keys()];
  }
}

/**
 * The built-in prices (public list prices as of November 2025).
 *
 * @example
 * defaultPricingTable.cost('gpt-4o-mini', { inputTokens: 1_000_000 }); // { known: true, usd: 0.15, model: 'gpt-4o-mini' }
 */
export const defaultPricingTable: PricingTable = new PricingTable();

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function entries<T>(value: Readonly<Record<string, T>> | undefined, source: string, field: string): [string, T][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(source, field, 'must be an object');
  }
  return Object.entries(value);
}

const PRICE_FIELDS = new Set(['input', 'output', 'cacheRead', 'cacheWrite']);

/** Checks a price object; throws {@link ConfigError} naming the source and the field. */
function validatePrice(value: unknown, source: string, field: string): ModelPrice {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(source, field, 'must be an object { input, output, cacheRead?, cacheWrite? }');
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!PRICE_FIELDS.has(key)) throw new ConfigError(source, `${field}.${key}`, 'unknown field (expected input, output, cacheRead, cacheWrite)');
  }
  const price: { input: number; output: number; cacheRead?: number; cacheWrite?: number } = {
    input: priceNumber(record.input, source, `${field}.input`, true) as number,
    output: priceNumber(record.output, source, `${field}.output`, true) as number,
  };
  const cacheRead = priceNumber(record.cacheRead, source, `${field}.cacheRead`, false);
  const cacheWrite = priceNumber(record.cacheWrite, source, `${field}.cacheWrite`, false);
  if (cacheRead !== undefined) price.cacheRead = cacheRead;
  if (cacheWrite !== undefined) price.cacheWrite = cacheWrite;
  return price;
}

function priceNumber(value: unknown, source: string, field: string, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(source, field, `must be a non-negative number of US dollars per million tokens${value === undefined ? ' (missing)' : ''}`);
  }
  return value;
}
