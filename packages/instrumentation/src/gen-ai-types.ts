// The normalized shapes of a model request and response that a step records.
import type { TokenUsage } from '@runtrace/core';

/** One part of a message. */
export type MessagePart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'reasoning'; readonly text: string }
  | { readonly type: 'tool-call'; readonly id: string; readonly name: string; readonly arguments?: unknown }
  | { readonly type: 'tool-result'; readonly id: string; readonly name?: string; readonly result?: unknown; readonly isError?: boolean }
  | { readonly type: 'file'; readonly mediaType: string; readonly name?: string; readonly sizeBytes?: number };

/** A message of the conversation sent to the model. */
export interface Message {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly parts: readonly MessagePart[];
}

/** A tool the model may call. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** JSON schema of the arguments. */
  readonly parameters?: unknown;
}

/** Generation options of a request. */
export interface RequestOptions {
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stopSequences?: readonly string[];
  readonly seed?: number;
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
}

/** The normalized request of a model call. */
export interface NormalizedRequest {
  readonly messages?: readonly Message[];
  readonly tools?: readonly ToolDefinition[];
  readonly options?: RequestOptions;
}

/** The normalized response of a model call. */
export interface NormalizedResponse {
  /** The assistant's output parts (text, reasoning, tool calls). */
  readonly content?: readonly MessagePart[];
  /** Finish reason as the provider reported it (`stop`, `length`, `tool_calls`, …). */
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** Model that answered. */
  readonly model?: string;
  /** Provider's response id. */
  readonly id?: string;
  /** Warnings the provider or SDK reported. */
  readonly warnings?: readonly string[];
}
