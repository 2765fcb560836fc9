// The pricing and model normalization the store uses unless told otherwise: core's defaults.

import { defaultPricingTable, normalizeModel } from '@runtrace/core';
import type { StorePricing } from '../query-types.js';

/** Core's `defaultPricingTable`. */
export function defaultStorePricing(): StorePricing {
  return defaultPricingTable;
}

/** Core's `normalizeModel`. */
export function defaultNormalizeModel(model: string): string {
  return normalizeModel(model);
}
