// What benchmarks/llm-call-layers.ts and its child processes say to each other over IPC.

/** The configurations: the floor, runtrace as users get it (without and with the store), and runtrace with one layer taken out. */
export const LAYER_CONFIGS = ['floor', 'runtrace', 'runtrace-no-processor-hooks', 'runtrace-no-redaction', 'runtrace-content-none', 'runtrace-content-full', 'runtrace-store', 'runtrace-store-metadata'] as const;
export type LayerConfig = (typeof LAYER_CONFIGS)[number];

/** Parent → child, once. */
export interface LayerRequest {
  readonly baseURL: string;
  readonly warmupPairs: number;
  readonly pairs: number;
  /**
   * The store configurations start from a copy of the query benchmarks' dataset (100,000 runs,
   * `query-dataset.ts`) rather than from an empty file: a store in use for a while, whose indexes
   * no longer fit the writer's page cache.
   */
  readonly storedRuns: boolean;
  /**
   * Instead of measuring pairs: after the warm-up, `calls` calls of one side only, then the check
   * (for llm-call-instructions.ts, which counts the instructions of the process, thread by thread).
   */
  readonly oneSide?: { readonly side: 'traced' | 'untraced'; readonly calls: number };
}

/** Child → parent, once: the CPU time (µs per call, whole process) of every measured call (or block of calls) of each side. */
export interface LayerResponse {
  readonly type: 'result';
  readonly description: string;
  readonly untraced: readonly number[];
  readonly traced: readonly number[];
  /** JavaScript function calls per call of each side, by package (V8's precise coverage). */
  readonly callsUntraced: Readonly<Record<string, number>>;
  readonly callsTraced: Readonly<Record<string, number>>;
  /**
   * CPU added per traced call by kind of thread (main, workers — the store's writer —, V8's
   * helpers, other), µs; for configurations measured in blocks, where Linux's /proc tells.
   */
  readonly addedByThread?: Readonly<Record<'main' | 'workers' | 'v8Helpers' | 'other', number>>;
  readonly ok: boolean;
  readonly summary: string;
}
