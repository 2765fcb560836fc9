// The token counts of one model call or of a whole run.

/**
 * Token usage. `inputTokens` includes cached input tokens (cache reads and writes are a part
 * of it, as providers report it); `outputTokens` includes reasoning tokens.
 */
export interface TokenUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly reasoningTokens?: number;
  readonly cacheReadTokens?: number;
  readonly cacheCreationTokens?: number;
}

/**
 * Adds token usages field by field; a field absent from every input stays absent.
 *
 * @example
 * addTokenUsage({ inputTokens: 3 }, { inputTokens: 4, outputTokens: 1 }); // { inputTokens: 7, outputTokens: 1 }
 */
export function addTokenUsage(...usages: readonly TokenUsage[]): TokenUsage {
  const total: { -readonly [K in keyof TokenUsage]: number } = {};
  for (const usage of usages) {
    for (const key of TOKEN_USAGE_KEYS) {
      const value = usage[key];
      if (typeof value === 'number' && Number.isFinite(value)) total[key] = (total[key] ?? 0) + value;
    }
  }
  return total;
}

/** The fields of {@link TokenUsage}, in display order. */
export const TOKEN_USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'reasoningTokens',
  'cacheReadTokens',
  'cacheCreationTokens',
] as const satisfies readonly (keyof TokenUsage)[];
