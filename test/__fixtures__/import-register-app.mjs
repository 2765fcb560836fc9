// An application started with `node --import runtrace/register`: it records with the global tracer provider only.
import { Recorder } from '@runtrace/instrumentation';

const recorder = new Recorder({ contentPolicy: 'full' });
await recorder.run({ kind: 'chat_turn', conversationId: 'import-app', label: 'hello from --import' }, async (run) => {
  await run.tool({ name: 'noop', callId: 'call_1' }, () => 'done');
});
// A run left open: the shutdown hook must finalize it as interrupted on exit.
recorder.startRun({ kind: 'background', conversationId: 'import-app' });
console.log('app done');
