// Where runtrace's CPU per LLM call goes: the real `openai` client calling the mock server
// (another process), non-streamed, with traced and untraced calls interleaved in the same process,
// so that each figure is the difference between two sides measured under the same noise
// (llm-call.ts compares separate processes and is far noisier on shared cores).
// Configurations, each in child processes of its own:
//   floor                        the essential work written directly against the OpenTelemetry
//                                SDK (see llm-call-layers-child.ts): what any design pays;
//   runtrace                     register({ store: false }) as users get it (content policy metadata);
//   runtrace-no-processor-hooks  the same with RunSpanProcessor's onStart/onEnding/onEnd taken out;
//   runtrace-no-redaction        the same with every Redactor method returning its input;
//   runtrace-content-none        the same with contentPolicy 'none' (no headers or content recorded);
//   runtrace-content-full        the same with contentPolicy 'full' (request and response bodies too);
//   runtrace-store               register() with the local store (content policy full, its default there);
//   runtrace-store-metadata      the same with contentPolicy 'metadata', to tell the store's own cost
//                                (against runtrace) from that of recording bodies (against runtrace-store).
// The three with a layer taken out are attributions, not configurations anyone should run: the
// difference to `runtrace` is what that layer costs per call. Untraced calls in a runtrace process
// go through its fetch interceptor (outside any run, with implicitRuns: false), so the figures leave
// out the interceptor's pass-through check, a few µs. Without the store the sides alternate call by
// call; with it they alternate in blocks of 100 calls, each side ended by forceFlush(), because the
// writer thread writes a call's rows after the call returned (the store's own flush interval is
// 100 ms, about a block at these rates).
// It also counts the JavaScript function calls a traced call adds (V8's precise coverage, by
// package): a count, not a timing, of how many steps runtrace puts on each call (runtrace's own
// packages give the same count run after run; Node's internals move when timers fire during the
// count), on the main thread only (the store's writer thread is not counted).
// Per configuration it prints the added CPU per call: the mean of traced − untraced (what users
// pay, garbage collection included), and the median of the per-pair differences (robust to the
// scheduler's hiccups, blind to the collections that land on few calls), one figure per run and
// the median over the runs, each run a fresh child, in rotated order. For the configurations
// measured in blocks (the store's) it splits the added CPU by thread on Linux: the main thread,
// the store's writer, V8's helpers.
// Target (issue: CPU per call): ≤ 250 µs added per non-streamed call with the store.
// With --stored-runs the store configurations start from a store already holding 100,000 runs
// (the query benchmarks' dataset, generated once) instead of an empty file: what a store in use
// for a while costs per call, once its indexes outgrow the writer's page cache.
// Run: bash scripts/pnpm.sh run build && node benchmarks/llm-call-layers.ts [--quick] [--runs 3] [--pairs 4000] [--warmup 600] [--configs floor,runtrace] [--stored-runs]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChildChannel } from './internal/child-channel.ts';
import { LAYER_CONFIGS } from './internal/llm-call-layers-protocol.ts';
import type { LayerConfig, LayerRequest, LayerResponse } from './internal/llm-call-layers-protocol.ts';
import type { ServerMessage } from './internal/llm-call-protocol.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    pairs: { type: 'string' },
    warmup: { type: 'string' },
    configs: { type: 'string' },
    'stored-runs': { type: 'boolean', default: false },
  },
});
const count = (text: string | undefined, fallback: number, name: string): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name}: a positive integer, not ${String(text)}`);
  return value;
};
const RUNS = count(args.runs, args.quick ? 1 : 3, 'runs');
const PAIRS = count(args.pairs, args.quick ? 1_000 : 4_000, 'pairs');
const WARMUP_PAIRS = count(args.warmup, args.quick ? 300 : 600, 'warmup');
const configs = (args.configs?.split(',').map((name) => name.trim()) ?? [...LAYER_CONFIGS]) as LayerConfig[];
for (const name of configs) if (!LAYER_CONFIGS.includes(name)) throw new Error(`unknown configuration ${name}; known: ${LAYER_CONFIGS.join(', ')}`);

const MINUTE = 60_000;
const script = (name: string): string => fileURLToPath(new URL(`./internal/${name}`, import.meta.url));
const server = new ChildChannel<never, ServerMessage>(script('llm-call-server.ts'), [], 'mock server');
const { baseURL } = await server.next(MINUTE);

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Figures {
  /** Mean traced − mean untraced, µs per call. */
  readonly added: number;
  /** Median of the per-pair differences, µs per call. */
  readonly pairMedian: number;
  readonly untraced: number;
}
const results = new Map<LayerConfig, Figures[]>(configs.map((name) => [name, []]));
const descriptions = new Map<LayerConfig, string>();
/** Function calls a traced call adds, by package (the last run's; the count does not depend on noise). */
const addedCalls = new Map<LayerConfig, Map<string, number>>();
/** CPU added per traced call by kind of thread, one entry per run (configurations measured in blocks). */
const addedThreads = new Map<LayerConfig, NonNullable<LayerResponse['addedByThread']>[]>();
let failed = false;

console.log(`llm-call-layers: openai client → mock server, non-streamed; ${PAIRS} traced/untraced pairs per run after ${WARMUP_PAIRS} warm-up pairs; ${RUNS} run(s); node ${process.version}`);
for (let run = 0; run < RUNS; run++) {
  const order = configs.map((_, index) => configs[(index + run) % configs.length]!);
  for (const name of order) {
    const child = new ChildChannel<LayerRequest, LayerResponse>(script('llm-call-layers-child.ts'), [name], name);
    try {
      const answer = await child.request({ baseURL, pairs: PAIRS, warmupPairs: WARMUP_PAIRS, storedRuns: args['stored-runs'] }, 15 * MINUTE);
      descriptions.set(name, answer.description);
      const packages = new Set([...Object.keys(answer.callsTraced), ...Object.keys(answer.callsUntraced)]);
      addedCalls.set(name, new Map([...packages].map((owner) => [owner, (answer.callsTraced[owner] ?? 0) - (answer.callsUntraced[owner] ?? 0)])));
      const added = mean(answer.traced) - mean(answer.untraced);
      const pairMedian = median(answer.traced.map((value, index) => value - answer.untraced[index]!));
      results.get(name)!.push({ added, pairMedian, untraced: mean(answer.untraced) });
      if (answer.addedByThread !== undefined) addedThreads.set(name, [...(addedThreads.get(name) ?? []), answer.addedByThread]);
      if (!answer.ok) failed = true;
      console.log(`  run ${run + 1}/${RUNS} ${name.padEnd(28)} added ${added.toFixed(0).padStart(4)} µs/call (pair median ${pairMedian.toFixed(0).padStart(4)}); untraced ${mean(answer.untraced).toFixed(0)} µs/call; ${answer.ok ? 'ok' : 'FAILED'}: ${answer.summary}`);
    } finally {
      child.kill();
    }
  }
}
server.disconnect();

console.log('\nadded CPU per non-streamed call, µs (median over runs; per run in brackets)');
console.log(`  ${'configuration'.padEnd(28)} ${'mean'.padStart(6)} ${'pair median'.padStart(12)}   per run (mean)`);
for (const name of configs) {
  const figures = results.get(name)!;
  console.log(
    `  ${name.padEnd(28)} ${median(figures.map((entry) => entry.added)).toFixed(0).padStart(6)} ${median(figures.map((entry) => entry.pairMedian)).toFixed(0).padStart(12)}   [${figures.map((entry) => entry.added.toFixed(0)).join(', ')}]`,
  );
}
/** The median over runs of a configuration's mean added CPU. */
const addedOf = (name: LayerConfig): number | undefined => (results.has(name) ? median(results.get(name)!.map((entry) => entry.added)) : undefined);
const whole = addedOf('runtrace');
if (whole !== undefined) {
  const lines: string[] = [];
  const floor = addedOf('floor');
  if (floor !== undefined) lines.push(`  runtrace above the floor: ${(whole - floor).toFixed(0)} µs/call (runtrace ${whole.toFixed(0)}, floor ${floor.toFixed(0)})`);
  for (const [name, layer] of [
    ['runtrace-no-processor-hooks', 'the processor span hooks (tracking, write-once guard, redaction of every span, summaries)'],
    ['runtrace-no-redaction', 'the redactor (headers, URL, and the processor pass)'],
    ['runtrace-content-none', 'recording headers and content (metadata against none)'],
  ] as const) {
    const without = addedOf(name);
    if (without !== undefined) lines.push(`  ${layer}: ${(whole - without).toFixed(0)} µs/call`);
  }
  const bodies = addedOf('runtrace-content-full');
  if (bodies !== undefined) lines.push(`  recording bodies (full against metadata, without the store): ${(bodies - whole).toFixed(0)} µs/call`);
  const storeMetadata = addedOf('runtrace-store-metadata');
  if (storeMetadata !== undefined) lines.push(`  the store (its rows, hand-over and writer thread; content policy metadata on both sides): ${(storeMetadata - whole).toFixed(0)} µs/call`);
  if (lines.length > 0) console.log(`\nattribution (differences of the medians of means: each is noisy, so read them to ±20 µs)\n${lines.join('\n')}`);
}
if (addedThreads.size > 0) {
  console.log('\nadded CPU per traced call by thread, µs (median over runs; blocks of calls, from /proc): main thread, workers (the store writer), V8 helpers (GC, compiler), other');
  for (const [name, runs] of addedThreads) {
    const of = (kind: keyof NonNullable<LayerResponse['addedByThread']>): string => median(runs.map((entry) => entry[kind])).toFixed(0);
    console.log(`  ${name.padEnd(28)} main ${of('main')}, writer ${of('workers')}, V8 helpers ${of('v8Helpers')}, other ${of('other')}`);
  }
}
const withStore = addedOf('runtrace-store');
if (withStore !== undefined) console.log(`\nwith the store: ${withStore.toFixed(0)} µs added per call (target ≤ 250 µs): ${withStore <= 250 ? 'met' : 'NOT met'}`);
console.log(
  "\nJavaScript function calls a traced call adds (V8 precise coverage over 100 calls of each side: counted, not sampled; runtrace's packages repeat within a few calls, Node's own count moves when timers fire in the window)",
);
for (const name of configs) {
  const byPackage = addedCalls.get(name);
  if (byPackage === undefined) continue;
  const total = [...byPackage.values()].reduce((sum, value) => sum + value, 0);
  const largest = [...byPackage]
    .filter(([, value]) => Math.round(value) !== 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([owner, value]) => `${owner} ${value > 0 ? '+' : ''}${value.toFixed(0)}`);
  console.log(`  ${name.padEnd(28)} ${total > 0 ? '+' : ''}${total.toFixed(0).padStart(5)}: ${largest.join(', ')}`);
}
console.log('\ndescriptions');
for (const name of configs) console.log(`  ${name.padEnd(28)} ${descriptions.get(name) ?? '(no answer)'}`);
if (failed) {
  console.log('\nA configuration did not record every traced call: its figures are not comparable.');
  process.exitCode = 1;
}
