// What benchmarks/llm-call.ts and its child processes say to each other over IPC, and the one
// request and reply every configuration sends and receives.
import type { ThreadCpu } from './thread-cpu.ts';

/** The model every call asks for. */
export const MODEL = 'gpt-4o-mini';

/** The request's messages: a system prompt and a question (~600 bytes of JSON). */
export const MESSAGES = [
  { role: 'system' as const, content: 'You are a careful assistant for a build team. Answer briefly, cite the failing test names, and never invent log lines. '.repeat(2) },
  { role: 'user' as const, content: 'The nightly build failed. Summarize the attached build log and list the failing tests with a one-line reason for each. '.repeat(2) },
];

/** One earlier message of a conversation (`--history`): ~640 characters of a build agent's notes. */
function earlierMessage(index: number): { role: 'user' | 'assistant'; content: string } {
  const text = `Step ${index}: the runner started shard ${index}, compiled the sources and ran the suite; test ${index} took ${index * 7} ms with a warm cache. `;
  return { role: index % 2 === 0 ? 'user' : 'assistant', content: text.repeat(Math.ceil(640 / text.length)) };
}

/**
 * The messages of call number `turn`: {@link MESSAGES} alone, or with `history` earlier messages
 * between the system prompt and the question, as an agent re-sends its conversation on every
 * call. The question names the turn, so no two requests carry the same text.
 */
export function conversationMessages(history: number, turn: number): { role: 'system' | 'user' | 'assistant'; content: string }[] {
  if (history === 0) return MESSAGES;
  const earlier = Array.from({ length: history }, (_, index) => earlierMessage(index));
  const [system, question] = MESSAGES;
  return [system!, ...earlier, { role: 'user', content: `Turn ${turn}. ${question!.content}` }];
}

/** The mock model's reply: 37 words, so a streamed answer is 37 content chunks (one per word) plus its finish and usage chunks. */
export const REPLY = 'Three tests failed in the nightly build: the retry test timed out after thirty seconds, and two snapshot tests differ because the date format changed in the report header. Everything else passed, including the slow integration suite.';

/** `json`: one non-streamed completion; `sse`: a streamed one, read to its end. */
export type CallMode = 'json' | 'sse';

/** The configurations a client child can measure. */
export const CONFIG_NAMES = ['none', 'undici-agent', 'runtrace-store', 'runtrace-nostore', 'otel-undici', 'openllmetry', 'openinference'] as const;
export type ConfigName = (typeof CONFIG_NAMES)[number];

/** Parent → client child. */
export type ClientRequest =
  | { readonly type: 'sequential'; readonly mode: CallMode; readonly calls: number }
  | { readonly type: 'concurrent'; readonly mode: CallMode; readonly calls: number; readonly inFlight: number }
  | { readonly type: 'finish' };

/** What a configuration found when it checked that everything it traced was kept. */
export interface Verification {
  readonly ok: boolean;
  /** One line for the report, e.g. `store: 12600 runs, 12600 steps, 12600 attempts, 0 in progress, 0 dropped`. */
  readonly summary: string;
}

/** Client child → parent. */
export type ClientResponse =
  | { readonly type: 'ready'; readonly description: string }
  | { readonly type: 'unavailable'; readonly reason: string }
  /**
   * CPU time of the whole process (user + system, all threads) and wall time, both over the calls
   * and the flush after them; and the CPU time by kind of thread, where Linux's /proc tells it.
   */
  | { readonly type: 'measured'; readonly calls: number; readonly failures: number; readonly firstFailure?: string; readonly cpuMicros: number; readonly wallMs: number; readonly threads?: ThreadCpu }
  | { readonly type: 'finished'; readonly totalCalls: number; readonly verification: Verification };

/** Server child → parent. */
export type ServerMessage = { readonly type: 'ready'; readonly baseURL: string };
