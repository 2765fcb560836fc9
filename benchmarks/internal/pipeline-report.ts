// What a benchmarks/pipeline-1m.ts producer child reports to the parent over IPC.

interface TableRows {
  readonly total: number;
  readonly inProgress: number;
}

/** One side's figures: what was offered, what was kept, what memory it took. */
export interface PipelineReport {
  readonly side: 'store' | 'nostore';
  /** Runs produced before the time cap. */
  readonly runs: number;
  readonly spansPerRun: number;
  readonly expected: { readonly runs: number; readonly steps: number; readonly tools: number };
  /** Time to produce every run. */
  readonly producedMs: number;
  /** Whether forceFlush finished before the time cap. */
  readonly drained: boolean;
  /** Time from the first run to the end of forceFlush (or the cap). */
  readonly drainedMs: number;
  /** Whether shutdown finished within its minute. */
  readonly shutDown: boolean;
  readonly startRssMiB: number;
  readonly startHeapUsedMiB: number;
  readonly startHeapTotalMiB: number;
  readonly peakRssMiB: number;
  /** Largest JS heap used seen by the same 50 ms sampling. */
  readonly peakHeapUsedMiB: number;
  /** After shutdown and three full GCs. */
  readonly afterRssMiB: number;
  readonly afterHeapUsedMiB: number;
  readonly afterHeapTotalMiB: number;
  /** Memory of C++ objects bound to JavaScript ones (buffers included). */
  readonly afterExternalMiB: number;
  /**
   * After one more GC of the kind V8 runs under memory pressure (a "last resort" GC, which also
   * releases the freed heap pages V8 keeps pooled for reuse).
   */
  readonly afterPressureRssMiB: number;
  /** The store exporter's counters (`storeExporter.stats()`), taken after the drain, before shutdown. */
  readonly exporter?: { readonly writtenSpans: number; readonly queuedSpans: number; readonly droppedSpans: number; readonly failedSpans: number };
  readonly processor: { readonly untracked: number; readonly internalErrors: number; readonly interruptedAtShutdown: number };
  /** Rows in the store after shutdown (store side only). */
  readonly rows?: { readonly runs: TableRows; readonly steps: TableRows; readonly tools: TableRows };
}
