// A small chat agent: streams the model's answer, runs the tools it asks for, and asks again.
import type OpenAI from 'openai';
import type { Recorder, Run } from '@runtrace/instrumentation';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;

/** A tool the agent can run. */
export interface AgentTool {
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  run(args: Record<string, unknown>): Promise<unknown>;
}

/** One turn of a conversation. */
export interface ChatTurn {
  readonly conversationId: string;
  readonly question: string;
  /** Message id of the user's message in the conversation (for run lineage). */
  readonly messageId: number;
}

/** The outcome of a turn. */
export interface ChatAnswer {
  readonly runId: string;
  readonly text: string;
  readonly steps: number;
}

/** What the agent needs. */
export interface ChatAgentOptions {
  readonly recorder: Recorder;
  readonly client: OpenAI;
  readonly model: string;
  readonly tools: Readonly<Record<string, AgentTool>>;
  /** Most model calls per turn. Default 4. */
  readonly maxSteps?: number;
}

interface StreamedReply {
  text: string;
  finishReason: string | undefined;
  toolCalls: { id: string; name: string; arguments: string }[];
}

/** One streamed model call inside a step: the request goes through fetch, so its attempts are recorded. */
async function streamReply(run: Run, options: ChatAgentOptions, messages: ChatMessage[], tools: ChatTool[]): Promise<StreamedReply> {
  return run.step(
    {
      operation: 'stream',
      model: options.model,
      request: {
        messages: messages.map((message) => ({
          role: message.role === 'developer' || message.role === 'function' ? 'system' : message.role,
          parts: [{ type: 'text' as const, text: typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '') }],
        })),
        tools: tools.flatMap((tool) => (tool.type === 'function' ? [{ name: tool.function.name, description: tool.function.description ?? '', parameters: tool.function.parameters }] : [])),
      },
    },
    async (step) => {
      const stream = await options.client.chat.completions.create({
        model: options.model,
        messages,
        tools,
        stream: true,
        stream_options: { include_usage: true },
      });
      const reply: StreamedReply = { text: '', finishReason: undefined, toolCalls: [] };
      for await (const chunk of step.wrapStream(stream)) {
        const choice = chunk.choices[0];
        if (choice === undefined) continue;
        reply.text += choice.delta.content ?? '';
        for (const call of choice.delta.tool_calls ?? []) {
          const slot = (reply.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
          slot.id ||= call.id ?? '';
          slot.name ||= call.function?.name ?? '';
          slot.arguments += call.function?.arguments ?? '';
        }
        if (choice.finish_reason !== null) reply.finishReason = choice.finish_reason;
      }
      return reply;
    },
  );
}

/**
 * Answers one turn as a runtrace run: each model call is a step (its HTTP attempts, including
 * retries, recorded under it) and each tool call is a tool span.
 */
export async function answerTurn(options: ChatAgentOptions, turn: ChatTurn): Promise<ChatAnswer> {
  const tools: ChatTool[] = Object.entries(options.tools).map(([name, tool]) => ({
    type: 'function',
    function: { name, description: tool.description, parameters: tool.parameters },
  }));
  return options.recorder.run(
    { kind: 'chat_turn', conversationId: turn.conversationId, triggerMessageId: turn.messageId, historyTipMessageId: turn.messageId, provider: 'openai', model: options.model, label: turn.question },
    async (run) => {
      const messages: ChatMessage[] = [
        { role: 'system', content: 'You are a helpful assistant. Use the tools when they help.' },
        { role: 'user', content: turn.question },
      ];
      const maxSteps = options.maxSteps ?? 4;
      for (let stepNumber = 1; stepNumber <= maxSteps; stepNumber += 1) {
        const reply = await streamReply(run, options, messages, tools);
        if (reply.toolCalls.length === 0) return { runId: run.id, text: reply.text, steps: stepNumber };
        messages.push({
          role: 'assistant',
          content: reply.text === '' ? null : reply.text,
          tool_calls: reply.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
        });
        for (const call of reply.toolCalls) {
          const args = JSON.parse(call.arguments === '' ? '{}' : call.arguments) as Record<string, unknown>;
          const tool = options.tools[call.name];
          const result = await run.tool({ name: call.name, callId: call.id, arguments: args }, async () => {
            if (tool === undefined) throw new Error(`unknown tool ${call.name}`);
            return tool.run(args);
          });
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
        }
      }
      return { runId: run.id, text: '', steps: maxSteps };
    },
  );
}
