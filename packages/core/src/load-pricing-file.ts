// Prices from a JSON file: user overrides of the built-in table.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigError, errorMessage } from './errors.js';
import { PricingTable, type ModelPrice } from './pricing-table.js';

/**
 * The pricing file format.
 *
 * ```json
 * {
 *   "includeDefaults": true,
 *   "models": { "my-model": { "input": 1, "output": 2, "cacheRead": 0.1, "cacheWrite": 1.25 } },
 *   "providers": { "azure": { "gpt-4o": { "input": 2.75, "output": 11 } } }
 * }
 * ```
 */
export interface PricingFile {
  /** Whether to start from the built-in table. Default: `true`. */
  readonly includeDefaults?: boolean;
  /** Prices by model name ($ per million tokens). */
  readonly models?: Readonly<Record<string, ModelPrice>>;
  /** Provider-scoped prices, by provider then model name. */
  readonly providers?: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>>;
}

/**
 * Reads a pricing file (see {@link PricingFile}) and returns the built-in table with its
 * prices on top. A missing, unreadable or invalid file is a {@link ConfigError} that names
 * the file and the field.
 *
 * @example
 * const pricing = await loadPricingFile('./prices.json');
 * pricing.cost('my-model', { inputTokens: 1000, outputTokens: 10 });
 */
export async function loadPricingFile(path: string): Promise<PricingTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError(path, '(file)', `cannot read: ${errorMessage(error)}`, { cause: error });
  }
  return parsePricingFile(text, path);
}

/**
 * Synchronous form of {@link loadPricingFile}, for configuration loaders that run at startup.
 *
 * @example
 * const pricing = loadPricingFileSync('./prices.json');
 */
export function loadPricingFileSync(path: string): PricingTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError(path, '(file)', `cannot read: ${errorMessage(error)}`, { cause: error });
  }
  return parsePricingFile(text, path);
}

/**
 * Builds a table from the text of a pricing file; `source` names it in errors.
 *
 * @example
 * parsePricingFile('{"models":{"m":{"input":1,"output":2}}}', 'inline').price('m'); // { input: 1, output: 2 }
 */
export function parsePricingFile(text: string, source: string): PricingTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    throw new ConfigError(source, '(file)', `not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(source, '(root)', 'must be a JSON object with "models" and/or "providers"');
  }
  const file = parsed as Record<string, unknown>;
  for (const key of Object.keys(file)) {
    if (key !== 'includeDefaults' && key !== 'models' && key !== 'providers' && key !== '$schema') {
      throw new ConfigError(source, key, 'unknown field (expected includeDefaults, models, providers)');
    }
  }
  if (file.includeDefaults !== undefined && typeof file.includeDefaults !== 'boolean') {
    throw new ConfigError(source, 'includeDefaults', 'must be true or false');
  }
  // The table validates `models`, `providers` and every price; fields are renamed to the file's.
  try {
    return new PricingTable({
      ...(file.models === undefined ? {} : { prices: file.models as Record<string, ModelPrice> }),
      ...(file.providers === undefined ? {} : { providerPrices: file.providers as Record<string, Record<string, ModelPrice>> }),
      includeDefaults: file.includeDefaults !== false,
      source,
    });
  } catch (error: unknown) {
    if (error instanceof ConfigError) {
      const field = error.field.replace(/^prices\b/, 'models').replace(/^providerPrices\b/, 'providers');
      throw new ConfigError(source, field, error.message.slice(`${source}: ${error.field}: `.length), { cause: error });
    }
    throw error;
  }
}
