// What runtrace adds per LLM call, counted in machine instructions rather than timed: the same
// configurations as llm-call-layers.ts (the real `openai` client calling the mock server in another
// process), each run under Valgrind's callgrind, which counts every instruction each thread of the
// process executes. On shared cores a timing moves by ±20 µs from run to run; an instruction count
// moves by 1–2%, so changes of a few percent can be told apart.
//
// Per configuration and side (traced, untraced) two processes run: both make the warm-up pairs and
// `--skip` calls of that side, and one of them `--calls` more. The difference between the two,
// divided by `--calls`, is what one call costs once the code is warm; the processes' start,
// warm-up and exit cancel out. `added` is traced − untraced, the instructions runtrace puts on a
// call. Configurations with a layer taken out (see llm-call-layers.ts) attribute the total to layers.
// The main thread is reported apart from the store's writer thread (the one that runs SQLite) and
// from the other threads (V8's garbage collection and compiler helpers): under Valgrind the
// threads take turns on one core and the program runs about fifty times slower, so V8's
// concurrent collector and compiler do more or less work per call than at full speed, and
// time-driven work (timers, the store's flush interval) happens about fifty times less often per
// call (the writer then commits more calls at once). The main thread's count is the one that
// compares best; a count is not a time either way (instructions differ in cost).
// Needs valgrind: installed with apt-get when missing and running as root. Four processes per configuration, two at a time
// (2 cores), each 1–5 minutes under callgrind.
// `--functions N` also splits, per configuration, what runtrace adds to the main thread (and, with
// the store, to its writer thread) by kind of code (runtrace's JavaScript, OpenTelemetry's, V8's
// builtins, regular expressions, garbage collection, SQLite and its binding, …) and lists the N
// functions whose own instructions it adds most. Compiled
// JavaScript is named through the map node writes with `--perf-basic-prof`, which logs code as it
// is compiled and moved: compare the figures of such runs with each other. A function's count is
// its own instructions: the builtins it calls (property access, allocation) count apart.
// `--mode sse` streams every call (usage included) and reads it to its end, the traced one through
// `step.wrapStream`; the floor reads non-streamed answers only, so it is left out.
// Run: bash scripts/pnpm.sh run build && node benchmarks/llm-call-instructions.ts [--configs floor,runtrace,runtrace-store] [--mode json|sse] [--calls 1500] [--skip 100] [--warmup 100] [--functions 25]
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CODE_KINDS, kindOf, perCallDifference, readFunctionCounts } from './internal/callgrind-functions.ts';
import type { CodeKind } from './internal/callgrind-functions.ts';
import { ChildChannel } from './internal/child-channel.ts';
import { LAYER_CONFIGS } from './internal/llm-call-layers-protocol.ts';
import type { LayerConfig, LayerRequest, LayerResponse } from './internal/llm-call-layers-protocol.ts';
import type { ServerMessage } from './internal/llm-call-protocol.ts';

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string' },
    calls: { type: 'string' },
    skip: { type: 'string' },
    warmup: { type: 'string' },
    functions: { type: 'string' },
    mode: { type: 'string' },
  },
});
const count = (text: string | undefined, fallback: number, name: string, minimum = 1): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value < minimum) throw new Error(`--${name}: an integer ≥ ${minimum}, not ${String(text)}`);
  return value;
};
const CALLS = count(args.calls, 1_500, 'calls');
const SKIP = count(args.skip, 100, 'skip', 0);
const WARMUP_PAIRS = count(args.warmup, 100, 'warmup', 0);
const FUNCTIONS = count(args.functions, 0, 'functions', 0);
const modeArgument = args.mode ?? 'json';
if (modeArgument !== 'json' && modeArgument !== 'sse') throw new Error(`--mode: json or sse, not ${modeArgument}`);
const MODE: 'json' | 'sse' = modeArgument;
const configs = (args.configs?.split(',').map((name) => name.trim()) ?? (MODE === 'sse' ? ['runtrace', 'runtrace-store'] : ['floor', 'runtrace', 'runtrace-store'])) as LayerConfig[];
if (MODE === 'sse' && configs.includes('floor')) throw new Error('--mode sse: the floor configuration reads non-streamed answers only; leave it out of --configs');
for (const name of configs) if (!LAYER_CONFIGS.includes(name)) throw new Error(`unknown configuration ${name}; known: ${LAYER_CONFIGS.join(', ')}`);

