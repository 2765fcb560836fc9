// The LLM provider of benchmarks/llm-call.ts, in a process of its own so its CPU is never counted
// against a measured configuration: @runtrace/testkit's mock OpenAI chat-completions server on
// 127.0.0.1, port 0. It sends `{ type: 'ready', baseURL }` over IPC and stops when the parent
// disconnects.
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { RecordedRequest } from '@runtrace/testkit';
import { REPLY } from './llm-call-protocol.ts';
import type { ServerMessage } from './llm-call-protocol.ts';

// Connections stay open while idle for up to ten minutes: a client run under Valgrind
// (llm-call-instructions.ts) can pause for longer than Node's default of 5 s between calls.
const server = await startMockOpenAIServer({ fallback: { reply: REPLY }, keepAliveTimeoutMs: 600_000 });

// The mock server keeps every request it answered (for tests to inspect); a benchmark sends
// hundreds of thousands, so the log is emptied now and then to keep this process's heap flat.
const requests = server.requests as RecordedRequest[];
const trim = setInterval(() => {
  requests.length = 0;
}, 1000);

process.on('disconnect', () => {
  clearInterval(trim);
  void server.close();
});
process.send?.({ type: 'ready', baseURL: server.baseURL } satisfies ServerMessage);
