// Public entry point of @runtrace/processor.
export { RunSpanProcessor } from './run-span-processor.js';
export type {
  RunSpanProcessorOptions,
  DestinationOptions,
  DestinationContent,
  DestinationSampling,
  DestinationKind,
  Clock,
  Timers,
  AttributeRedactor,
  AttributeRedaction,
  CostCalculator,
  ProcessorErrorContext,
} from './run-span-processor-options.js';
export type { RunLiveEvent, RunLiveListener, SweepCounts } from './run-live-event.js';
export type { RunSpanProcessorStats, DestinationStats } from './run-span-processor-stats.js';
export { installShutdownHooks } from './install-shutdown-hooks.js';
export type { ShutdownTarget, ShutdownHookProcess, InstallShutdownHooksOptions } from './install-shutdown-hooks.js';
