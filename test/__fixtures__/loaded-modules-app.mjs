// An application started with `node --import <hooks> --import runtrace/register`: one run with a
// step, recorded into the store; then it prints which OpenTelemetry packages were loaded.
import { propagation, trace } from '@opentelemetry/api';
import { register } from 'runtrace';

const runtrace = register();
await runtrace.recorder.run({ kind: 'chat_turn', label: 'probe' }, (run) => run.step({ operation: 'generate', model: 'gpt-4o-mini' }, () => 'ok'));
const span = trace.getTracer('probe').startSpan('probe');
const resource = Object.keys(span.resource?.attributes ?? {}).sort();
span.end();
const fields = propagation.fields();
await runtrace.shutdown();
const urls = [...globalThis.runtraceLoadedModules];
const packages = new Set(urls.map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url)?.[1]).filter(Boolean));
console.log(JSON.stringify({ modules: urls.length, packages: [...packages].sort(), resource, fields }));
