// Turns normalized messages, tools and values into GenAI attribute strings, per content policy.
import type { Attributes, Span } from '@opentelemetry/api';
import { GenAiAttributes, markRedacted, truncateText } from '@runtrace/core';
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

function part(value: MessagePart, policy: ContentPolicy, redactor: InstrumentationRedactor, tally: MaskTally): Record<string, unknown> {
  const full = policy === 'full';
  const metadata = policy !== 'none';
  switch (value.type) {
    case 'text':
    case 'reasoning':
      return full
        ? { type: value.type, content: text(value.text, redactor, tally) }
        : { type: value.type, length: value.text.length };
    case 'tool-call': {
      const shape: Record<string, unknown> = { type: 'tool_call', id: value.id };
      if (metadata) shape['name'] = value.name;
      if (full && value.arguments !== undefined) shape['arguments'] = redactedValue(value.arguments, redactor, tally);
      return shape;
    }
    case 'tool-result': {
      const shape: Record<string, unknown> = { type: 'tool_call_response', id: value.id };
      if (metadata && value.name !== undefined) shape['name'] = value.name;
      if (value.isError === true) shape['is_error'] = true;
      if (full && value.result !== undefined) shape['response'] = redactedValue(value.result, redactor, tally);
      return shape;
    }
    case 'file': {
      const shape: Record<string, unknown> = { type: 'file', mime_type: value.mediaType };
      if (full && value.name !== undefined) shape['name'] = text(value.name, redactor, tally);
      if (value.sizeBytes !== undefined) shape['size_bytes'] = value.sizeBytes;
      return shape;
    }
  }
}

/** `gen_ai.input.messages`: messages with parts; text only under the `full` policy. */
export function messagesJson(
  messages: readonly Message[],
  policy: ContentPolicy,
  redactor: InstrumentationRedactor,
  tally: MaskTally,
): string {
  return JSON.stringify(
    messages.map((message) => ({
      role: message.role,
      parts: message.parts.map((value) => part(value, policy, redactor, tally)),
    })),
  );
}

/** `gen_ai.output.messages`: one assistant message with its finish reason. */
export function outputMessagesJson(
  parts: readonly MessagePart[],
  finishReason: string | undefined,
  policy: ContentPolicy,
  redactor: InstrumentationRedactor,
  tally: MaskTally,
): string {
  const message: Record<string, unknown> = {
    role: 'assistant',
    parts: parts.map((value) => part(value, policy, redactor, tally)),
  };
  if (finishReason !== undefined) message['finish_reason'] = finishReason;
  return JSON.stringify([message]);
}

/** `gen_ai.tool.definitions` (metadata and full policies only). */
export function toolDefinitionsJson(tools: readonly ToolDefinition[], redactor: InstrumentationRedactor, tally: MaskTally): string {
  return JSON.stringify(
    tools.map((tool) => {
      const shape: Record<string, unknown> = { type: 'function', name: tool.name };
      if (tool.description !== undefined) shape['description'] = text(tool.description, redactor, tally);
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
