// Token usage from an OpenAI `usage` document (Chat Completions or Responses): the one mapping, for the wire and for SDK stream chunks.
import type { TokenUsage } from '@runtrace/core';
import { compactUsage } from './compact-usage.js';
import { field, isRecord, numberField } from './json-value.js';

/**
 * Token usage from OpenAI's `usage`: `prompt_tokens` / `input_tokens` already include the cached
 * tokens, `completion_tokens` / `output_tokens` already include the reasoning tokens. DeepSeek's
 * `prompt_cache_hit_tokens` stands in for the cached count when the details are absent.
 *
 * @example
 * openAiUsage({ prompt_tokens: 20, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 16 } });
 * // { inputTokens: 20, outputTokens: 5, cacheReadTokens: 16 }
 */
export function openAiUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  return compactUsage({
    inputTokens: numberField(usage, 'prompt_tokens') ?? numberField(usage, 'input_tokens'),
    outputTokens: numberField(usage, 'completion_tokens') ?? numberField(usage, 'output_tokens'),
    reasoningTokens:
      numberField(field(usage, 'completion_tokens_details'), 'reasoning_tokens') ??
      numberField(field(usage, 'output_tokens_details'), 'reasoning_tokens'),
    cacheReadTokens:
      numberField(field(usage, 'prompt_tokens_details'), 'cached_tokens') ??
      numberField(field(usage, 'input_tokens_details'), 'cached_tokens') ??
      numberField(usage, 'prompt_cache_hit_tokens'),
    cacheCreationTokens: undefined,
  });
}
