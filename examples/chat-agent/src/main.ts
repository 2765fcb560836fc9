// The chat-agent demo: a mock LLM server, runtrace's one-call setup, and four turns of a chat agent.
//
//   node examples/chat-agent/src/main.ts            records into ./.runtrace/runtrace.db
//   RUNTRACE_DB=/tmp/demo.db node …/main.ts          records elsewhere
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node …/main.ts   also exports over OTLP
import OpenAI from 'openai';
import { register } from 'runtrace';
import { startMockOpenAIServer } from '@runtrace/testkit';
import { answerTurn } from './chat-agent.ts';
import { DEMO_SCRIPT, DEMO_TURNS } from './demo-script.ts';
import { weatherTool } from './tools.ts';

const server = await startMockOpenAIServer({ script: DEMO_SCRIPT });
// Content `full` keeps (redacted, bounded) messages and bodies in the local store; OTLP gets metadata only.
const runtrace = register({ serviceName: 'chat-agent-example' });
// The key looks real on purpose: the stored request headers show it masked.
const client = new OpenAI({ apiKey: 'sk-demo-0123456789abcdefghijklmnopqrstuvwxyz', baseURL: server.baseURL, maxRetries: 2 });

let failures = 0;
try {
  for (const turn of DEMO_TURNS) {
    try {
      const answer = await answerTurn({ recorder: runtrace.recorder, client, model: 'gpt-4o-mini', tools: { get_weather: weatherTool } }, turn);
      console.log(`run ${answer.runId}  ${turn.question}\n  → ${answer.text}`);
    } catch (error: unknown) {
      failures += 1;
      const active = error instanceof Error ? error.message : String(error);
      console.log(`run failed  ${turn.question}\n  → ${active}`);
    }
  }
} finally {
  await runtrace.shutdown();
  await server.close();
}
console.log(`\nrecorded ${DEMO_TURNS.length} runs (${failures} failed on purpose: the stream was cut) into ${runtrace.store?.location ?? 'no store'}`);
