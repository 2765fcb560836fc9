// RunSpanProcessor cost per span next to a no-op processor (same provider setup), and the cost
// of redacting a typical LLM step (10 KB of message JSON) next to parsing that JSON once.
// Every step gets its own 10 KB messages string (as in a real agent, whose history grows), so
// no value can be served whole from a cache: once differing from the other steps' in the first
// message only, as a growing history does (the redactor's filter then reads only that part), and
// once differing in every paragraph (read whole); the same-text workload is shown separately.
// Each step's value is a new string object, as an application's would be (see `fresh`).
// The no-op's time per span depends on where the process's memory lands: with address-space
// randomization, four processes of six took 4.1–4.3 µs per span and the other two 2.3–2.5 µs,
// and every ratio against it moves with that (the processor's own time moves far less). Without
// randomization every process lands alike (2.5–2.7 µs in nine processes of nine), so on Linux the
// benchmark runs itself again under `setarch -R` when it can; RUNTRACE_BENCH_ASLR=1 keeps it on.
// Run: bash scripts/pnpm.sh exec tsc -b packages/processor && bash scripts/pnpm.sh exec node benchmarks/processor.ts
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { context, trace } from '@opentelemetry/api';
import { NoopSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { defaultRedactor, GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import { RunSpanProcessor } from '@runtrace/processor';

const LAYOUT_ENV = 'RUNTRACE_BENCH_LAYOUT';
if (process.platform === 'linux' && process.env[LAYOUT_ENV] === undefined && process.env.RUNTRACE_BENCH_ASLR !== '1') {
  // Without setarch, or where it may not turn randomization off (a container that forbids it),
  // the benchmark runs here, as it is.
  const probe = spawnSync('setarch', ['-R', 'true'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) {
    const again = spawnSync('setarch', ['-R', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, [LAYOUT_ENV]: 'fixed' },
    });
    process.exit(again.status ?? 1);
  }
}
const layout = process.env[LAYOUT_ENV] === 'fixed' ? 'address-space randomization off (setarch -R)' : 'address-space randomization on';

const counting = () => ({
  count: 0,
  onStart(): void {},
  onEnd(): void {
    this.count += 1;
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

function message(index: number): { role: string; parts: { type: string; content: string }[] } {
  const text = `Paragraph ${index}: the quarterly report shows steady growth in the northern region, with churn down `;
  return { role: index % 2 === 0 ? 'user' : 'assistant', parts: [{ type: 'text', content: text.repeat(4) }] };
}
const messages: ReturnType<typeof message>[] = [];
while (JSON.stringify(messages).length < 10_000) messages.push(message(messages.length));
const MESSAGES_JSON = JSON.stringify(messages);

/**
 * A distinct 10 KB messages string per run and step, built before anything is timed (after one
 * leading space, see {@link fresh}).
 */
const CONTENT_RUNS = 1_000;
const DISTINCT: string[] = [];
for (let run = 0; run < CONTENT_RUNS; run += 1) {
  for (let step = 1; step <= 4; step += 1) {
    const [first, ...rest] = messages;
    const part = first!.parts[0]!;
    DISTINCT.push(` ${JSON.stringify([{ ...first!, parts: [{ ...part, content: `Run ${run} step ${step}. ${part.content}` }] }, ...rest])}`);
  }
}
const SAME = ` ${MESSAGES_JSON}`;
/**
 * The same, but with every paragraph of a step differing from the other steps' (`quarterly` made
 * `q` + five digits of the step's number + `rly`, as long): no step shares more than a paragraph
 * with any text before it, so the redactor's filter reads each one whole (it reads only the part
 * a text does not share with a clean one it read lately).
 */
const numbered = (text: string, index: number): string => text.replaceAll('quarterly', `q${String(index).padStart(5, '0')}rly`);
const UNSHARED: string[] = DISTINCT.map(numbered);

/**
 * The text after the leading space, as a string object of its own (V8 makes a slice: no copy).
 * An application builds a new string for every request, even when its text repeats, and V8
 * keeps a string's hash on the string object once computed: rounds that handed the same objects
 * back would let any lookup keyed by the value skip that cost after the first round.
 */
const fresh = (text: string): string => text.slice(1);

type Content = (run: number, step: number) => string | undefined;
const noContent: Content = () => undefined;
const distinctContent: Content = (run, step) => fresh(DISTINCT[(run % CONTENT_RUNS) * 4 + step - 1]!);
const sameContent: Content = () => fresh(SAME);
const unsharedContent: Content = (run, step) => fresh(UNSHARED[(run % CONTENT_RUNS) * 4 + step - 1]!);

const RUN_ATTRIBUTES: Attributes = {
  [RuntraceAttributes.SPAN_KIND]: 'run',
  [RuntraceAttributes.STATUS]: 'in_progress',
  [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
  [RuntraceAttributes.RUN_KIND]: 'chat_turn',
  [GenAiAttributes.CONVERSATION_ID]: 'conversation-1',
  [GenAiAttributes.PROVIDER_NAME]: 'openai',
  [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o',
  [RuntraceAttributes.RUN_LABEL]: 'Summarize the quarterly report',
};

/** One run with four steps (five spans); returns ns per span. */
function runWorkload(tracer: Tracer, runs: number, content: Content): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < runs; index += 1) {
    const run = tracer.startSpan('invoke_agent chat_turn', { attributes: RUN_ATTRIBUTES });
    const runId = run.spanContext().spanId;
    run.setAttribute(RuntraceAttributes.RUN_ID, runId);
    const parent = trace.setSpan(context.active(), run);
    for (let number = 1; number <= 4; number += 1) {
      const attributes: Attributes = {
        [RuntraceAttributes.SPAN_KIND]: 'step',
        [RuntraceAttributes.STATUS]: 'in_progress',
        [RuntraceAttributes.RUN_ID]: runId,
        [GenAiAttributes.OPERATION_NAME]: 'chat',
        [RuntraceAttributes.STEP_NUMBER]: number,
        [RuntraceAttributes.STEP_OPERATION]: 'stream',
        [GenAiAttributes.PROVIDER_NAME]: 'openai',
        [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o',
      };
      const text = content(index, number);
      if (text !== undefined) attributes[GenAiAttributes.INPUT_MESSAGES] = text;
      const step = tracer.startSpan('chat gpt-4o', { attributes }, parent);
      step.setAttributes({
        [GenAiAttributes.USAGE_INPUT_TOKENS]: 1200,
        [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 300,
        [GenAiAttributes.RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
        [GenAiAttributes.RESPONSE_FINISH_REASONS]: ['stop'],
      });
      step.addEvent('runtrace.first_chunk');
      step.setAttribute(RuntraceAttributes.STATUS, 'completed');
      step.end();
    }
    run.setAttribute(RuntraceAttributes.STATUS, 'completed');
    run.end();
  }
  return Number(process.hrtime.bigint() - started) / (runs * 5);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Setup {
  readonly name: string;
  readonly tracer: () => Tracer;
}

function compare(title: string, setups: readonly Setup[], runs: number, content: Content, rounds: number): void {
  const samples = new Map<string, number[]>(setups.map((setup) => [setup.name, []]));
  for (let round = 0; round < rounds + 1; round += 1) {
    for (const setup of setups) {
      const nsPerSpan = runWorkload(setup.tracer(), runs, content);
      if (round > 0) samples.get(setup.name)?.push(nsPerSpan); // round 0 warms up
    }
  }
  const baselines = samples.get(setups[0]!.name) ?? [];
  const baseline = median(baselines);
  console.log(`\n${title}`);
  for (const setup of setups) {
    const values = samples.get(setup.name) ?? [];
    const value = median(values);
    const extra = value - baseline;
    // The ratio of each round's time to the no-op's in the same round: how far the machine's
    // noise moves the figure from round to round.
    const ratios = values.map((nsPerSpan, round) => nsPerSpan / baselines[round]!);
    console.log(
      `  ${setup.name.padEnd(52)} ${value.toFixed(0).padStart(7)} ns/span  ×${(value / baseline).toFixed(2)}` +
        (setup === setups[0]
          ? '  (baseline)'
          : `  (+${extra.toFixed(0)} ns/span; rounds ×${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`),
    );
  }
}

const provider = (processor: SpanProcessor): Tracer => new TracerProvider({ spanProcessors: [processor] }).getTracer('bench');

const noop: Setup = { name: 'NoopSpanProcessor', tracer: () => provider(new NoopSpanProcessor()) };
const oneDestination: Setup = {
  name: 'RunSpanProcessor (1 destination, all, full)',
  tracer: () => provider(new RunSpanProcessor({ sweepInterval: false, destinations: [{ processor: counting() }] })),
};
const twoDestinations: Setup = {
  name: 'RunSpanProcessor (store full + otlp errors-only)',
  tracer: () =>
    provider(
      new RunSpanProcessor({
        sweepInterval: false,
        destinations: [{ processor: counting() }, { processor: counting(), kind: 'otlp', sampling: 'errors-only' }],
      }),
    ),
};
/**
 * A floor, not a peer: the processor with a redactor that returns every value as it came, at no
 * cost. What it adds is the processor's own work; the rest of the full setup's cost is redaction.
 */
const withoutRedaction: Setup = {
  name: 'floor: RunSpanProcessor, redactor that does nothing',
  tracer: () =>
    provider(
      new RunSpanProcessor({
        sweepInterval: false,
        redactor: { redactAttribute: (_key: string, value: string) => ({ value, maskedCount: 0 }) },
        destinations: [{ processor: counting() }],
      }),
    ),
};
const withSubscriber: Setup = {
  name: 'RunSpanProcessor (1 destination + live subscriber)',
  tracer: () => {
    const processor = new RunSpanProcessor({ sweepInterval: false, destinations: [{ processor: counting() }] });
    let events = 0;
    processor.subscribe(() => {
      events += 1;
    });
    if (events < 0) console.log(events);
    return provider(processor);
  },
};

console.log(`RunSpanProcessor benchmark (node ${process.version}, ${layout}); a run = 1 run span + 4 step spans`);
compare('Per-span cost, metadata-only spans (no message content):', [noop, oneDestination, twoDestinations], 4_000, noContent, 7);
compare(
  `Per-span cost, each step carrying its own ${MESSAGES_JSON.length}-byte gen_ai.input.messages, all but its first message as other steps':`,
  [noop, oneDestination, withSubscriber, withoutRedaction],
  CONTENT_RUNS,
  distinctContent,
  7,
);
compare(
  `Per-span cost, each step carrying its own ${MESSAGES_JSON.length}-byte gen_ai.input.messages, every message unlike other steps':`,
  [noop, oneDestination, withoutRedaction],
  CONTENT_RUNS,
  unsharedContent,
  7,
);
compare(
  `Per-span cost, every step carrying the same ${MESSAGES_JSON.length}-byte value (e.g. tool definitions):`,
  [noop, oneDestination],
  CONTENT_RUNS,
  sameContent,
  7,
);

// Redaction alone, on the same 10 KB attribute, next to JSON.parse of it. Each case goes round
// variants of its text whose every paragraph differs (see UNSHARED): the redactor's filter keeps
// the text it read last, and it reads only what a text does not share with a clean one it read
// lately, which one text redacted over and over, or two that differ in one place, would let it
// skip. The second line shows that: a text after one that differs only in its first message.
const iterations = 2_000;
const VARIANTS = 16;
const variants = (text: string): string[] => Array.from({ length: VARIANTS }, (_, index) => numbered(text, index));
let turn = 0;
const next = (texts: readonly string[]): string => texts[(turn += 1) % texts.length]!;
const timeIt = (work: () => void): number => {
  for (let i = 0; i < 200; i += 1) work();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) work();
  return Number(process.hrtime.bigint() - started) / iterations;
};
let sink = 0;
const parse = timeIt(() => {
  sink += (JSON.parse(MESSAGES_JSON) as unknown[]).length;
});
const MESSAGES_VARIANTS = variants(MESSAGES_JSON);
const redact = timeIt(() => {
  sink += defaultRedactor.redactAttribute(GenAiAttributes.INPUT_MESSAGES, next(MESSAGES_VARIANTS)).maskedCount;
});
const TWINS = [MESSAGES_JSON, MESSAGES_JSON.replace('Paragraph 0:', 'Paragraph 9:')];
const shared = timeIt(() => {
  sink += defaultRedactor.redactAttribute(GenAiAttributes.INPUT_MESSAGES, next(TWINS)).maskedCount;
});
// The same messages with a key at their end that the one-scan check cannot clear (`author`
// holds `auth`): the check reads the whole value, then the walk runs.
const LATE_HIT_JSON = `${MESSAGES_JSON.slice(0, -1)},{"author":"x"}]`;
const LATE_HIT_VARIANTS = variants(LATE_HIT_JSON);
const lateHit = timeIt(() => {
  sink += defaultRedactor.redactAttribute(GenAiAttributes.INPUT_MESSAGES, next(LATE_HIT_VARIANTS)).maskedCount;
});
// The same messages with one curly quote at their end: V8 then holds the whole string two bytes a
// character, as model output often is (quotes, dashes, emoji), which the check copies differently.
const WIDE_JSON = `${MESSAGES_JSON.slice(0, -1)},{"role":"user","parts":[{"type":"text","content":"\u201cok\u201d"}]}]`;
const WIDE_VARIANTS = variants(WIDE_JSON);
const wide = timeIt(() => {
  sink += defaultRedactor.redactAttribute(GenAiAttributes.INPUT_MESSAGES, next(WIDE_VARIANTS)).maskedCount;
});
// Its own baseline: JSON.parse also reads a string held two bytes a character more slowly.
const wideParse = timeIt(() => {
  sink += (JSON.parse(WIDE_JSON) as unknown[]).length;
});
console.log(`\nRedaction of one ${MESSAGES_JSON.length}-byte gen_ai.input.messages value:`);
console.log(`  ${'JSON.parse (baseline)'.padEnd(52)} ${(parse / 1000).toFixed(1).padStart(7)} µs`);
console.log(`  ${'defaultRedactor.redactAttribute'.padEnd(52)} ${(redact / 1000).toFixed(1).padStart(7)} µs  ×${(redact / parse).toFixed(2)}`);
console.log(`  ${'the same, after one differing in its first message'.padEnd(52)} ${(shared / 1000).toFixed(1).padStart(7)} µs  ×${(shared / parse).toFixed(2)}`);
console.log(`  ${'the same, with an "author" key at the end'.padEnd(52)} ${(lateHit / 1000).toFixed(1).padStart(7)} µs  ×${(lateHit / parse).toFixed(2)}`);
console.log(`  ${'the same, two bytes a character (a curly quote)'.padEnd(52)} ${(wide / 1000).toFixed(1).padStart(7)} µs  ×${(wide / wideParse).toFixed(2)} its own JSON.parse (${(wideParse / 1000).toFixed(1)} µs)`);
if (sink < 0) console.log(sink);
