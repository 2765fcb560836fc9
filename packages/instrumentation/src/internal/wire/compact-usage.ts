// A TokenUsage with only the counts that were reported.
import type { TokenUsage } from '@runtrace/core';

type UsageFields = { readonly [K in keyof TokenUsage]-?: number | undefined };

/**
 * Drops the absent counts; `undefined` when none is present (no usage is not zero usage).
 *
 * @example
 * compactUsage({ inputTokens: 12, outputTokens: undefined, reasoningTokens: undefined, cacheReadTokens: 0, cacheCreationTokens: undefined });
 * // { inputTokens: 12, cacheReadTokens: 0 }
 */
export function compactUsage(fields: UsageFields): TokenUsage | undefined {
  const usage: { -readonly [K in keyof TokenUsage]: number } = {};
  let present = false;
  // for…in, not Object.entries: no array of pairs per call on the path of every answer.
  for (const key in fields) {
    const value = fields[key as keyof TokenUsage];
    if (value !== undefined) {
      usage[key as keyof TokenUsage] = value;
      present = true;
    }
  }
  return present ? usage : undefined;
}

/** The sum of the counts that are present; `undefined` when none is (or when absurd counts overflow). */
export function sumPresent(...counts: readonly (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const count of counts) {
    if (count !== undefined) total = (total ?? 0) + count;
  }
  return total === undefined || Number.isFinite(total) ? total : undefined;
}
