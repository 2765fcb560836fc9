// Records half a run into a store, reports "ready" on stdout, then waits to be killed.
import { GenAiAttributes, RuntraceAttributes } from '@runtrace/core';
import { SqliteSpanExporter } from '@runtrace/store';

const [path] = process.argv.slice(2);
const traceId = 'c'.repeat(32);
const runId = 'c100000000000000';
const now = Date.now();

function hr(ms) {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function span(spanId, parentSpanId, name, startMs, endMs, attributes) {
  return {
    name,
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    parentSpanContext: parentSpanId === undefined ? undefined : { traceId, spanId: parentSpanId, traceFlags: 1 },
    startTime: hr(startMs),
    endTime: hr(endMs ?? startMs),
    duration: hr((endMs ?? startMs) - startMs),
    status: { code: 0 },
    attributes: { [RuntraceAttributes.RUN_ID]: runId, ...attributes },
    links: [],
    events: [],
    ended: endMs !== undefined,
    resource: { attributes: {} },
    instrumentationScope: { name: 'crash-child' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

const exporter = new SqliteSpanExporter({ path, sweepOnOpen: false });
exporter.recordInProgress(
  span(runId, undefined, 'invoke_agent chat_turn', now - 5000, undefined, {
    [RuntraceAttributes.SPAN_KIND]: 'run',
    [RuntraceAttributes.STATUS]: 'in_progress',
    [GenAiAttributes.CONVERSATION_ID]: 'crash',
    [GenAiAttributes.REQUEST_MODEL]: 'gpt-test',
  }),
);
const step1 = span('c110000000000000', runId, 'chat gpt-test', now - 4000, now - 3000, {
  [RuntraceAttributes.SPAN_KIND]: 'step',
  [RuntraceAttributes.STATUS]: 'completed',
  [RuntraceAttributes.STEP_NUMBER]: 1,
  [GenAiAttributes.USAGE_INPUT_TOKENS]: 120,
  [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 30,
});
const attempt1 = span('c111000000000000', 'c110000000000000', 'POST', now - 4000, now - 3000, {
  [RuntraceAttributes.SPAN_KIND]: 'attempt',
  [RuntraceAttributes.STATUS]: 'completed',
  [RuntraceAttributes.STEP_ID]: 'c110000000000000',
  [RuntraceAttributes.ATTEMPT_NUMBER]: 1,
});
const foreign = span('c112000000000000', 'c111000000000000', 'tcp.connect', now - 4000, now - 3900, {});
await new Promise((resolve) => exporter.export([attempt1, foreign, step1], resolve));
exporter.recordInProgress(
  span('c120000000000000', runId, 'chat gpt-test', now - 2000, undefined, {
    [RuntraceAttributes.SPAN_KIND]: 'step',
    [RuntraceAttributes.STATUS]: 'in_progress',
    [RuntraceAttributes.STEP_NUMBER]: 2,
  }),
);
await exporter.forceFlush();
process.stdout.write('ready\n');
setInterval(() => {
  // Keep writing heartbeats until killed.
  exporter.recordInProgress(
    span(runId, undefined, 'invoke_agent chat_turn', now - 5000, undefined, {
      [RuntraceAttributes.SPAN_KIND]: 'run',
      [RuntraceAttributes.STATUS]: 'in_progress',
      [GenAiAttributes.CONVERSATION_ID]: 'crash',
    }),
  );
}, 5);
