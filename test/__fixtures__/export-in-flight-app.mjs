// An application whose last batch is still being sent (to OTLP_URL) when its own work ends: its exit must not wait for that export.
import { register } from 'runtrace';

const runtrace = register({ store: process.env.DB_PATH, fetch: false, shutdownHooks: true, otlp: { endpoint: process.env.OTLP_URL, scheduledDelayMillis: 20 } });
await runtrace.recorder.run({ kind: 'chat_turn', label: 'early' }, () => undefined);
// Long enough for the batch to go out and start retrying against a backend that is down.
await new Promise((resolve) => setTimeout(resolve, 300));
await runtrace.recorder.run({ kind: 'chat_turn', label: 'late' }, () => undefined);
console.log('app done', Date.now());
