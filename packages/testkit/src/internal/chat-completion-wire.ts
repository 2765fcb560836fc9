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

/** Token usage the mock server reports. */
export interface MockUsage {
  /** `prompt_tokens`. Default: 10. */
  readonly promptTokens?: number;
  /** `completion_tokens`. Default: the number of text pieces. */
  readonly completionTokens?: number;
  /** `prompt_tokens_details.cached_tokens`. Default: 0. */
  readonly cachedTokens?: number;
  /** `completion_tokens_details.reasoning_tokens`. Default: 0. */
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
  readonly usage: MockUsage;
}

function usageDocument(plan: CompletionPlan): Record<string, unknown> {
  const prompt = plan.usage.promptTokens ?? 10;
  const completion = plan.usage.completionTokens ?? Math.max(1, plan.pieces.length);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: plan.usage.cachedTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: plan.usage.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function toolCallId(call: MockToolCall, index: number): string {
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
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: usageDocument(plan),
    system_fingerprint: 'fp_mock',
  };
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

/** The stream chunks of a streamed chat completion, in order, without the `[DONE]` marker. */
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
  if (includeUsage) {
    chunks.push({ ...chunk(plan, {}, null), choices: [], usage: usageDocument(plan) });
  }
  return chunks;
}