/** Whether valgrind runs here. */
function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
if (!hasValgrind()) {
  // Debian's package, installed when missing and running as root (as the browser tests do with chromium).
  if (process.getuid?.() === 0) {
    console.log('llm-call-instructions: installing valgrind (apt-get)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 10 * 60_000 });
      execFileSync('apt-get', ['install', '-y', '-qq', 'valgrind'], { stdio: 'ignore', env, timeout: 15 * 60_000 });
    } catch {
      // Reported below.
    }
  }
  if (!hasValgrind()) {
    console.error('llm-call-instructions: valgrind was not found; install it (apt-get install valgrind, as root) to count instructions.');
    process.exit(1);
  }
}

const MINUTE = 60_000;
const script = (name: string): string => fileURLToPath(new URL(`./internal/${name}`, import.meta.url));
const server = new ChildChannel<never, ServerMessage>(script('llm-call-server.ts'), [], 'mock server');
const { baseURL } = await server.next(MINUTE);

type Side = 'traced' | 'untraced';
/**
 * Instructions of one process: its main thread, the store's writer thread (none without the
 * store), and all its other threads together (V8's garbage collection and compiler helpers,
 * libuv's pool).
 */
interface Instructions {
  readonly main: number;
  readonly writer: number;
  readonly others: number;
}
/** The threads whose own instructions are read by function (with `--functions`). */
interface ThreadFunctions {
  readonly main: ReadonlyMap<string, number>;
  /** Absent without the store. */
  readonly writer?: ReadonlyMap<string, number>;
}
interface Count {
  readonly instructions: Instructions;
  readonly answer: LayerResponse;
  /** The main and writer threads' own instructions by function (with `--functions`). */
  readonly functions?: ThreadFunctions;
}

/**
 * The store's writer thread is the one that ran SQLite: the only thread of the process whose
 * file names SQLite's interpreter (the main thread opens the database too, but writes nothing
 * per call; it is told apart by its file name, `-01`).
 */
function isWriterFile(file: string, text: string): boolean {
  return !file.endsWith('-01') && text.includes('sqlite3VdbeExec');
}

/** What one process's callgrind files (one per thread, `-01` the main thread) hold, read once. */
interface Threads {
  readonly instructions: Instructions;
  readonly mainFile: string | undefined;
  readonly writerFile: string | undefined;
}

/** Each thread's instructions from its file's `totals:` (or `summary:`) line, and which file is which. */
function readThreads(directory: string): Threads {
  let main = 0;
  let writer = 0;
  let others = 0;
  let mainFile: string | undefined;
  let writerFile: string | undefined;
  for (const name of readdirSync(directory)) {
    if (!name.startsWith('callgrind.out')) continue;
    const file = join(directory, name);
    const text = readFileSync(file, 'utf8');
    const total = /^(?:totals|summary):\s+(\d+)/m.exec(text)?.[1];
    if (total === undefined) continue;
    if (file.endsWith('-01')) {
      main += Number(total);
      mainFile = file;
    } else if (isWriterFile(file, text)) {
      writer += Number(total);
      writerFile = file;
    } else {
      others += Number(total);
    }
  }
  return { instructions: { main, writer, others }, mainFile, writerFile };
}

/**
 * The main and writer threads' counts by function, named through the perf map of the process
 * (which is removed): callgrind's file says the pid, V8 writes the map to `/tmp/perf-<pid>.map`.
 */
function readThreadFunctions({ mainFile, writerFile }: Threads): ThreadFunctions | undefined {
  if (mainFile === undefined) return undefined;
  // The pid is in the file's header: its first few hundred bytes.
  const head = Buffer.alloc(4_096);
  const descriptor = openSync(mainFile, 'r');
  const read = readSync(descriptor, head, 0, head.length, 0);
  closeSync(descriptor);
  const pid = /^pid:\s+(\d+)/m.exec(head.toString('utf8', 0, read))?.[1];
  const mapFile = pid === undefined ? undefined : `/tmp/perf-${pid}.map`;
  const perfMap = mapFile !== undefined && existsSync(mapFile) ? readFileSync(mapFile, 'utf8') : undefined;
  if (mapFile !== undefined) rmSync(mapFile, { force: true });
  const main = readFunctionCounts(mainFile, perfMap);
  return writerFile === undefined ? { main } : { main, writer: readFunctionCounts(writerFile, perfMap) };
}

/** The children under callgrind now running: ended when one fails, so none outlives the benchmark. */
const running = new Set<ReturnType<typeof spawn>>();

