// A collector storing what it receives, as `runtrace collect` runs one: the ingest pipeline of `runtrace` behind `startCollector`.
import { startCollector } from '@runtrace/collector';
import type { Collector, CollectorOptions } from '@runtrace/collector';
import { createIngestPipeline } from 'runtrace';
import type { IngestPipelineOptions } from 'runtrace';

/** Collector options, and where the pipeline forwards to. */
export type StoreCollectorOptions = Omit<CollectorOptions, 'processor' | 'sink' | 'onClose'> & Pick<IngestPipelineOptions, 'forward'>;

/** Starts a collector on `options.port` that stores into `databasePath`; closing it shuts the pipeline down. */
export async function startStoreCollector(databasePath: string, options: StoreCollectorOptions = {}): Promise<Collector> {
  const { forward, ...collectorOptions } = options;
  const pipeline = createIngestPipeline({ store: databasePath, ...(forward === undefined ? {} : { forward }) });
  return startCollector({ ...collectorOptions, processor: pipeline, onClose: () => pipeline.shutdown() });
}
