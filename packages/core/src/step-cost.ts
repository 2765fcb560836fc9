// A model call's cost: one rule for the processor's run summary and the store's step rows.
import type { TokenUsage } from './token-usage.js';

/** What pricing the rule needs: a table's \`cost\` (core's \`PricingTable\` has it). */
export interface StepPricing {
  cost(model: string, usage: TokenUsage, provider?: string): { readonly known: true; readonly usd: number } | { readonly known: false };
}

/** What the rule reads of a step. */
export interface StepCostInput {
  /** The model priced: the response's, else the request's. */
  readonly model: string | null | undefined;
  readonly provider: string | null | undefined;
  readonly usage: TokenUsage;
  /** The model answered but reported no usage (see \`isUsageMissing\`). */
  readonly usageMissing: boolean;
}

/** A step's cost: known dollars, or unknown. */
export type StepCost = { readonly known: true; readonly usd: number } | { readonly known: false };

const UNKNOWN: StepCost = { known: false };
const ZERO: StepCost = { known: true, usd: 0 };

/**
 * The cost of one model call. A call answered without usage may have been billed: unknown, never
 * a silent zero. A call that consumed no tokens (no answer at all: a refused request, a network
 * error) costs a known zero, model or not. Otherwise the model's price, unknown when there is no
 * model, no price for it, or the pricing fails. \`unknownCostReason\` says why in words.
 *
 * @example
 * stepCost(defaultPricingTable, { model: 'gpt-4o-mini', provider: 'openai', usage: { inputTokens: 1000, outputTokens: 50 }, usageMissing: false });
 */
export function stepCost(pricing: StepPricing, step: StepCostInput): StepCost {
  if (step.usageMissing) return UNKNOWN;
  if ((step.usage.inputTokens ?? 0) === 0 && (step.usage.outputTokens ?? 0) === 0) return ZERO;
  const model = step.model;
  if (model === null || model === undefined || model === '') return UNKNOWN;
  try {
    const provider = step.provider ?? undefined;
    const result = provider === undefined ? pricing.cost(model, step.usage) : pricing.cost(model, step.usage, provider);
    return result.known && Number.isFinite(result.usd) ? { known: true, usd: result.usd } : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}
