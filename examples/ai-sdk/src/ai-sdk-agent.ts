// The chat agent written with the AI SDK: streamText with a tool, each model call recorded by runtrace's middleware.
import { jsonSchema, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import type { LanguageModel } from 'ai';
import { runtraceMiddleware } from '@runtrace/instrumentation';
import type { Recorder } from '@runtrace/instrumentation';

/** One question of a conversation. */
export interface AiSdkTurn {
  readonly conversationId: string;
  readonly question: string;
}

/** What one turn produced. */
export interface AiSdkAnswer {
  readonly runId: string;
  readonly text: string;
}

/** Wraps a model so every call inside a run becomes a step (with its HTTP attempts). */
export function recordedModel(model: Exclude<LanguageModel, string>): Exclude<LanguageModel, string> {
  return wrapLanguageModel({ model, middleware: runtraceMiddleware() });
}

/** Answers a turn as one run: the AI SDK loops model → tool → model; tool executions are tool spans. */
export function answerWithAiSdk(recorder: Recorder, model: Exclude<LanguageModel, string>, turn: AiSdkTurn): Promise<AiSdkAnswer> {
  return recorder.run({ kind: 'chat_turn', conversationId: turn.conversationId, provider: 'openai', model: 'gpt-4o-mini', label: turn.question }, async (run) => {
    const result = streamText({
      model,
      system: 'You are a helpful assistant. Use the tools when they help.',
      prompt: turn.question,
      stopWhen: stepCountIs(3),
      tools: {
        get_weather: tool({
          description: 'Current weather for a city.',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          execute: (input, options) =>
            run.tool({ name: 'get_weather', callId: options.toolCallId, arguments: input }, () => ({ city: input.city, temperatureC: 12, conditions: 'cloudy' })),
        }),
      },
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    return { runId: run.id, text };
  });
}
