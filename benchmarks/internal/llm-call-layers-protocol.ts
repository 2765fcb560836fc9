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
   * `sse`: every call is streamed (`stream: true`, usage included) and read to its end, the
   * traced one through `step.wrapStream` as the README shows. Not for `floor`, which reads
   * non-streamed answers only. Default `json`.
   */
  readonly mode?: 'json' | 'sse';
  /**
   * Instead of measuring pairs: after the warm-up, `calls` calls of one side only, then the check
   * (for llm-call-instructions.ts, which counts the instructions of the process, thread by thread).
   */
  readonly oneSide?: { readonly side: 'traced' | 'untraced'; readonly calls: number };
  /**
   * Instead of measuring pairs: after the warm-up, `calls` calls of one side with `inFlight` of
   * them in flight at once, sampling what they allocate that outlives young-generation garbage
   * collections (for llm-call-promotion.ts). Not for `floor`, whose calls run one at a time.
   */
  readonly promotion?: { readonly side: 'traced' | 'untraced'; readonly calls: number; readonly inFlight: number };
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
  /**
   * With `promotion`: bytes per call allocated and then either still alive at the end or
   * collected by a full garbage collection (so promoted to the old generation), in all and by
   * the package whose JavaScript allocated them (a native allocation counts for the nearest
   * JavaScript caller's package). Sampled every 256 bytes by V8's heap profiler.
   */
  readonly promoted?: { readonly bytesPerCall: number; readonly byPackage: Readonly<Record<string, number>> };
  readonly ok: boolean;
  readonly summary: string;
}
