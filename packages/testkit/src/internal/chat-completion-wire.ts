// Builds OpenAI chat-completions response documents and stream chunks for the mock server.

/** A tool call the mock model makes. */
export interface MockToolCall {
  /** Call id. Default: `call_<n>`. */
  readonly id?: string;
  /** Function name. */
  readonly name: string;
  /** Arguments as a JSON string. Default: `{}`. */
  readonly arguments?: string;
}

/** Token usage the mock server reports (Chat Completions names; the Responses API's in brackets). */
export interface MockUsage {
  /** `prompt_tokens` (`input_tokens`), cached tokens included. Default: 10. */
  readonly promptTokens?: number;
  /** `completion_tokens` (`output_tokens`), reasoning tokens included. Default: the number of text pieces (at least 1). */
  readonly completionTokens?: number;
  /** `prompt_tokens_details.cached_tokens` (`input_tokens_details.cached_tokens`). Default: 0. */
  readonly cachedTokens?: number;
  /** `completion_tokens_details.reasoning_tokens` (`output_tokens_details.reasoning_tokens`). Default: 0. */
  readonly reasoningTokens?: number;
}

/** Everything needed to write one completion, resolved from a scenario and the request. */
export interface CompletionPlan {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly pieces: readonly string[];
  readonly toolCalls: readonly MockToolCall[];
  readonly finishReason: string;
  /** `null`: the answer carries no usage at all. */
  readonly usage: MockUsage | null;
}

/** The counts a {@link MockUsage} stands for, defaults applied (both OpenAI endpoints report them). */
export interface UsageCounts {
  readonly input: number;
  readonly output: number;
  readonly cached: number;
  readonly reasoning: number;
}

/**
 * Applies the defaults of {@link MockUsage}: 10 input tokens, one output token per text piece (at least 1).
 *
 * @example
 * usageCounts({ cachedTokens: 4 }, 3); // { input: 10, output: 3, cached: 4, reasoning: 0 }
 */
export function usageCounts(usage: MockUsage, pieces: number): UsageCounts {
  return {
    input: usage.promptTokens ?? 10,
    output: usage.completionTokens ?? Math.max(1, pieces),
    cached: usage.cachedTokens ?? 0,
    reasoning: usage.reasoningTokens ?? 0,
  };
}

function usageDocument(usage: MockUsage, plan: CompletionPlan): Record<string, unknown> {
  const counts = usageCounts(usage, plan.pieces.length);
  return {
    prompt_tokens: counts.input,
    completion_tokens: counts.output,
    total_tokens: counts.input + counts.output,
    prompt_tokens_details: { cached_tokens: counts.cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: counts.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A tool call's id: its own, else `call_<n>` (n counts the answer's calls from 1). */
export function toolCallId(call: MockToolCall, index: number): string {
  return call.id ?? `call_${index + 1}`;
}

/** The JSON document of a non-streamed chat completion. */
export function completionDocument(plan: CompletionPlan): Record<string, unknown> {
  const text = plan.pieces.join('');
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: plan.toolCalls.length > 0 && text === '' ? null : text,
    refusal: null,
  };
  if (plan.toolCalls.length > 0) {
    message['tool_calls'] = plan.toolCalls.map((call, index) => ({
      id: toolCallId(call, index),
      type: 'function',
      function: { name: call.name, arguments: call.arguments ?? '{}' },
    }));
  }
  const document: Record<string, unknown> = {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    system_fingerprint: 'fp_mock',
  };
  if (plan.usage !== null) document['usage'] = usageDocument(plan.usage, plan);
  return document;
}

function chunk(plan: CompletionPlan, delta: Record<string, unknown>, finishReason: string | null): Record<string, unknown> {
  return {
    id: plan.id,
    object: 'chat.completion.chunk',
    created: plan.created,
    model: plan.model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The stream chunks of a streamed chat completion, in order, without the `[DONE]` marker (no usage chunk when the usage is `null`). */
export function completionChunks(plan: CompletionPlan, includeUsage: boolean): Record<string, unknown>[] {
  const chunks: Record<string, unknown>[] = [chunk(plan, { role: 'assistant', content: '' }, null)];
  for (const piece of plan.pieces) chunks.push(chunk(plan, { content: piece }, null));
  plan.toolCalls.forEach((call, index) => {
    chunks.push(
      chunk(
        plan,
        {
          tool_calls: [
            { index, id: toolCallId(call, index), type: 'function', function: { name: call.name, arguments: '' } },
          ],
        },
        null,
      ),
    );
    chunks.push(chunk(plan, { tool_calls: [{ index, function: { arguments: call.arguments ?? '{}' } }] }, null));
  });
  chunks.push(chunk(plan, {}, plan.finishReason));
  if (includeUsage && plan.usage !== null) {
    chunks.push({ ...chunk(plan, {}, null), choices: [], usage: usageDocument(plan.usage, plan) });
  }
  return chunks;
}
