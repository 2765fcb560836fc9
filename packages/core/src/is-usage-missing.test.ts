import { describe, expect, it } from 'vitest';
import { GenAiAttributes, RuntraceAttributes } from './attributes.js';
import { isUsageMissing, unknownCostReason } from './is-usage-missing.js';

describe('isUsageMissing', () => {
  it('is true when the model answered but reported no usage', () => {
    expect(isUsageMissing({ [GenAiAttributes.RESPONSE_MODEL]: 'gpt-4o-mini' })).toBe(true);
    expect(isUsageMissing({ [GenAiAttributes.RESPONSE_ID]: 'chatcmpl-1' })).toBe(true);
    expect(isUsageMissing({ [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'] })).toBe(true);
    expect(isUsageMissing({ [RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS]: 12 })).toBe(true);
  });

  it('is false when any usage figure was reported, zero included', () => {
    expect(isUsageMissing({ [GenAiAttributes.RESPONSE_MODEL]: 'm', [GenAiAttributes.USAGE_INPUT_TOKENS]: 0 })).toBe(false);
    expect(isUsageMissing({ [GenAiAttributes.RESPONSE_MODEL]: 'm', [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 7 })).toBe(false);
  });

  it('is false when the model never answered', () => {
    expect(isUsageMissing({})).toBe(false);
    expect(isUsageMissing({ [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini' })).toBe(false);
  });
});

describe('unknownCostReason', () => {
  it('names what is missing: the usage, the model, or its price', () => {
    expect(unknownCostReason({ 'gen_ai.response.model': 'gpt-4o-mini' }, 'gpt-4o-mini')).toBe('no usage in the response');
    expect(unknownCostReason({ 'gen_ai.usage.input_tokens': 3 }, null)).toBe('no model recorded');
    expect(unknownCostReason({ 'gen_ai.usage.input_tokens': 3 }, 'my-model')).toBe('no price for model "my-model"');
  });
});
