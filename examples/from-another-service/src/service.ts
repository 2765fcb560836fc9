// Sends three runs to a collector that is already running: start one with `runtrace collect`, then run this.
//
//   runtrace collect --port 4318 &
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node examples/from-another-service/src/service.ts
import { SUPPORT_CALLS } from './support-calls.ts';
import { sendRuns } from './send-runs.ts';

const base = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
const ids = await sendRuns(`${base}/v1/traces`, SUPPORT_CALLS);
console.log(`sent ${ids.length} runs to ${base}/v1/traces: ${ids.join(' ')}`);
