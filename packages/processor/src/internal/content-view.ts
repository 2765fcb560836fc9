// The metadata-only view of a span: no message text, bodies, tool arguments/results or stream text.
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ContentPolicies, GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import { viewWithAttributes } from './span-copy.js';

/** Attribute keys that carry content, dropped from metadata views. */
const CONTENT_KEYS: ReadonlySet<string> = new Set([
  GenAiAttributes.INPUT_MESSAGES,
  GenAiAttributes.OUTPUT_MESSAGES,
  GenAiAttributes.SYSTEM_INSTRUCTIONS,
  GenAiAttributes.TOOL_DEFINITIONS,
  GenAiAttributes.REQUEST_STOP_SEQUENCES,
  GenAiAttributes.TOOL_CALL_ARGUMENTS,
  GenAiAttributes.TOOL_CALL_RESULT,
  RuntraceAttributes.RUN_LABEL,
  RuntraceAttributes.SUMMARY_FIRST_MESSAGE,
  RuntraceAttributes.STREAM_TEXT,
  RuntraceAttributes.ATTEMPT_REQUEST_BODY,
  RuntraceAttributes.ATTEMPT_RESPONSE_BODY,
  // Vercel AI SDK telemetry.
  'ai.prompt',
  'ai.prompt.messages',
  'ai.prompt.tools',
  'ai.response.text',
  'ai.response.object',
  'ai.response.toolCalls',
  'ai.response.reasoning',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  // OpenInference.
  'input.value',
  'output.value',
]);

/** Key prefixes that carry content (indexed message attributes of other instrumentations). */
const CONTENT_PREFIXES: readonly string[] = [
  'gen_ai.prompt.',
  'gen_ai.completion.',
  'llm.input_messages.',
  'llm.output_messages.',
  'llm.prompts.',
];

/** Whether an attribute key carries content that a metadata view leaves out. */
export function isContentKey(key: string): boolean {
  if (CONTENT_KEYS.has(key)) return true;
  for (const prefix of CONTENT_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

function keptAttributes(attributes: Attributes): Attributes {
  const kept: Attributes = {};
  for (const key of Object.keys(attributes)) {
    if (!isContentKey(key)) kept[key] = attributes[key];
  }
  return kept;
}

/** A metadata-only view of `span` (the span itself is not changed). */
export function metadataView(span: ReadableSpan): ReadableSpan {
  const attributes = keptAttributes(span.attributes);
  attributes[RuntraceAttributes.CONTENT_POLICY] = ContentPolicies.METADATA;
  // The events array is shared unless an event carries content.
  let events: TimedEvent[] = span.events;
  span.events.forEach((event, index) => {
    if (event.attributes === undefined || !Object.keys(event.attributes).some(isContentKey)) return;
    if (events === span.events) events = [...span.events];
    events[index] = { ...event, attributes: keptAttributes(event.attributes) };
  });
  return viewWithAttributes(span, attributes, events);
}
