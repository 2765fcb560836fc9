// The scripted conversation the mock LLM server plays: a rate limit then a tool call, plain answers, and a stream cut short.
import type { MockOpenAIScenario } from '@runtrace/testkit';
import type { ChatTurn } from './chat-agent.ts';

/** The turns the demo asks, in order. */
export const DEMO_TURNS: readonly ChatTurn[] = [
  { conversationId: 'conv-weather', messageId: 1, question: 'What is the weather in Oslo right now?' },
  { conversationId: 'conv-weather', messageId: 3, question: 'Thanks! Tell me a short joke about rain.' },
  { conversationId: 'conv-poem', messageId: 1, question: 'Write a haiku about tracing.' },
  { conversationId: 'conv-poem', messageId: 3, question: 'Now one about retries, please.' },
];

/**
 * What the server answers, one scenario per HTTP request, in order. The OpenAI client retries
 * the 429 by itself (after `retry-after-ms`), so turn 1 makes four requests in two steps.
 */
export const DEMO_SCRIPT: readonly MockOpenAIScenario[] = [
  // Turn 1, step 1: rate limited, then a tool call.
  { status: 429, headers: { 'retry-after-ms': '20', 'retry-after': '0' }, error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
  { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: { promptTokens: 58, completionTokens: 17 } },
  // Turn 1, step 2: the answer that uses the tool's result.
  { reply: 'It is 12 °C and cloudy in Oslo, with light rain later.', usage: { promptTokens: 96, completionTokens: 14 } },
  // Turn 2: a plain streamed answer.
  { reply: 'Why did the raindrop feel tense? It was under a lot of pressure.', usage: { promptTokens: 120, completionTokens: 15 } },
  // Turn 3: the upstream closes the stream after two chunks (a premature close).
  { reply: 'Spans fall like leaves, each one a moment kept, the trace remembers.', cutAfterChunks: 3 },
  // Turn 4: a plain answer.
  { reply: 'Try, wait, try again; the backoff grows like moonlight; success at the dawn.', usage: { promptTokens: 40, completionTokens: 16 } },
];
