// The AI SDK example: the same agent through `ai` and `@ai-sdk/openai`, recorded with runtrace's middleware.
//
//   node examples/ai-sdk/src/main.ts     records into ./.runtrace/runtrace.db (RUNTRACE_DB to change)
import { createOpenAI } from '@ai-sdk/openai';
import { register } from 'runtrace';
import { startMockOpenAIServer } from '@runtrace/testkit';
import { answerWithAiSdk, recordedModel } from './ai-sdk-agent.ts';

const server = await startMockOpenAIServer({
  script: [
    // Turn 1: a rate limit (the AI SDK retries it), a tool call, then the answer.
    { status: 429, headers: { 'retry-after-ms': '20', 'retry-after': '0' } },
    { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Bergen"}' }] },
    { reply: 'Bergen is 12 °C and cloudy.' },
    // Turn 2: a plain answer.
    { reply: 'Rain in Bergen is a local tradition.' },
  ],
});
const runtrace = register({ serviceName: 'ai-sdk-example' });
const provider = createOpenAI({ apiKey: 'sk-demo-0123456789abcdefghijklmnopqrstuvwxyz', baseURL: server.baseURL });
const model = recordedModel(provider.chat('gpt-4o-mini'));

try {
  for (const question of ['What is the weather in Bergen?', 'Is rain common there?']) {
    const answer = await answerWithAiSdk(runtrace.recorder, model, { conversationId: 'conv-bergen', question });
    console.log(`run ${answer.runId}  ${question}\n  → ${answer.text}`);
  }
} finally {
  await runtrace.shutdown();
  await server.close();
}
console.log(`\nrecorded into ${runtrace.store?.location ?? 'no store'}; try: runtrace runs --db ${runtrace.store?.location ?? ''}`);
