// The whole path in one process: a collector on a free port writing into the store, a service sending OTLP to it, a query.
//
//   node examples/from-another-service/src/main.ts     (RUNTRACE_DB chooses the store file)
import { Collector } from '@runtrace/collector';
import { openStore } from '@runtrace/store';
import { DEFAULT_STORE_PATH, createIngestPipeline, loadConfig } from 'runtrace';
import { sendRuns } from './send-runs.ts';
import { SUPPORT_CALLS } from './support-calls.ts';

// The collector's side: the ingest pipeline (built like in-process recording's: the same
// processor and store) behind the OTLP server; each request is answered once its spans are committed.
const path = loadConfig().storePath ?? DEFAULT_STORE_PATH;
const pipeline = createIngestPipeline({ store: path });
const collector = new Collector({ processor: pipeline, onClose: () => pipeline.shutdown(), port: 0 });
const { url } = await collector.listen();
console.log(`collector listening on ${url}`);

// The service's side: plain OpenTelemetry with an OTLP/HTTP protobuf exporter.
const ids = await sendRuns(url, SUPPORT_CALLS);
console.log(`service sent ${ids.length} runs; the collector accepted ${collector.stats().acceptedSpans} spans`);

await collector.close();
const store = openStore({ path });
for (const id of ids) {
  const detail = store.getRun(id);
  if (detail === undefined) continue;
  const retries = detail.attempts.length - detail.steps.length;
  console.log(`run ${id}  ${detail.run.status}  ${detail.run.totalTokens} tokens  ${retries} retr${retries === 1 ? 'y' : 'ies'}  ${detail.run.label ?? ''}`);
}
store.close();
console.log(`\nstored in ${path}; try: runtrace runs --db ${path}`);
