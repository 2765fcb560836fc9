// What a user pays per LLM call: the real `openai` client calling a mock OpenAI chat-completions
// server in another process (@runtrace/testkit), non-streamed (`json`) and streamed (`sse`, read
// to its end), under each tracing configuration, each in a child process of its own:
//   none              no tracing — the baseline every figure is compared with;
//   undici-agent      no tracing, but fetch through undici 8's Agent set as global dispatcher (runtrace composes onto Node's own);
//   runtrace-store    register() with the local SQLite store (a temp file), calls wrapped as the README shows;
//   runtrace-nostore  the same with `store: false` (no OTLP either);
//   otel-undici       the peer baseline: @opentelemetry/instrumentation-undici, TracerProvider + BatchSpanProcessor;
//   openllmetry, openinference  OpenLLMetry's and OpenInference's OpenAI instrumentations (same provider setup).
// Per configuration and mode it measures the CPU time of the whole child process (user + system,
// every thread, so the store's writer thread counts) per call over sequential calls (on Linux also
// split by kind of thread: main, worker threads such as the store's writer, V8's helpers), and calls/s
// with 64 calls in flight; both windows end only after the telemetry was flushed. The children
// take turns in rotated rounds (A B C D, B C D A, …) so drift on shared cores cancels; figures are
// medians over rounds with their range, and `added` and `× none` are medians of per-round pairs.
// Many short rounds rather than a few long ones: the noise of 2 shared cores changes within
// seconds, and a pair measured close in time cancels more of it (--quick: 5 rounds of 100 + 320).
// After the last round each child shuts tracing down and checks that every call was kept (the
// store's rows are counted); a configuration that lost data fails the run.
// Run: bash scripts/pnpm.sh run build && node benchmarks/llm-call.ts [--quick] [--configs none,runtrace-store]
//      [--modes json,sse] [--rounds 15] [--calls 300] [--concurrent-calls 1000] [--in-flight 64] [--warmup 300]
//      [--content default|metadata|full|none] [--history 0]   (env: BENCH_CONFIGS, BENCH_MODES, BENCH_ROUNDS, BENCH_CONTENT)
//      `default`: register()'s own choice (`full` with the store, `metadata` without), what users get.
//      `--history N`: every request re-sends N earlier messages of ~640 characters (an agent's conversation), each
//      call's question naming its turn; the default 0 sends the short request alone.
// Targets: added CPU per non-streamed call with the store ≤ 250 µs; calls/s at 64 in flight ≥ 0.7× untraced.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChildChannel } from './internal/child-channel.ts';
import { CONFIG_NAMES, REPLY, conversationMessages } from './internal/llm-call-protocol.ts';
import type { CallMode, ClientRequest, ClientResponse, ConfigName, ServerMessage } from './internal/llm-call-protocol.ts';
import { THREAD_KINDS } from './internal/thread-cpu.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    configs: { type: 'string' },
    modes: { type: 'string' },
    rounds: { type: 'string' },
    calls: { type: 'string' },
    'concurrent-calls': { type: 'string' },
    'in-flight': { type: 'string' },
    warmup: { type: 'string' },
    content: { type: 'string' },
    history: { type: 'string' },
  },
});

const quick = args.quick;
const count = (text: string | undefined, fallback: number): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`not a positive integer: ${String(text)}`);
  return value;
};
const ROUNDS = count(args.rounds ?? process.env.BENCH_ROUNDS, quick ? 5 : 15);
const SEQUENTIAL_CALLS = count(args.calls, quick ? 100 : 300);
const IN_FLIGHT = count(args['in-flight'], 64);
const CONCURRENT_CALLS = count(args['concurrent-calls'], quick ? 320 : 1_000);
const WARMUP_CALLS = count(args.warmup, quick ? 100 : 300);
const CONTENT = args.content ?? process.env.BENCH_CONTENT ?? 'default';
const HISTORY = args.history === undefined ? 0 : Number(args.history);
if (!Number.isSafeInteger(HISTORY) || HISTORY < 0) throw new Error(`--history: a number of earlier messages (0 or more), not ${String(args.history)}`);
if (CONTENT !== 'default' && CONTENT !== 'none' && CONTENT !== 'metadata' && CONTENT !== 'full') throw new Error(`--content: default, none, metadata or full, not ${CONTENT}`);
const configs = ((args.configs ?? process.env.BENCH_CONFIGS)?.split(',') ?? [...CONFIG_NAMES]).map((name) => name.trim()) as ConfigName[];
for (const name of configs) if (!CONFIG_NAMES.includes(name)) throw new Error(`unknown configuration ${name}; known: ${CONFIG_NAMES.join(', ')}`);
if (configs[0] !== 'none') throw new Error('the first configuration must be `none`: every figure is compared with it');
const modes = ((args.modes ?? process.env.BENCH_MODES)?.split(',') ?? ['json', 'sse']).map((mode) => mode.trim()) as CallMode[];
for (const mode of modes) if (mode !== 'json' && mode !== 'sse') throw new Error(`unknown mode ${String(mode)}; known: json, sse`);

