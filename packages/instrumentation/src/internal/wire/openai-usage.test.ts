import { describe, expect, it } from 'vitest';
import { openAiUsage } from './openai-usage.js';

describe('openAiUsage', () => {
  it('maps Chat Completions and Responses usage; cached and reasoning tokens are parts of the totals', () => {
    expect(
      openAiUsage({ prompt_tokens: 100, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 32 } }),
    ).toEqual({ inputTokens: 100, outputTokens: 40, reasoningTokens: 32, cacheReadTokens: 64 });
    expect(openAiUsage({ input_tokens: 9, output_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 1 } })).toEqual({
      inputTokens: 9,
      outputTokens: 3,
      reasoningTokens: 1,
      cacheReadTokens: 0,
    });
  });

  it("reads DeepSeek's cache hit count, and nothing from null or empty usage", () => {
    expect(openAiUsage({ prompt_tokens: 50, completion_tokens: 5, prompt_cache_hit_tokens: 32, prompt_cache_miss_tokens: 18 })).toEqual({
      inputTokens: 50,
      outputTokens: 5,
      cacheReadTokens: 32,
    });
    expect(openAiUsage(null)).toBeUndefined();
    expect(openAiUsage({})).toBeUndefined();
    expect(openAiUsage({ prompt_tokens: '12' })).toBeUndefined();
  });
});
