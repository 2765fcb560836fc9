import { describe, expect, it } from 'vitest';
import { stepCost } from './step-cost.js';
import type { StepPricing } from './step-cost.js';

const pricing: StepPricing = {
  cost(model, usage) {
    if (model === 'throws') throw new Error('broken table');
    if (model === 'nan') return { known: true, usd: Number.NaN };
    return model === 'priced' ? { known: true, usd: ((usage.inputTokens ?? 0) + 2 * (usage.outputTokens ?? 0)) / 1e6 } : { known: false };
  },
};
const used = { inputTokens: 1000, outputTokens: 500 };

describe('stepCost', () => {
  it('prices the model on its usage', () => {
    expect(stepCost(pricing, { model: 'priced', provider: 'openai', usage: used, usageMissing: false })).toEqual({ known: true, usd: 0.002 });
  });

  it('is unknown for an answer without usage, whatever the model', () => {
    expect(stepCost(pricing, { model: 'priced', provider: undefined, usage: {}, usageMissing: true })).toEqual({ known: false });
  });

  it('is a known zero for a call that consumed nothing, model or not', () => {
    expect(stepCost(pricing, { model: undefined, provider: undefined, usage: {}, usageMissing: false })).toEqual({ known: true, usd: 0 });
    expect(stepCost(pricing, { model: 'unpriced', provider: null, usage: { inputTokens: 0, outputTokens: 0 }, usageMissing: false })).toEqual({ known: true, usd: 0 });
  });

  it('is unknown without a model, without a price, or when pricing fails', () => {
    for (const model of [null, '', 'unpriced', 'throws', 'nan']) expect(stepCost(pricing, { model, provider: undefined, usage: used, usageMissing: false })).toEqual({ known: false });
  });
});
