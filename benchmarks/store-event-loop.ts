// Event-loop delay (p99) of a host exporting 10,000 spans per second for 10 seconds into
// SqliteSpanExporter, next to the same loop with a no-op exporter.
// Run: bash scripts/pnpm.sh exec tsc -b packages/store && bash scripts/pnpm.sh exec node benchmarks/store-event-loop.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes } from '@runtrace/core';
import { SqliteSpanExporter } from '@runtrace/store';

type ReadableSpan = Parameters<SqliteSpanExporter['export']>[0][number];
type ExportResult = Parameters<Parameters<SqliteSpanExporter['export']>[1]>[0];

const SPANS_PER_SECOND = 10_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TICK_MS = 10;
const PER_TICK = (SPANS_PER_SECOND * TICK_MS) / 1000;

interface Exporter {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

function hr(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

const BODY = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Summarize the attached build log. '.repeat(20) }] });
const MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Summarize the attached build log and list the failing tests. '.repeat(12) }] }]);

let counter = 0;
/** One run's worth of spans (run, 3 steps, 3 attempts), ~1 KB of attributes each, fresh ids. */
function makeSpans(count: number): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  while (spans.length < count) {
    const n = counter++;
    const traceId = n.toString(16).padStart(32, '0');
    const runId = `a${n.toString(16).padStart(15, '0')}`;
    const now = Date.now();
    const make = (spanId: string, parent: string | undefined, attributes: ReadableSpan['attributes']): ReadableSpan => ({
      name: 'span', kind: 0, spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
      ...(parent === undefined ? {} : { parentSpanContext: { traceId, spanId: parent, traceFlags: 1 } }),
      startTime: hr(now - 1000), endTime: hr(now), duration: hr(1000), status: { code: 0 },
      attributes: { [RuntraceAttributes.RUN_ID]: runId, [RuntraceAttributes.STATUS]: 'completed', ...attributes },
      links: [], events: [], ended: true, resource: { attributes: {} } as unknown as ReadableSpan['resource'],
      instrumentationScope: { name: 'bench' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    });
    for (let s = 1; s <= 3 && spans.length < count; s++) {
      const stepId = `b${s}${n.toString(16).padStart(14, '0')}`;
      spans.push(make(`c${s}${n.toString(16).padStart(14, '0')}`, stepId, {
        [RuntraceAttributes.SPAN_KIND]: 'attempt', [RuntraceAttributes.STEP_ID]: stepId, [HttpAttributes.REQUEST_METHOD]: 'POST',
        [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions', [RuntraceAttributes.ATTEMPT_REQUEST_BODY]: BODY,
      }));
      if (spans.length < count) {
        spans.push(make(stepId, runId, {
          [RuntraceAttributes.SPAN_KIND]: 'step', [RuntraceAttributes.STEP_NUMBER]: s, [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
          [GenAiAttributes.USAGE_INPUT_TOKENS]: 1200, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 300, [GenAiAttributes.INPUT_MESSAGES]: MESSAGES,
        }));
      }
    }
    if (spans.length < count) {
      spans.push(make(runId, undefined, {
        [RuntraceAttributes.SPAN_KIND]: 'run', [GenAiAttributes.CONVERSATION_ID]: `conv-${n % 100}`, [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        [RuntraceAttributes.RUN_LABEL]: 'Summarize the attached build log and list the failing tests '.repeat(3),
      }));
    }
  }
  return spans;
}

const noop: Exporter = {
  export: (_spans, done) => done({ code: 0 }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

// Failed and dropped spans are read from the exporter's stats afterwards.
async function measure(exporter: Exporter): Promise<{ p99: number; p50: number; max: number; exported: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let exported = 0;
  histogram.enable();
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Keep the offered load at the target rate even when a tick comes late.
      const due = Math.min(PER_TICK * 5, Math.round(((Date.now() - started) * SPANS_PER_SECOND) / 1000) - exported);
      if (due > 0) {
        exported += due;
        exporter.export(makeSpans(due), () => {});
      }
      if (Date.now() - started >= SECONDS * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  histogram.disable();
  await exporter.forceFlush();
  return { p99: histogram.percentile(99) / 1e6, p50: histogram.percentile(50) / 1e6, max: histogram.max / 1e6, exported };
}

const dir = mkdtempSync(join(tmpdir(), 'runtrace-bench-loop-'));
try {
  const baseline = await measure(noop);
  const exporter = new SqliteSpanExporter({ path: join(dir, 'runtrace.db') });
  const store = await measure(exporter);
  const stats = exporter.stats();
  await exporter.shutdown();
  const row = (label: string, r: typeof baseline): string =>
    `${label.padEnd(30)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  max ${r.max.toFixed(1).padStart(6)} ms  ${(r.exported / SECONDS).toFixed(0)} spans/s offered`;
  console.log(`event-loop delay while exporting ${SPANS_PER_SECOND} spans/s for ${SECONDS} s (batches every ${TICK_MS} ms)`);
  console.log(row('baseline: no-op exporter', baseline));
  console.log(row('SqliteSpanExporter (worker)', store));
  console.log(`added p99: ${(store.p99 - baseline.p99).toFixed(2)} ms (target < 10 ms); written ${stats.writtenSpans}, dropped ${stats.droppedSpans}, failed ${stats.failedSpans}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
