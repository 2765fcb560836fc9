// An app for test/postgres-store.test.ts: `node postgres-app.mjs <name> <runs>` records runs (a step and a tool call each) into the store RUNTRACE_DB names, then prints its store counters.
import { register } from 'runtrace';

const [name, runs] = process.argv.slice(2);
const runtrace = register({ otlp: false });
const { recorder } = runtrace;
for (let n = 0; n < Number(runs); n++) {
  await recorder.run({ kind: 'chat_turn', label: `process ${name} run ${n}` }, async (run) => {
    await run.step({ operation: 'generate', model: 'gpt-4o-mini' }, (step) => {
      step.setResponse({ model: 'gpt-4o-mini', usage: { inputTokens: 100, outputTokens: 10 } });
    });
    await run.tool({ name: 'search', callId: `call_${n}` }, () => 'found');
  });
}
await runtrace.shutdown();
const stats = runtrace.stats().store;
console.log(JSON.stringify({ written: stats.writtenSpans, failed: stats.failedSpans, dropped: stats.droppedSpans }));
