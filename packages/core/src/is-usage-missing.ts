// Whether a model call's token usage is unknown (a response arrived, but no usage with it).
import { GenAiAttributes, RuntraceAttributes } from './attributes.js';
import { readForeignGenAi } from './read-foreign-gen-ai.js';

const USAGE_KEYS = [
  GenAiAttributes.USAGE_INPUT_TOKENS,
  GenAiAttributes.USAGE_OUTPUT_TOKENS,
  GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS,
  GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS,
  GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS,
] as const;

const RESPONSE_KEYS = [
  GenAiAttributes.RESPONSE_ID,
  GenAiAttributes.RESPONSE_MODEL,
  GenAiAttributes.RESPONSE_FINISH_REASONS,
  RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS,
] as const;

/**
 * Whether a step's token usage is unknown rather than zero: the model answered (a response id,
 * model, finish reason or first stream chunk was recorded), so the call may have been billed, but
 * no usage was reported — typically a stream cut before its final usage chunk. Such a step's cost
 * is unknown, never a silent zero. A step that got no answer at all (a network error, a refused
 * request) reports no usage because nothing was consumed, and is not "missing". Another
 * instrumentation's model-call span is read with {@link readForeignGenAi}.
 *
 * @example
 * isUsageMissing({ 'gen_ai.response.model': 'gpt-4o-mini' }); // true: answered, no usage
 * isUsageMissing({ 'gen_ai.response.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12 }); // false
 * isUsageMissing({}); // false: no answer, nothing consumed
 */
export function isUsageMissing(attributes: Readonly<Record<string, unknown>>): boolean {
  for (const key of USAGE_KEYS) {
    if (typeof attributes[key] === 'number') return false;
  }
  if (attributes[RuntraceAttributes.SPAN_KIND] === undefined) {
    // Another instrumentation's model call names its usage and answer its own way.
    const foreign = readForeignGenAi(undefined, attributes);
    if (foreign?.kind === 'model_call') return foreign.usageMissing;
  }
  for (const key of RESPONSE_KEYS) {
    if (attributes[key] !== undefined) return true;
  }
  return false;
}

/**
 * Why a step whose cost is unknown has none, in words for people: its answer carried no usage,
 * no model was recorded, or the model has no price (`model` is the one that was looked up).
 *
 * @example
 * unknownCostReason({ 'gen_ai.response.model': 'gpt-4o-mini' }, 'gpt-4o-mini'); // 'no usage in the response'
 * unknownCostReason({ 'gen_ai.usage.input_tokens': 3 }, 'my-model'); // 'no price for model "my-model"'
 */
export function unknownCostReason(attributes: Readonly<Record<string, unknown>>, model: string | null | undefined): string {
  if (isUsageMissing(attributes)) return 'no usage in the response';
  if (model === null || model === undefined || model === '') return 'no model recorded';
  return `no price for model "${model}"`;
}
