// The defaults that come from @runtrace/core: its default redactor and pricing table.
import { defaultPricingTable, defaultRedactor as coreRedactor } from '@runtrace/core';
import type { AttributeRedactor, CostCalculator } from '../run-span-processor-options.js';

/** The redactor used when none is configured. */
export const defaultRedactor: AttributeRedactor = coreRedactor;

/** The pricing table used when none is configured. */
export const defaultCostCalculator: CostCalculator = defaultPricingTable;
