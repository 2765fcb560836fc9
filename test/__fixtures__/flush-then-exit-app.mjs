// An application that awaits forceFlush() at its top level against a slow backend (OTLP_URL): the wait must keep the process alive until the export is done.
import { register } from 'runtrace';

const runtrace = register({ store: false, fetch: false, otlp: { endpoint: process.env.OTLP_URL } });
await runtrace.recorder.run({ kind: 'chat_turn' }, () => undefined);
await runtrace.forceFlush();
console.log('exported', runtrace.stats().otlp?.exportedSpans);
await runtrace.shutdown();
