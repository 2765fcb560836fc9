// The options of a RuleSet with the built-in rules only, as the tests of its internals build one.
import type { RuleSetOptions } from '../internal/rule-set.js';

export const BUILT_IN_RULES_ONLY: RuleSetOptions = {
  extraHeaderNames: [],
  allowedHeaderNames: [],
  extraJsonKeys: [],
  allowedJsonKeys: [],
  extraQueryParams: [],
  extraPatterns: [],
  allowedValues: [],
};
