// What a call leaves for the old generation when many are in flight: the real `openai` client
// calling the mock server in another process (llm-call-layers.ts's configurations), 64 calls in
// flight. A call then lasts long enough for its objects to outlive young-generation garbage
// collections, so what it keeps while in flight is copied, promoted and later collected by a
// full collection: work the scavenger and V8's helper threads do per call. V8's heap profiler
// samples every 256 bytes allocated and leaves out what a young-generation collection frees;
// what remains per call is reported, untraced and traced side by side, and, on the traced side,
// what runtrace's and OpenTelemetry's packages allocated of it (a native allocation counts for
// its JavaScript caller's package). The totals move by several KB between processes with what
// the collections happen to catch of undici's objects; the packages' figure is the one to
// compare. Each configuration and side runs in a process of its own, after its warm-up pairs
// and a warm-up block as many in flight; sides alternate over `--rounds`, medians and ranges.
// Run: bash scripts/pnpm.sh run build && node benchmarks/llm-call-promotion.ts [--configs runtrace,runtrace-store] [--calls 6400] [--in-flight 64] [--rounds 3]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChildChannel } from './internal/child-channel.ts';
import { LAYER_CONFIGS } from './internal/llm-call-layers-protocol.ts';
import type { LayerConfig, LayerRequest, LayerResponse } from './internal/llm-call-layers-protocol.ts';
import type { ServerMessage } from './internal/llm-call-protocol.ts';

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string' },
    calls: { type: 'string' },
    'in-flight': { type: 'string' },
    rounds: { type: 'string' },
  },
});
const count = (text: string | undefined, fallback: number, name: string): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}: an integer ≥ 1, not ${String(text)}`);
  return value;
};
const CALLS = count(args.calls, 6_400, 'calls');
const IN_FLIGHT = count(args['in-flight'], 64, 'in-flight');
const ROUNDS = count(args.rounds, 3, 'rounds');
const configs = (args.configs?.split(',').map((name) => name.trim()) ?? ['runtrace', 'runtrace-store']) as LayerConfig[];
for (const name of configs) {
  if (!LAYER_CONFIGS.includes(name) || name === 'floor') throw new Error(`unknown configuration ${name}; known: ${LAYER_CONFIGS.filter((known) => known !== 'floor').join(', ')}`);
}

const MINUTE = 60_000;
const script = (name: string): string => fileURLToPath(new URL(`./internal/${name}`, import.meta.url));
const server = new ChildChannel<never, ServerMessage>(script('llm-call-server.ts'), [], 'mock server');
const { baseURL } = await server.next(MINUTE);

type Side = 'traced' | 'untraced';
type Promoted = NonNullable<LayerResponse['promoted']>;

/** One configuration and side in a child of its own. */
async function measure(config: LayerConfig, side: Side): Promise<Promoted> {
  const child = new ChildChannel<LayerRequest, LayerResponse>(script('llm-call-layers-child.ts'), [config], `${config} ${side}`);
  try {
    const answer = await child.request({ baseURL, warmupPairs: 100, pairs: 0, storedRuns: false, promotion: { side, calls: CALLS, inFlight: IN_FLIGHT } }, 15 * MINUTE);
    if (!answer.ok || answer.promoted === undefined) throw new Error(`${config} ${side}: ${answer.summary}`);
    return answer.promoted;
  } finally {
    child.disconnect();
    child.kill();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
/** The packages whose allocations are runtrace's doing: its own and OpenTelemetry's. */
const OURS = /^(?:runtrace\/|@opentelemetry\/)/;

console.log(`llm-call-promotion: openai client → mock server, non-streamed, ${IN_FLIGHT} calls in flight, ${CALLS} sampled per process; ${ROUNDS} rounds; node ${process.version}`);
try {
  for (const config of configs) {
    const runs: Record<Side, Promoted[]> = { traced: [], untraced: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of (round % 2 === 0 ? ['untraced', 'traced'] : ['traced', 'untraced']) as Side[]) {
        const promoted = await measure(config, side);
        runs[side].push(promoted);
        console.log(`  ${config} ${side.padEnd(8)} round ${round + 1}: ${kilobytes(promoted.bytesPerCall)} per call`);
      }
    }
    const range = (values: readonly number[]): string => `${kilobytes(median(values))} (${kilobytes(Math.min(...values))}–${kilobytes(Math.max(...values))})`;
    console.log(`${config}: promoted or still alive per call, median (range): untraced ${range(runs.untraced.map((run) => run.bytesPerCall))}, traced ${range(runs.traced.map((run) => run.bytesPerCall))}`);
    // The totals move by several KB from process to process with what the collections happen to
    // catch of undici's and the streams' objects; runtrace's and OpenTelemetry's packages
    // allocate nothing on the untraced side but the fetch interceptor's pass-through.
    const ours = (run: Promoted): number => Object.entries(run.byPackage).reduce((sum, [name, bytes]) => (OURS.test(name) ? sum + bytes : sum), 0);
    console.log(`  allocated by runtrace's and OpenTelemetry's packages: traced ${range(runs.traced.map(ours))}, untraced ${range(runs.untraced.map(ours))}`);
    const packages = [...new Set(runs.traced.flatMap((run) => Object.keys(run.byPackage)))].filter((name) => OURS.test(name));
    const byPackage = packages.map((name): [string, number] => [name, median(runs.traced.map((run) => run.byPackage[name] ?? 0))]).sort((a, b) => b[1] - a[1]);
    for (const [name, bytes] of byPackage) console.log(`    ${kilobytes(bytes).padStart(9)}  ${name} (traced, median)`);
  }
} catch (error: unknown) {
  // A child that failed or did not record every call: one line saying which, and no figures.
  console.error(`llm-call-promotion: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  server.disconnect();
}