/** One configuration's child under callgrind, making `calls` calls of `side` after the common prefix; its instruction counts. */
function countOnce(config: LayerConfig, side: Side, calls: number): Promise<Count> {
  const directory = mkdtempSync(join(tmpdir(), 'runtrace-bench-instructions-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(directory, 'callgrind.out')}`,
      process.execPath,
      // The perf map names compiled code; V8's own log, which the option also opens, goes to a
      // file removed with the rest (named /dev/null, V8 would write it to stdout).
      ...(FUNCTIONS > 0 ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${join(directory, 'v8.log')}`] : []),
      ...process.execArgv,
      script('llm-call-layers-child.ts'),
      config,
    ],
    { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] },
  );
  running.add(child);
  let log = '';
  const stderr = child.stderr;
  if (stderr === null) throw new Error('no stderr pipe');
  stderr.setEncoding('utf8');
  stderr.on('data', (text: string) => {
    log += text;
  });
  let answer: LayerResponse | undefined;
  child.on('message', (message: LayerResponse) => {
    answer = message;
  });
  const request: LayerRequest = { baseURL, warmupPairs: WARMUP_PAIRS, pairs: 0, storedRuns: false, mode: MODE, oneSide: { side, calls } };
  child.send(request);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill(), 30 * MINUTE);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      try {
        const threads = readThreads(directory);
        const instructions = threads.instructions;
        const functions = FUNCTIONS > 0 ? readThreadFunctions(threads) : undefined;
        if (code !== 0 || instructions.main === 0 || answer === undefined) {
          reject(new Error(`${config} ${side} (${calls} calls): exited with ${signal ?? `code ${String(code)}`}${answer === undefined ? ', no answer' : ''}\n${log.slice(-2_000)}`));
          return;
        }
        resolve(functions === undefined ? { instructions, answer } : { instructions, answer, functions });
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
}

/** Runs tasks at most `width` at a time, in order of start. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, lane));
  return results;
}

console.log(
  `llm-call-instructions: openai client → mock server, ${MODE === 'sse' ? 'streamed' : 'non-streamed'}; instructions per thread under callgrind; ${WARMUP_PAIRS} warm-up pairs, ${SKIP} calls skipped, ${CALLS} counted per side; node ${process.version}`,
);
const jobs: { config: LayerConfig; side: Side; calls: number }[] = [];
for (const config of configs) for (const side of ['traced', 'untraced'] as const) for (const calls of [SKIP, SKIP + CALLS]) jobs.push({ config, side, calls });
const started = Date.now();
let done = 0;
/** The first child that failed: the jobs not yet started are skipped. */
let failure: Error | undefined;
const counts = await pool(
  jobs.map((job) => async () => {
    if (failure !== undefined) throw failure;
    const result = await countOnce(job.config, job.side, job.calls);
    done += 1;
    const { main, writer, others } = result.instructions;
    const writerText = writer > 0 ? `, ${writer.toLocaleString('en-US')} on the store's writer` : '';
    console.log(
      `  ${String(done).padStart(2)}/${jobs.length} ${job.config.padEnd(28)} ${job.side.padEnd(8)} ${String(job.calls).padStart(5)} calls: ${main.toLocaleString('en-US')} instructions on the main thread${writerText}, ${others.toLocaleString('en-US')} on the others; ${result.answer.ok ? 'ok' : 'FAILED'}: ${result.answer.summary} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    return { ...job, ...result };
  }),
  Math.max(1, Math.min(2, availableParallelism())),
).catch((error: unknown) => {
  failure ??= error instanceof Error ? error : new Error(String(error));
  for (const child of running) child.kill();
  return undefined;
});
server.disconnect();
if (counts === undefined) {
  // A child that failed (its own output is above): no figures, and no stack trace of ours.
  console.error(`llm-call-instructions: ${failure?.message ?? 'a child failed'}`);
  process.exit(1);
}

/** Instructions per call of one side once warm: the difference between its long and short process, per counted call. */
const perCall = (config: LayerConfig, side: Side, thread: keyof Instructions): number => {
  const of = (calls: number): number => counts.find((entry) => entry.config === config && entry.side === side && entry.calls === calls)!.instructions[thread];
  return (of(SKIP + CALLS) - of(SKIP)) / CALLS;
};
const thousands = (value: number): string => `${(value / 1_000).toFixed(0)}k`;
const added = new Map<LayerConfig, number>();
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${thousands(value)}`;
console.log(
  `\ninstructions per ${MODE === 'sse' ? 'streamed' : 'non-streamed'} call once warm, main thread (thousands); the store's writer and the other threads (V8's collector and compiler helpers): added per call`,
);
console.log(
  `  ${'configuration'.padEnd(28)} ${'untraced'.padStart(9)} ${'traced'.padStart(9)} ${'added'.padStart(9)} ${'× untraced'.padStart(11)} ${'writer'.padStart(9)} ${'other threads'.padStart(14)}`,
);
for (const config of configs) {
  const untraced = perCall(config, 'untraced', 'main');
  const traced = perCall(config, 'traced', 'main');
  const writer = perCall(config, 'traced', 'writer') - perCall(config, 'untraced', 'writer');
  const others = perCall(config, 'traced', 'others') - perCall(config, 'untraced', 'others');
  const hasWriter = counts.some((entry) => entry.config === config && entry.instructions.writer > 0);
  added.set(config, traced - untraced);
  console.log(
    `  ${config.padEnd(28)} ${thousands(untraced).padStart(9)} ${thousands(traced).padStart(9)} ${thousands(traced - untraced).padStart(9)} ${(traced / untraced).toFixed(2).padStart(11)} ${(hasWriter ? signed(writer) : '-').padStart(9)} ${signed(others).padStart(14)}`,
  );
}
const whole = added.get('runtrace');
if (whole !== undefined) {
  const lines: string[] = [];
  const floor = added.get('floor');
  if (floor !== undefined) lines.push(`  runtrace above the floor: ${thousands(whole - floor)}`);
  for (const [name, layer] of [
    ['runtrace-no-processor-hooks', 'the processor span hooks (tracking, write-once guard, redaction of every span, summaries)'],
    ['runtrace-no-redaction', 'the redactor (headers, URL, and the processor pass)'],
    ['runtrace-content-none', 'recording headers and content (metadata against none)'],
  ] as const) {
    const without = added.get(name);
    if (without !== undefined) lines.push(`  ${layer}: ${thousands(whole - without)}`);
  }
  const bodies = added.get('runtrace-content-full');
  if (bodies !== undefined) lines.push(`  recording bodies (full against metadata, without the store): ${thousands(bodies - whole)}`);
  const storeMetadata = added.get('runtrace-store-metadata');
  if (storeMetadata !== undefined) lines.push(`  the store's share of the main thread (content policy metadata on both sides): ${thousands(storeMetadata - whole)}`);
  if (lines.length > 0) console.log(`\nattribution, main-thread instructions per call (thousands)\n${lines.join('\n')}`);
}
if (FUNCTIONS > 0) {
  const functionsOf = (config: LayerConfig, side: Side, calls: number, thread: keyof ThreadFunctions): ReadonlyMap<string, number> | undefined =>
    counts.find((entry) => entry.config === config && entry.side === side && entry.calls === calls)?.functions?.[thread];
  /** One thread's instructions added per call, by kind of code and by function (traced − untraced). */
  const report = (config: LayerConfig, thread: keyof ThreadFunctions, title: string): void => {
    const tracedLong = functionsOf(config, 'traced', SKIP + CALLS, thread);
    const tracedShort = functionsOf(config, 'traced', SKIP, thread);
    if (tracedLong === undefined || tracedShort === undefined) {
      if (thread === 'main') console.log(`\n${config}: no counts by function (callgrind's main-thread file was not found)`);
      return;
    }
    // The untraced side's process has a writer thread too (the store is set up), idle per call.
    const empty = new Map<string, number>();
    const traced = perCallDifference(tracedLong, tracedShort, CALLS);
    const untraced = perCallDifference(functionsOf(config, 'untraced', SKIP + CALLS, thread) ?? empty, functionsOf(config, 'untraced', SKIP, thread) ?? empty, CALLS);
    const added = [...new Set([...traced.keys(), ...untraced.keys()])].map((name): [string, number] => [name, (traced.get(name) ?? 0) - (untraced.get(name) ?? 0)]);
    const byKind = new Map<CodeKind, number>(CODE_KINDS.map((kind) => [kind, 0]));
    for (const [name, value] of added) byKind.set(kindOf(name), (byKind.get(kindOf(name)) ?? 0) + value);
    console.log(`\n${config}: ${title} instructions added per call by kind of code (traced − untraced, thousands)`);
    for (const [kind, value] of byKind) if (value !== 0 || thread === 'main') console.log(`    ${thousands(value).padStart(6)}  ${kind}`);
    console.log(`    ${thousands(added.reduce((sum, [, value]) => sum + value, 0)).padStart(6)}  in all (the ${title}'s added instructions above)`);
    console.log(`${config}: the ${FUNCTIONS} functions whose own instructions it adds most on the ${title}`);
    for (const [name, value] of added.sort((a, b) => b[1] - a[1]).slice(0, FUNCTIONS)) console.log(`    ${thousands(value).padStart(6)}  ${name}`);
  };
  for (const config of configs) {
    report(config, 'main', 'main thread');
    report(config, 'writer', "store's writer thread");
  }
}
console.log('\ndescriptions');
for (const config of configs) console.log(`  ${config.padEnd(28)} ${counts.find((entry) => entry.config === config)?.answer.description ?? '(no answer)'}`);
if (counts.some((entry) => !entry.answer.ok)) {
  console.log('\nA configuration did not record every traced call: its counts are not comparable.');
  process.exitCode = 1;
}
