// Turns normalized messages, tools and values into GenAI attribute strings, per content policy.
import type { Attributes, Span } from '@opentelemetry/api';
import { GenAiAttributes, truncateText } from '@runtrace/core';
import { markRedacted } from '@runtrace/core/internal';
import type { ContentPolicy } from '@runtrace/core';
import type { Message, MessagePart, ToolDefinition } from '../gen-ai-types.js';
import { MAX_PART_CHARS } from './bounds.js';
import type { InstrumentationRedactor } from '../instrumentation-redactor.js';

/** Counts masked values while content is serialized. */
export interface MaskTally {
  masked: number;
}

function text(value: string, redactor: InstrumentationRedactor, tally: MaskTally): string {
  const redacted = redactor.redactText(value);
  tally.masked += redacted.maskedCount;
  return truncateText(redacted.value, MAX_PART_CHARS);
}

/** A JSON-able value, redacted; strings inside are bounded. */
function redactedValue(value: unknown, redactor: InstrumentationRedactor, tally: MaskTally): unknown {
  let parsed = value;
  if (typeof value === 'string') {
    const trimmed = value.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        parsed = JSON.parse(value) as unknown;
      } catch {
        return text(value, redactor, tally);
      }
    } else {
      return text(value, redactor, tally);
    }
  }
  const redacted = redactor.redactValue(parsed);
  tally.masked += redacted.maskedCount;
  return boundStrings(redacted.value);
}

function boundStrings(value: unknown): unknown {
  if (typeof value === 'string') return truncateText(value, MAX_PART_CHARS);
  if (Array.isArray(value)) return value.map(boundStrings);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = boundStrings(child);
    return out;
  }
  return value;
}

/** A JSON string of a redacted value, bounded. */
export function redactedJson(value: unknown, redactor: InstrumentationRedactor, tally: MaskTally): string {
  const redacted = redactedValue(value, redactor, tally);
  return JSON.stringify(redacted) ?? 'null';
}

/** The modality of a media type as the GenAI conventions name it (`image`, `video`, `audio`), else its top-level type. */
function modalityOf(mediaType: string): string {
  const top = mediaType.split('/')[0] ?? '';
  return top === '' ? 'file' : top;
}

/**
 * A part as the GenAI message schemas define it (`full` policy): `text` and `reasoning` with
 * their content, `tool_call` with its name and arguments (`null` when none), `tool_call_response`
 * with its `response` (`null` when none). A file or image the request carried is a generic
 * `omitted_file` part (modality, media type, size): runtrace does not keep its data.
 */
function part(value: MessagePart, redactor: InstrumentationRedactor, tally: MaskTally): Record<string, unknown> {
  switch (value.type) {
    case 'text':
    case 'reasoning':
      return { type: value.type, content: text(value.text, redactor, tally) };
    case 'tool-call': {
      const shape: Record<string, unknown> = { type: 'tool_call' };
      if (value.id !== '') shape['id'] = value.id;
      shape['name'] = value.name;
      shape['arguments'] = value.arguments === undefined ? null : redactedValue(value.arguments, redactor, tally);
      return shape;
    }
    case 'tool-result': {
      const shape: Record<string, unknown> = { type: 'tool_call_response' };
      if (value.id !== '') shape['id'] = value.id;
      if (value.name !== undefined) shape['name'] = value.name;
      shape['response'] = value.result === undefined ? null : redactedValue(value.result, redactor, tally);
      if (value.isError === true) shape['is_error'] = true;
      return shape;
    }
    case 'file': {
      const shape: Record<string, unknown> = { type: 'omitted_file', modality: modalityOf(value.mediaType), mime_type: value.mediaType };
      if (value.name !== undefined) shape['name'] = text(value.name, redactor, tally);
      if (value.sizeBytes !== undefined) shape['size_bytes'] = value.sizeBytes;
      return shape;
    }
  }
}

