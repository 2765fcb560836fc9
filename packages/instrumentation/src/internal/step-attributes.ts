// Attributes of a step: its request at start and its response at the end, per content policy.
import type { Attributes } from '@opentelemetry/api';
import { GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import type { TokenUsage } from '@runtrace/core';
import type { NormalizedRequest, NormalizedResponse, RequestOptions } from '../gen-ai-types.js';
import { markRedactedContent, messageShapesJson, messagesJson, outputMessagesJson, outputShapesJson, toolDefinitionsJson } from './gen-ai-content.js';
import type { MaskTally } from './gen-ai-content.js';
import type { RecorderSettings, StepState } from './recorder-core.js';
import { setOwnAttributes } from './span-start.js';

/** Request attributes of a step (model options always; messages and tools as the policy allows). */
export function requestAttributes(request: NormalizedRequest, settings: RecorderSettings, tally: MaskTally): Attributes {
  const attributes: Attributes = {};
  const options = request.options;
  if (options !== undefined) {
    if (options.maxOutputTokens !== undefined) attributes[GenAiAttributes.REQUEST_MAX_TOKENS] = options.maxOutputTokens;
    if (options.temperature !== undefined) attributes[GenAiAttributes.REQUEST_TEMPERATURE] = options.temperature;
    if (options.topP !== undefined) attributes[GenAiAttributes.REQUEST_TOP_P] = options.topP;
    if (options.topK !== undefined) attributes[GenAiAttributes.REQUEST_TOP_K] = options.topK;
    if (options.seed !== undefined) attributes[GenAiAttributes.REQUEST_SEED] = options.seed;
    if (options.frequencyPenalty !== undefined) attributes[GenAiAttributes.REQUEST_FREQUENCY_PENALTY] = options.frequencyPenalty;
    if (options.presencePenalty !== undefined) attributes[GenAiAttributes.REQUEST_PRESENCE_PENALTY] = options.presencePenalty;
    // The sequences are text the application wrote: kept under the `full` policy only.
    if (options.stopSequences !== undefined && settings.contentPolicy === 'full') attributes[GenAiAttributes.REQUEST_STOP_SEQUENCES] = [...options.stopSequences];
    const recorded: Record<string, unknown> = {};
    let present = false;
    for (const key in options) {
      const value = options[key as keyof RequestOptions];
      if (value === undefined || key === 'stopSequences' || !Object.hasOwn(options, key)) continue;
      recorded[key] = value;
      present = true;
    }
    if (options.stopSequences !== undefined) {
      recorded['stopSequences'] = settings.contentPolicy === 'full' ? options.stopSequences : options.stopSequences.length;
      present = true;
    }
    if (present) attributes[RuntraceAttributes.STEP_REQUEST_OPTIONS] = JSON.stringify(recorded);
  }
  if (request.messages !== undefined) {
    // Message content only under `full` (in the GenAI schema's shape); otherwise its shape, no text.
    if (settings.contentPolicy === 'full') attributes[GenAiAttributes.INPUT_MESSAGES] = messagesJson(request.messages, settings.redactor, tally);
    else attributes[RuntraceAttributes.STEP_INPUT_SHAPES] = messageShapesJson(request.messages, settings.contentPolicy);
  }
  if (request.tools !== undefined && request.tools.length > 0 && settings.contentPolicy !== 'none') {
    attributes[GenAiAttributes.TOOL_DEFINITIONS] = toolDefinitionsJson(request.tools, settings.redactor, tally);
  }
  return attributes;
}

/** Usage attributes; only the counts that are present. */
export function usageAttributes(usage: TokenUsage): Attributes {
  const attributes: Attributes = {};
  const set = (key: string, value: number | undefined): void => {
    if (typeof value === 'number' && Number.isFinite(value)) attributes[key] = value;
  };
  set(GenAiAttributes.USAGE_INPUT_TOKENS, usage.inputTokens);
  set(GenAiAttributes.USAGE_OUTPUT_TOKENS, usage.outputTokens);
  set(GenAiAttributes.USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
  set(GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadTokens);
  set(GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationTokens);
  return attributes;
}

/** Records a response on a step span. */
export function applyResponse(step: StepState, response: NormalizedResponse): void {
  if (!step.recording || step.ended) return;
  const tally: MaskTally = { masked: 0 };
  const attributes = responseAttributes(step, response, tally);
  setOwnAttributes(step.span, attributes);
  markRedactedContent(step.span, step.core.settings.redactor, attributes);
  step.addMasked(tally.masked);
  // The code's values win: the wire no longer updates these keys.
  const keys = step.wire?.keys;
  if (keys !== undefined) {
    for (const key in attributes) {
      const at = keys.indexOf(key);
      if (at !== -1) keys.splice(at, 1);
    }
  }
}

/** The attributes of a response (output messages per content policy); masked values are counted in `tally`. */
export function responseAttributes(step: StepState, response: NormalizedResponse, tally: MaskTally): Attributes {
  const settings = step.core.settings;
  const attributes: Attributes = {};
  if (response.model !== undefined) attributes[GenAiAttributes.RESPONSE_MODEL] = response.model;
  if (response.id !== undefined) attributes[GenAiAttributes.RESPONSE_ID] = response.id;
  if (response.finishReason !== undefined) attributes[GenAiAttributes.RESPONSE_FINISH_REASONS] = [response.finishReason];
  if (response.usage !== undefined) Object.assign(attributes, usageAttributes(response.usage));
  if (response.content !== undefined) {
    if (settings.contentPolicy === 'full') attributes[GenAiAttributes.OUTPUT_MESSAGES] = outputMessagesJson(response.content, response.finishReason, settings.redactor, tally);
    else attributes[RuntraceAttributes.STEP_OUTPUT_SHAPES] = outputShapesJson(response.content, response.finishReason, settings.contentPolicy);
  }
  if (response.warnings !== undefined && response.warnings.length > 0) {
    attributes[RuntraceAttributes.STEP_WARNINGS] = JSON.stringify(
      response.warnings.map((warning) => {
        const redacted = settings.redactor.redactText(warning);
        tally.masked += redacted.maskedCount;
        return redacted.value;
      }),
    );
  }
  return attributes;
}