const MINUTE = 60_000;
const script = (name: string): string => fileURLToPath(new URL(`./internal/${name}`, import.meta.url));

// ---- processes ---------------------------------------------------------------------------------

const server = new ChildChannel<never, ServerMessage>(script('llm-call-server.ts'), [], 'mock server');
const { baseURL } = await server.next(MINUTE);

type Client = ChildChannel<ClientRequest, ClientResponse>;
const clients = new Map<ConfigName, Client>();
const descriptions = new Map<ConfigName, string>();
const skipped: string[] = [];
try {
  for (const name of configs) {
    const client: Client = new ChildChannel(script('llm-call-client.ts'), [name, baseURL, CONTENT, String(HISTORY)], name);
    const hello = await client.next(MINUTE);
    if (hello.type === 'unavailable') {
      skipped.push(`${name}: skipped — ${hello.reason}`);
      client.kill();
      continue;
    }
    if (hello.type !== 'ready') throw new Error(`${name}: unexpected ${hello.type}`);
    clients.set(name, client);
    descriptions.set(name, hello.description);
  }

  // ---- measurements ----------------------------------------------------------------------------

  type Measured = Extract<ClientResponse, { type: 'measured' }>;
  const failures: string[] = [];
  const ask = async (name: ConfigName, request: ClientRequest): Promise<Measured> => {
    const answer = await clients.get(name)!.request(request, 10 * MINUTE);
    if (answer.type !== 'measured') throw new Error(`${name}: unexpected ${answer.type}`);
    if (answer.failures > 0) failures.push(`${name} ${request.type}: ${answer.failures} calls failed (first: ${answer.firstFailure ?? '?'})`);
    return answer;
  };

  const active = configs.filter((name) => clients.has(name));
  const requestBytes = JSON.stringify(conversationMessages(HISTORY, 1)).length;
  console.log(`llm-call: node ${process.version}; mock server in its own process at ${baseURL}; reply ${REPLY.length} characters (${REPLY.split(' ').length} stream chunks)`);
  console.log(`  request: ${HISTORY === 0 ? 'a system prompt and a question' : `a system prompt, ${HISTORY} earlier messages and a question naming the turn`} (${requestBytes} bytes of messages JSON)`);
  console.log(`  ${ROUNDS} rotated rounds of ${SEQUENTIAL_CALLS} sequential calls and ${CONCURRENT_CALLS} calls with ${IN_FLIGHT} in flight, per configuration and mode; warm-up ${WARMUP_CALLS} + ${WARMUP_CALLS} calls`);
  for (const name of active) console.log(`  ${name.padEnd(17)} ${descriptions.get(name) ?? ''}`);
  for (const line of skipped) console.log(`  ${line}`);

  for (const name of active) {
    for (const mode of modes) {
      await ask(name, { type: 'sequential', mode, calls: WARMUP_CALLS });
      await ask(name, { type: 'concurrent', mode, calls: WARMUP_CALLS, inFlight: IN_FLIGHT });
    }
  }

  /** Per mode and configuration: CPU µs per call and calls/s, one value per round. */
  const cpu = new Map<string, number[]>();
  const rate = new Map<string, number[]>();
  /** Per mode, configuration and kind of thread: CPU µs per call, one value per round (Linux only). */
  const threadCpu = new Map<string, number[]>();
  const key = (mode: CallMode, name: ConfigName): string => `${mode} ${name}`;
  const push = (map: Map<string, number[]>, at: string, value: number): void => {
    map.set(at, [...(map.get(at) ?? []), value]);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const order = active.map((_, index) => active[(index + round) % active.length]!);
    for (const mode of modes) {
      for (const name of order) {
        const measured = await ask(name, { type: 'sequential', mode, calls: SEQUENTIAL_CALLS });
        push(cpu, key(mode, name), measured.cpuMicros / measured.calls);
        if (measured.threads !== undefined) for (const kind of THREAD_KINDS) push(threadCpu, `${key(mode, name)} ${kind}`, measured.threads[kind] / measured.calls);
      }
      for (const name of order) {
        const measured = await ask(name, { type: 'concurrent', mode, calls: CONCURRENT_CALLS, inFlight: IN_FLIGHT });
        push(rate, key(mode, name), measured.calls / (measured.wallMs / 1000));
      }
    }
    process.stderr.write(`  round ${round + 1}/${ROUNDS} done\n`);
  }

  // ---- what was kept -----------------------------------------------------------------------------

  const kept: string[] = [];
  let lost = false;
  for (const name of active) {
    const answer = await clients.get(name)!.request({ type: 'finish' }, 5 * MINUTE);
    if (answer.type !== 'finished') throw new Error(`${name}: unexpected ${answer.type}`);
    lost ||= !answer.verification.ok;
    kept.push(`  ${name.padEnd(17)} ${answer.verification.ok ? 'ok  ' : 'LOST'} ${answer.totalCalls} calls; ${answer.verification.summary}`);
  }

  // ---- report ------------------------------------------------------------------------------------

  const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const spread = (values: readonly number[], digits: number): string => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
  const paired = (values: readonly number[], baseline: readonly number[], combine: (value: number, base: number) => number): number[] =>
    values.map((value, round) => combine(value, baseline[round]!));
  const added = new Map<string, number>();
  const ratios = new Map<string, number>();
  for (const mode of modes) {
    console.log(`\n${mode === 'json' ? 'non-streamed (json)' : `streamed (sse, ${REPLY.split(' ').length} content chunks, read to the end)`}`);
    console.log(`  ${'config'.padEnd(17)} ${'CPU µs/call (min–max)'.padEnd(24)} ${'added µs vs none (min–max)'.padEnd(27)} ${`calls/s @${IN_FLIGHT} (min–max)`.padEnd(25)} × none (min–max)`);
    const cpuBase = cpu.get(key(mode, 'none'))!;
    const rateBase = rate.get(key(mode, 'none'))!;
    for (const name of active) {
      const cpuValues = cpu.get(key(mode, name))!;
      const rateValues = rate.get(key(mode, name))!;
      const extra = paired(cpuValues, cpuBase, (value, base) => value - base);
      const ratio = paired(rateValues, rateBase, (value, base) => value / base);
      added.set(key(mode, name), median(extra));
      ratios.set(key(mode, name), median(ratio));
      const cpuText = `${median(cpuValues).toFixed(0)} (${spread(cpuValues, 0)})`;
      const extraText = name === 'none' ? '—' : `${median(extra) >= 0 ? '+' : ''}${median(extra).toFixed(0)} (${spread(extra, 0)})`;
      const rateText = `${median(rateValues).toFixed(0)} (${spread(rateValues, 0)})`;
      const ratioText = name === 'none' ? '1.00' : `${median(ratio).toFixed(2)} (${spread(ratio, 2)})`;
      console.log(`  ${name.padEnd(17)} ${cpuText.padEnd(24)} ${extraText.padEnd(27)} ${rateText.padEnd(25)} ${ratioText}`);
    }
    // Where each configuration's CPU went, by kind of thread (every round measured it, or none is shown).
    if (active.every((name) => threadCpu.get(`${key(mode, name)} main`)?.length === ROUNDS)) {
      console.log(`  CPU µs/call by thread, sequential calls (median; added vs none, paired by round):`);
      console.log(`  ${'config'.padEnd(17)} ${'main thread'.padEnd(18)} ${'worker threads'.padEnd(18)} ${'V8 helper threads'.padEnd(18)} other`);
      for (const name of active) {
        const cells = THREAD_KINDS.map((kind) => {
          const values = threadCpu.get(`${key(mode, name)} ${kind}`)!;
          const extra = median(paired(values, threadCpu.get(`${key(mode, 'none')} ${kind}`)!, (value, base) => value - base));
          return name === 'none' ? median(values).toFixed(0) : `${median(values).toFixed(0)} (${extra >= 0 ? '+' : ''}${extra.toFixed(0)})`;
        });
        console.log(`  ${name.padEnd(17)} ${cells.slice(0, 3).map((cell) => cell.padEnd(18)).join(' ')} ${cells[3]}`);
      }
    }
  }

  console.log('\ntargets');
  const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
  if (clients.has('runtrace-store')) {
    if (modes.includes('json')) {
      const extra = added.get(key('json', 'runtrace-store'))!;
      console.log(`  added CPU per non-streamed call with the store ≤ 250 µs: ${extra.toFixed(0)} µs — ${verdict(extra <= 250)}`);
    }
    for (const mode of modes) {
      const ratio = ratios.get(key(mode, 'runtrace-store'))!;
      console.log(`  calls/s at ${IN_FLIGHT} in flight with the store ≥ 0.7× untraced (${mode}): ${ratio.toFixed(2)}× — ${verdict(ratio >= 0.7)}`);
    }
  } else {
    console.log('  (runtrace-store not measured)');
  }

  console.log('\nwhat each configuration kept (checked after its shutdown)');
  for (const line of kept) console.log(line);
  for (const line of failures) console.log(`  FAILED CALLS ${line}`);
  if (lost || failures.length > 0) {
    console.log('\nA configuration lost data or calls failed: its figures do not describe a working setup.');
    process.exitCode = 1;
  }
} finally {
  for (const client of clients.values()) client.kill();
  server.disconnect();
}