/** A part's shape, with no text (`none` and `metadata` policies): text lengths, tool call ids (and names under `metadata`). */
function partShape(value: MessagePart, policy: ContentPolicy): Record<string, unknown> {
  const metadata = policy !== 'none';
  switch (value.type) {
    case 'text':
    case 'reasoning':
      return { type: value.type, length: value.text.length };
    case 'tool-call': {
      const shape: Record<string, unknown> = { type: 'tool_call', id: value.id };
      if (metadata) shape['name'] = value.name;
      return shape;
    }
    case 'tool-result': {
      const shape: Record<string, unknown> = { type: 'tool_call_response', id: value.id };
      if (metadata && value.name !== undefined) shape['name'] = value.name;
      if (value.isError === true) shape['is_error'] = true;
      return shape;
    }
    case 'file': {
      const shape: Record<string, unknown> = { type: 'file', mime_type: value.mediaType };
      if (value.sizeBytes !== undefined) shape['size_bytes'] = value.sizeBytes;
      return shape;
    }
  }
}

/** `gen_ai.input.messages` (`full` policy): messages with their parts, redacted and bounded. */
export function messagesJson(messages: readonly Message[], redactor: InstrumentationRedactor, tally: MaskTally): string {
  return JSON.stringify(messages.map((message) => ({ role: message.role, parts: message.parts.map((value) => part(value, redactor, tally)) })));
}

/** `runtrace.step.input_shapes` (`none` and `metadata` policies): the messages' shape, no text. */
export function messageShapesJson(messages: readonly Message[], policy: ContentPolicy): string {
  return JSON.stringify(messages.map((message) => ({ role: message.role, parts: message.parts.map((value) => partShape(value, policy)) })));
}

/**
 * `gen_ai.output.messages` (`full` policy): one assistant message with its finish reason, which
 * the output message schema requires (`unknown` when the answer did not say).
 */
export function outputMessagesJson(parts: readonly MessagePart[], finishReason: string | undefined, redactor: InstrumentationRedactor, tally: MaskTally): string {
  return JSON.stringify([{ role: 'assistant', parts: parts.map((value) => part(value, redactor, tally)), finish_reason: finishReason ?? 'unknown' }]);
}

/** `runtrace.step.output_shapes` (`none` and `metadata` policies): the answer's shape, no text. */
export function outputShapesJson(parts: readonly MessagePart[], finishReason: string | undefined, policy: ContentPolicy): string {
  const message: Record<string, unknown> = { role: 'assistant', parts: parts.map((value) => partShape(value, policy)) };
  if (finishReason !== undefined) message['finish_reason'] = finishReason;
  return JSON.stringify([message]);
}

/** `gen_ai.tool.definitions` (metadata and full policies only). */
export function toolDefinitionsJson(tools: readonly ToolDefinition[], redactor: InstrumentationRedactor, tally: MaskTally): string {
  return JSON.stringify(
    tools.map((tool) => {
      // The tool definition schema requires a description: empty when the tool has none.
      const shape: Record<string, unknown> = { type: 'function', name: tool.name, description: tool.description === undefined ? '' : text(tool.description, redactor, tally) };
      if (tool.parameters !== undefined) shape['parameters'] = redactedValue(tool.parameters, redactor, tally);
      return shape;
    }),
  );
}

/** Content the recorder sets only from its redactor's output (messages, tool definitions, arguments, results). */
const REDACTED_CONTENT_KEYS: readonly string[] = [
  GenAiAttributes.INPUT_MESSAGES,
  GenAiAttributes.OUTPUT_MESSAGES,
  GenAiAttributes.TOOL_DEFINITIONS,
  GenAiAttributes.TOOL_CALL_ARGUMENTS,
  GenAiAttributes.TOOL_CALL_RESULT,
];

/**
 * Tells the processor that the content values just set on `span` from `attributes` are the
 * redactor's output, so its safety-net pass need not scan them again (the same redactor would
 * change nothing). A value the application later overwrites is redacted as usual.
 */
export function markRedactedContent(span: Span, redactor: InstrumentationRedactor, attributes: Attributes): void {
  for (const key of REDACTED_CONTENT_KEYS) {
    const value = attributes[key];
    if (typeof value === 'string') markRedacted(span, redactor, key, value);
  }
}
