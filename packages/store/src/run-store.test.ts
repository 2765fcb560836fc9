// The store's query API on both backends, from one set of tests: a SQLite file and a PostgreSQL
// database (a real server) answer the same queries, deletes, retention and sweeps alike.
import { ExportResultCode } from '@opentelemetry/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenAiAttributes, InvalidArgumentError, RuntraceAttributes, ShutDownError, StoreWriteError } from '@runtrace/core';
import { closedPortUrl } from '@runtrace/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, R, T0, attemptSpan, fixtureSpans, inProgressSpans, normalizeForTest, runSpan, stepSpan, testPricing } from './__fixtures__/spans.js';
import { BACKENDS, closeStore, exportAll, postgresBackend } from './__fixtures__/store-backends.js';
import type { StoreLocation } from './__fixtures__/store-backends.js';
import { openStore, openStoreAt } from './open-store.js';
import type { RunStore } from './open-store.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';

const NOW = T0 + 3 * DAY + HOUR + 2000;
const clock = (): number => NOW;

describe.each(BACKENDS.map((make) => [make().name, make] as const))('the %s store', (_name, make) => {
  const backend = make();
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  async function seed(): Promise<{ location: StoreLocation; store: RunStore }> {
    const location = await backend.fresh();
    const exporter = location.exporter({ pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
    for (const span of inProgressSpans()) exporter.recordInProgress(span);
    const result = await exportAll(exporter, fixtureSpans());
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    return { location, store: location.open({ now: clock, normalizeModel: normalizeForTest }) };
  }

  describe('queries on the seeded fixture', () => {
    let location: StoreLocation;
    let store: RunStore;
    beforeEach(async () => {
      ({ location, store } = await seed());
    });
    afterEach(() => closeStore(store));

    const ids = (page: { runs: readonly { runId: string }[] }): string[] => page.runs.map((run) => run.runId);

    it('lists runs newest first and pages with a cursor that is stable under inserts', async () => {
      expect(ids(await store.listRuns())).toEqual([R.R5, R.R4, R.R3, R.R2, R.R1, R.R0]);
      const first = await store.listRuns({ limit: 2 });
      expect(ids(first)).toEqual([R.R5, R.R4]);
      // A newer run recorded between pages must not shift later pages.
      const exporter = location.exporter({ pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
      await exportAll(exporter, [runSpan({ id: 'f000000000000000', trace: 'f'.repeat(32), startMs: NOW, endMs: NOW + 1000, status: 'completed' })]);
      await exporter.shutdown();
      const second = await store.listRuns({ limit: 2, cursor: first.nextCursor! });
      expect(ids(second)).toEqual([R.R3, R.R2]);
      const third = await store.listRuns({ limit: 2, cursor: second.nextCursor! });
      expect(ids(third)).toEqual([R.R1, R.R0]);
      expect(third.nextCursor).toBeNull();
    });

    it('filters by conversation, kind, status, provider, normalized model and label', async () => {
      expect(ids(await store.listRuns({ conversationId: 'c1' }))).toEqual([R.R2, R.R1]);
      expect(ids(await store.listRuns({ kind: 'title_generation' }))).toEqual([R.R3]);
      expect(ids(await store.listRuns({ status: ['error', 'interrupted'] }))).toEqual([R.R3, R.R2]);
      expect(ids(await store.listRuns({ status: 'in_progress' }))).toEqual([R.R5]);
      expect(ids(await store.listRuns({ provider: 'anthropic' }))).toEqual([R.R4, R.R3]);
      expect(ids(await store.listRuns({ model: 'GPT-TEST' }))).toEqual([R.R5, R.R2, R.R1, R.R0]);
      expect(ids(await store.listRuns({ labelContains: 'QUESTION' }))).toEqual([R.R2]);
      expect(ids(await store.listRuns({ labelContains: '%' }))).toEqual([]);
      expect(ids(await store.listRuns({ conversationId: 'c1', status: 'completed' }))).toEqual([R.R1]);
    });

    it('filters a time range by overlap, in-progress runs reaching to now', async () => {
      expect(ids(await store.listRuns({ from: T0 + 25_000, to: T0 + HOUR }))).toEqual([R.R1]);
      expect(ids(await store.listRuns({ from: T0 + 3 * DAY + 2 * HOUR, to: T0 + 4 * DAY }))).toEqual([R.R5, R.R4]);
      expect(ids(await store.listRuns({ from: new Date(T0 - 3 * DAY), to: new Date(T0) }))).toEqual([R.R0]);
    });

    it('sorts by cost, duration and tokens', async () => {
      expect(ids(await store.listRuns({ sort: 'cost' }))).toEqual([R.R4, R.R2, R.R1, R.R0, R.R5, R.R3]);
      expect(ids(await store.listRuns({ sort: 'duration', direction: 'asc' }))).toEqual([R.R5, R.R0, R.R1, R.R2, R.R3, R.R4]);
      expect(ids(await store.listRuns({ sort: 'tokens' }))).toEqual([R.R4, R.R2, R.R1, R.R3, R.R0, R.R5]);
      const firstPage = await store.listRuns({ sort: 'cost', limit: 4 });
      expect(ids(await store.listRuns({ sort: 'cost', limit: 4, cursor: firstPage.nextCursor! }))).toEqual([R.R5, R.R3]);
    });

    it('sorts by a figure under filters of every kind, paging through the same order', async () => {
      // Filters the figures' covering index holds (model, status) and ones it does not (conversation, label).
      expect(ids(await store.listRuns({ model: 'gpt-test', sort: 'tokens', direction: 'asc' }))).toEqual([R.R5, R.R0, R.R1, R.R2]);
      expect(ids(await store.listRuns({ conversationId: 'c1', sort: 'duration' }))).toEqual([R.R2, R.R1]);
      expect(ids(await store.listRuns({ labelContains: 'question', sort: 'cost' }))).toEqual([R.R2]);
      const pages: string[][] = [];
      let page = await store.listRuns({ status: ['completed', 'error', 'interrupted', 'in_progress'], sort: 'duration', direction: 'asc', limit: 2 });
      pages.push(ids(page));
      while (page.nextCursor !== null) {
        page = await store.listRuns({ status: ['completed', 'error', 'interrupted', 'in_progress'], sort: 'duration', direction: 'asc', limit: 2, cursor: page.nextCursor });
        pages.push(ids(page));
      }
      expect(pages).toEqual([[R.R5, R.R0], [R.R1, R.R2], [R.R3, R.R4]]);
    });

    it('reports run figures from the summary, or aggregated from steps without one', async () => {
      const [r1] = (await store.listRuns({ conversationId: 'c1', status: 'completed' })).runs;
      expect(r1).toMatchObject({ runId: R.R1, status: 'completed', stepCount: 2, inputTokens: 1000, outputTokens: 500, totalTokens: 1500, costUsd: 0.002, costUnknown: false, toolCallCount: 1, durationMs: 30_000, model: 'GPT-Test', normalizedModel: 'gpt-test', triggerMessageId: 1 });
      const r2 = (await store.getRun(R.R2))!.run;
      // 2000 input at $1/M + 1000 output at $2/M.
      expect(r2).toMatchObject({ status: 'error', stepCount: 1, inputTokens: 2000, outputTokens: 1000, totalTokens: 3000, toolCallCount: 2, hasError: true, endpoint: 'POST /v1/chat/completions', statusMessage: 'run failed' });
      expect(r2.costUsd).toBeCloseTo(0.004, 10);
      expect((await store.getRun(R.R3))!.run).toMatchObject({ costUsd: null, costUnknown: true });
    });

    it('returns a run with its steps in order, attempts, tool calls, events and trace spans', async () => {
      const detail = (await store.getRun(R.R1))!;
      expect(detail.steps.map((step) => [step.number, step.inputTokens, step.outputTokens])).toEqual([[1, 600, 300], [2, 400, 200]]);
      expect(detail.steps[0]).toMatchObject({ timeToFirstChunkMs: 400, finishReasons: ['stop'], operation: 'stream', costUsd: 0.0012 });
      expect(detail.attempts.map((attempt) => [attempt.number, attempt.statusCode, attempt.status])).toEqual([[1, 429, 'error'], [2, 200, 'completed'], [1, 200, 'completed']]);
      expect(detail.attempts[0]).toMatchObject({ retryClassification: 'rate_limited', retryDelayMs: 100, stepId: 'b110000000000000', method: 'POST' });
      expect(detail.toolCalls.map((tool) => [tool.name, tool.status, tool.callId])).toEqual([['search', 'completed', 'call-d110000000000000']]);
      expect(detail.events.map((event) => event.name)).toEqual(['runtrace.first_chunk', 'runtrace.heartbeat']);
      expect(detail.spans.map((span) => [span.spanId, span.parentSpanId, span.name])).toEqual([['e110000000000000', 'd110000000000000', 'GET']]);
      expect(detail.attributes[RuntraceAttributes.RUN_LABEL]).toBe('Hello world');
      expect(await store.getRun('0000000000000000')).toBeUndefined();
    });

    it('computes the overview and the previous period of equal length', async () => {
      const overview = await store.overview({ from: Date.UTC(2026, 0, 10), to: Date.UTC(2026, 0, 14) });
      expect(overview).toMatchObject({
        runs: 5,
        inputTokens: 1000 + 2000 + 100 + 100_000,
        outputTokens: 500 + 1000 + 10 + 100_000,
        totalTokens: 1500 + 3000 + 110 + 200_000,
        costUnknownRuns: 1,
        durationMs: 30_000 + 120_000 + 10 * MINUTE + 2 * HOUR,
        toolCalls: 3,
        byStatus: { in_progress: 1, completed: 2, interrupted: 1, error: 1 },
        successRate: 0.5,
      });
      expect(overview.costUsd).toBeCloseTo(0.002 + 0.004 + 1.8, 10);
      expect(overview.costByModel.map((model) => [model.model, model.provider, model.runs, model.costUnknownRuns])).toEqual([
        ['claude-test', 'anthropic', 1, 0],
        ['gpt-test', 'openai', 3, 0],
        ['unknown-model', 'anthropic', 1, 1],
      ]);
      expect(overview.costByModel[1]!.costUsd).toBeCloseTo(0.006, 10);
      expect(overview.costByModel[2]!.costUsd).toBeNull();
      expect(overview.previousPeriod).toMatchObject({ from: Date.UTC(2026, 0, 6), to: Date.UTC(2026, 0, 10), runs: 1, totalTokens: 20, costUsd: 0.00003, successRate: 1 });
      expect((await store.overview()).previousPeriod).toBeNull();
      expect((await store.overview()).runs).toBe(6);
    });

    it('computes analytics with every day and every bucket present', async () => {
      const analytics = await store.analytics({ from: Date.UTC(2026, 0, 10), to: Date.UTC(2026, 0, 14) });
      expect(analytics.activityByDay.map((day) => [day.date, day.runs, day.errors, day.totalTokens])).toEqual([
        ['2026-01-10', 2, 1, 4500],
        ['2026-01-11', 1, 0, 110],
        ['2026-01-12', 0, 0, 0],
        ['2026-01-13', 2, 0, 200_000],
      ]);
      expect(analytics.durationBuckets.map((bucket) => [bucket.label, bucket.count])).toEqual([
        ['<1m', 1], ['1–5m', 1], ['5–15m', 1], ['15–30m', 0], ['30–60m', 0], ['>1h', 1],
      ]);
      expect(analytics.costBuckets.map((bucket) => [bucket.label, bucket.count])).toEqual([
        ['<$0.01', 3], ['$0.01–0.10', 0], ['$0.10–0.50', 0], ['$0.50–1.00', 0], ['$1.00–5.00', 1], ['>$5.00', 0],
      ]);
      expect(analytics.costUnknownRuns).toBe(1);
      expect(analytics.totalRuns).toBe(5);
      expect(analytics.averageCostUsd).toBeCloseTo((0.002 + 0.004 + 1.8 + 0) / 4, 10);
      expect(analytics.averageDurationMs).toBe((30_000 + 120_000 + 10 * MINUTE + 2 * HOUR) / 4);
      expect(analytics.modelPerformance[0]).toMatchObject({ model: 'gpt-test', provider: 'openai', runs: 3, completed: 1, successRate: 0.5, averageDurationMs: 75_000, averageTokens: 1500 });
      expect(analytics.modelPerformance[0]!.averageCostUsd).toBeCloseTo(0.002, 10);
      expect(analytics.modelPerformance.map((model) => model.model)).toEqual(['gpt-test', 'claude-test', 'unknown-model']);
      expect(analytics.providerBreakdown.map((provider) => [provider.provider, provider.runs])).toEqual([['openai', 3], ['anthropic', 2]]);
      expect(analytics.topTools.map((tool) => [tool.name, tool.calls, tool.errors])).toEqual([['search', 2, 1], ['fetch', 1, 0]]);

      const empty = await store.analytics({ from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 3) });
      expect(empty.activityByDay.map((day) => day.date)).toEqual(['2025-01-01', '2025-01-02']);
      expect(empty.durationBuckets).toHaveLength(6);
      expect(empty.costBuckets.every((bucket) => bucket.count === 0)).toBe(true);
    });

    it('computes per-run analytics', async () => {
      expect(await store.runAnalytics(R.R1)).toEqual({
        runId: R.R1,
        steps: 2,
        attempts: 3,
        retries: 1,
        timeToFirstTokenMs: 400,
        tokensPerSecond: 500 / 20,
        longestPauseMs: 1000,
        averageStepDurationMs: 10_000,
        toolCalls: 1,
        uniqueTools: 1,
        toolErrors: 0,
        toolFrequency: { search: 1 },
      });
      expect(await store.runAnalytics(R.R2)).toMatchObject({ steps: 1, retries: 0, tokensPerSecond: 10, uniqueTools: 2, toolErrors: 1, timeToFirstTokenMs: null });
      expect(await store.runAnalytics('0000000000000000')).toBeUndefined();
    });

    it('validates filters with InvalidArgumentError naming the parameter and value', async () => {
      const expectInvalid = async (call: () => unknown, parameter: string, value: unknown): Promise<void> => {
        try {
          // A SQLite store throws at once, a PostgreSQL store's promise rejects.
          await call();
          expect.unreachable('should have thrown');
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as InvalidArgumentError).parameter).toBe(parameter);
          expect((error as InvalidArgumentError).value).toEqual(value);
        }
      };
      await expectInvalid(() => store.listRuns({ status: 'done' as 'error' }), 'status', 'done');
      await expectInvalid(() => store.listRuns({ limit: 0 }), 'limit', 0);
      await expectInvalid(() => store.listRuns({ sort: 'name' as 'cost' }), 'sort', 'name');
      await expectInvalid(() => store.listRuns({ cursor: 'garbage' }), 'cursor', 'garbage');
      await expectInvalid(() => store.listRuns({ from: 10, to: 5 }), 'to', 5);
      await expectInvalid(() => store.listRuns({ from: new Date('nope') }), 'from', new Date('nope'));
      await expectInvalid(() => store.listRuns({ conversationId: '' }), 'conversationId', '');
      await expectInvalid(() => store.deleteAfterMessage({ conversationId: 'c1', messageId: 1.5, startedBefore: NOW }), 'messageId', 1.5);
      const cursor = (await store.listRuns({ limit: 1 })).nextCursor!;
      await expectInvalid(() => store.listRuns({ sort: 'cost', cursor }), 'cursor', cursor);
    });
  });

  describe('deletes, retention and sweeps', () => {
    let location: StoreLocation;
    let store: RunStore;
    beforeEach(async () => {
      ({ location, store } = await seed());
    });
    afterEach(() => closeStore(store));

    it('deletes after a message id, bounded by startedBefore', async () => {
      // R2 started at T0 + 2h: a cleanup bounded before it deletes nothing.
      expect(await store.deleteAfterMessage({ conversationId: 'c1', messageId: 2, startedBefore: T0 + HOUR })).toEqual({ runs: 0, steps: 0, attempts: 0, toolCalls: 0, events: 0, spans: 0 });
      expect(await store.deleteAfterMessage({ conversationId: 'c1', messageId: 2, startedBefore: T0 + 3 * HOUR })).toEqual({ runs: 1, steps: 1, attempts: 1, toolCalls: 2, events: 0, spans: 0 });
      expect((await store.listRuns({ conversationId: 'c1' })).runs.map((run) => run.runId)).toEqual([R.R1]);
    });

    it('deletes a conversation with everything under it', async () => {
      expect(await store.deleteConversation({ conversationId: 'c1', startedBefore: T0 + HOUR })).toEqual({ runs: 1, steps: 2, attempts: 3, toolCalls: 1, events: 2, spans: 1 });
      expect(await store.getRun(R.R1)).toBeUndefined();
      expect(await store.getRun(R.R2)).toBeDefined();
    });

    it('applies retention by age', async () => {
      const result = await store.applyRetention({ maxAgeMs: 3 * DAY, now: T0 + 4 * DAY });
      // Cutoff T0 + 1 day: R0, R1 and R2 started before it.
      expect(result).toMatchObject({ runs: 3, steps: 3, attempts: 4, toolCalls: 3, events: 2, spans: 1 });
      expect((await store.listRuns()).runs.map((run) => run.runId)).toEqual([R.R5, R.R4, R.R3]);
    });

    it('applies retention by size, oldest runs first', async () => {
      const exporter = location.exporter({ pricing: testPricing, now: clock });
      // Labels that do not compress (PostgreSQL compresses long values; SQLite does not).
      let seed = 7;
      const noise = (): string => Array.from({ length: 4000 }, () => String.fromCharCode(33 + ((seed = (seed * 48_271) % 2_147_483_647) % 90))).join('');
      const spans = Array.from({ length: 400 }, (_, index) =>
        runSpan({ id: (0xb000000000000000n + BigInt(index)).toString(16), trace: index.toString(16).padStart(32, '1'), startMs: T0 + 5 * DAY + index * 1000, endMs: T0 + 5 * DAY + index * 1000 + 500, status: 'completed', attributes: { [RuntraceAttributes.RUN_LABEL]: noise() } }),
      );
      expect((await exportAll(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      const before = await store.applyRetention({ maxBytes: 1e12 });
      expect(before.runs).toBe(0);
      const result = await store.applyRetention({ maxBytes: before.bytesAfter / 2 });
      expect(result.runs).toBeGreaterThan(0);
      expect(result.bytesAfter).toBeLessThan(result.bytesBefore);
      expect(result.bytesAfter).toBeLessThanOrEqual(before.bytesAfter / 2 + 64 * 1024);
      // The newest run survives, the oldest (R0) is gone.
      expect(await store.getRun((0xb000000000000000n + 399n).toString(16))).toBeDefined();
      expect(await store.getRun(R.R0)).toBeUndefined();
    });

    it('sweeps stale in-progress rows on demand and returns counts', async () => {
      expect((await store.listRuns({ status: 'in_progress' })).runs).toHaveLength(1);
      expect(await store.sweep({ now: NOW + 4 * MINUTE })).toEqual({ runs: 0, steps: 0, attempts: 0, toolCalls: 0 });
      expect(await store.sweep({ now: NOW + 6 * MINUTE })).toEqual({ runs: 1, steps: 1, attempts: 0, toolCalls: 0 });
      const r5 = (await store.getRun(R.R5))!;
      expect(r5.run).toMatchObject({ status: 'interrupted', stale: true, endTimeMs: NOW });
      expect(r5.steps[0]!.status).toBe('interrupted');
    });
  });

  describe('ingest', () => {
    it("rolls a run's endpoint up by the rule the run summary uses: the first attempt's, whatever its outcome, method in upper case", async () => {
      const location = await backend.fresh();
      const exporter = location.exporter({ pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
      const trace = 'e'.repeat(32);
      const common = { run: 'e000000000000001', trace, startMs: T0 + 10 };
      await exportAll(exporter, [
        runSpan({ id: common.run, trace, startMs: T0, endMs: T0 + 900, status: 'error' }),
        stepSpan({ ...common, id: 'e000000000000002', parent: common.run, number: 1, model: 'gpt-test', input: 0, output: 0, endMs: T0 + 800, status: 'error' }),
        // Both attempts failed; the first started first.
        attemptSpan({ ...common, id: 'e000000000000004', parent: 'e000000000000002', number: 2, statusCode: 503, startMs: T0 + 400, endMs: T0 + 500, status: 'error', attributes: { 'http.request.method': 'post', 'url.full': 'https://api.example.test/v1/retried' } }),
        attemptSpan({ ...common, id: 'e000000000000003', parent: 'e000000000000002', number: 1, statusCode: 429, startMs: T0 + 20, endMs: T0 + 300, status: 'error', attributes: { 'http.request.method': 'post' } }),
      ]);
      await exporter.shutdown();
      const store = location.open({ now: clock, normalizeModel: normalizeForTest });
      try {
        expect((await store.getRun(common.run))!.run.endpoint).toBe('POST /v1/chat/completions');
      } finally {
        await closeStore(store);
      }
    });

    it('is idempotent for duplicates and independent of arrival order', async () => {
      const location = await backend.fresh();
      const exporter = location.exporter({ pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
      const spans = fixtureSpans();
      // Parents before children, twice, concurrently.
      const results = await Promise.all([exportAll(exporter, [...spans].reverse()), exportAll(exporter, spans), exportAll(exporter, spans.slice(3))]);
      expect(results.map((result) => result.code)).toEqual([0, 0, 0]);
      // A late in-progress snapshot never replaces a finished row.
      exporter.recordInProgress(runSpan({ id: R.R1, trace: '1'.padStart(32, '0'), startMs: T0, status: 'in_progress' }));
      await exporter.shutdown();
      const store = location.open({ now: clock, normalizeModel: normalizeForTest });
      try {
        expect((await store.overview()).runs).toBe(5);
        const r2 = (await store.getRun(R.R2))!;
        expect(r2.run).toMatchObject({ stepCount: 1, totalTokens: 3000, toolCallCount: 2 });
        expect(r2.toolCalls).toHaveLength(2);
        expect((await store.getRun(R.R1))!.run.status).toBe('completed');
        expect((await store.getRun(R.R1))!.events).toHaveLength(2);
      } finally {
        await closeStore(store);
      }
    });

    it('replaces an in-progress row with the finished span', async () => {
      const location = await backend.fresh();
      const exporter = location.exporter({ now: clock });
      const [live] = inProgressSpans();
      exporter.recordInProgress(live!);
      await exporter.forceFlush();
      const store = location.open({ now: clock });
      expect((await store.getRun(R.R5))!.run.status).toBe('in_progress');
      await exportAll(exporter, [runSpan({ id: R.R5, trace: '5'.padStart(32, '0'), startMs: T0 + 3 * DAY + HOUR, endMs: NOW, status: 'completed' })]);
      expect((await store.getRun(R.R5))!.run).toMatchObject({ status: 'completed', endTimeMs: NOW });
      await closeStore(store);
      await exporter.shutdown();
    });

    it('links sub-agent runs to their parent and deletes them with the root conversation', async () => {
      const location = await backend.fresh();
      const exporter = location.exporter({ now: clock });
      const trace = '9'.repeat(32);
      await exportAll(exporter, [
        runSpan({ id: '9100000000000000', trace, startMs: T0, endMs: T0 + 5000, status: 'completed', attributes: { [GenAiAttributes.CONVERSATION_ID]: 'parent' } }),
        runSpan({
          id: '9200000000000000', trace, parentSpanId: '9100000000000000', startMs: T0 + 1000, endMs: T0 + 4000, status: 'completed',
          attributes: { [GenAiAttributes.CONVERSATION_ID]: 'child', [RuntraceAttributes.RUN_PARENT_RUN_ID]: '9100000000000000', [RuntraceAttributes.RUN_ROOT_CONVERSATION_ID]: 'parent' },
        }),
      ]);
      await exporter.shutdown();
      const store = location.open({ now: clock });
      try {
        expect((await store.getRun('9100000000000000'))!.childRuns.map((run) => [run.runId, run.parentRunId, run.rootConversationId])).toEqual([['9200000000000000', '9100000000000000', 'parent']]);
        expect((await store.deleteConversation({ conversationId: 'parent', startedBefore: NOW })).runs).toBe(2);
      } finally {
        await closeStore(store);
      }
    });


    it('throws ShutDownError when used after close', async () => {
      const { store } = await seed();
      await closeStore(store);
      await closeStore(store);
      // A SQLite store throws at once, a PostgreSQL store's promise rejects.
      await expect(Promise.resolve().then(() => store.listRuns())).rejects.toThrow(ShutDownError);
      await expect(Promise.resolve().then(() => store.sweep())).rejects.toThrow(ShutDownError);
      await expect(Promise.resolve().then(() => store.deleteConversation({ conversationId: 'c1', startedBefore: NOW }))).rejects.toThrow(ShutDownError);
    });

  });

  describe('costs of steps without usage', () => {
    it('records a step that was answered but reported no usage as unknown cost, and its run too', async () => {
      const run = 'c100000000000000';
      const trace = 'c1'.repeat(16);
      const base = { run, trace, parent: run, status: 'error' as const };
      // A stream cut before its usage chunk: the model answered, no usage arrived.
      const answered = stepSpan({
        ...base, id: 'c110000000000000', number: 1, model: 'gpt-test', input: 0, output: 0, startMs: T0, endMs: T0 + 500,
        attributes: { [GenAiAttributes.USAGE_INPUT_TOKENS]: undefined, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: undefined, [GenAiAttributes.RESPONSE_MODEL]: 'gpt-test' },
      });
      // A request refused before any answer: nothing consumed, a known zero.
      const refused = stepSpan({
        ...base, id: 'c120000000000000', number: 2, model: 'gpt-test', input: 0, output: 0, startMs: T0 + 600, endMs: T0 + 700,
        attributes: { [GenAiAttributes.USAGE_INPUT_TOKENS]: undefined, [GenAiAttributes.USAGE_OUTPUT_TOKENS]: undefined, [GenAiAttributes.RESPONSE_FINISH_REASONS]: undefined },
      });
      const location = await backend.fresh();
      const exporter = location.exporter({ pricing: testPricing, normalizeModel: normalizeForTest, now: clock });
      const result = await exportAll(exporter, [answered, refused, runSpan({ id: run, trace, startMs: T0, endMs: T0 + 1000, status: 'error' })]);
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      const store = location.open({ now: clock, normalizeModel: normalizeForTest });
      try {
        const detail = (await store.getRun(run))!;
        expect(detail.steps.map((step) => [step.number, step.costUsd, step.costUnknown])).toEqual([
          [1, null, true],
          [2, 0, false],
        ]);
        expect(detail.run).toMatchObject({ costUsd: null, costUnknown: true });
      } finally {
        await closeStore(store);
      }
    });
  });
});

describe('what differs on PostgreSQL', () => {
  const backend = postgresBackend();
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  it('answers again once a database that went away is back, having rejected meanwhile', async () => {
    const location = await backend.fresh();
    const exporter = location.exporter({ now: clock });
    await exportAll(exporter, fixtureSpans());
    await exporter.shutdown();
    const store = location.open({ now: clock });
    try {
      expect((await store.listRuns()).runs).toHaveLength(5);
      await backend.halt();
      try {
        await expect(Promise.resolve().then(() => store.listRuns())).rejects.toThrow();
      } finally {
        await backend.restart();
      }
      expect((await store.listRuns()).runs).toHaveLength(5);
      expect((await store.getRun(R.R1))?.steps).toHaveLength(2);
    } finally {
      await closeStore(store);
    }
  }, 60_000);

  it('tells a poller at once that any writer changed something (dataVersion)', async () => {
    const location = await backend.fresh();
    const store = location.open({ now: clock });
    try {
      const empty = await store.dataVersion();
      const exporter = location.exporter({ now: clock });
      await exportAll(exporter, fixtureSpans());
      const written = await store.dataVersion();
      expect(written).toBeGreaterThan(empty);
      expect(await store.dataVersion()).toBe(written);
      await store.deleteConversation({ conversationId: 'c1', startedBefore: NOW });
      expect(await store.dataVersion()).toBeGreaterThan(written);
      await exporter.shutdown();
    } finally {
      await closeStore(store);
    }
  });

  it('is what openStoreAt opens for a postgres:// location, and a SQLite file for a path', async () => {
    const location = await backend.fresh();
    const store = location.open();
    expect(store).toBeInstanceOf(PostgresStore);
    expect((store as PostgresStore).location).not.toContain('runtrace-test');
    await closeStore(store);
    const dir = mkdtempSync(join(tmpdir(), 'runtrace-open-'));
    try {
      const file = openStoreAt(join(dir, 'runtrace.db'));
      expect(file).toBeInstanceOf(SqliteStore);
      await closeStore(file);
      expect(openStoreAt('postgresql://u:secret@127.0.0.1:1/db')).toBeInstanceOf(PostgresStore);
      expect(() => openStoreAt('mysql://u@h/db')).toThrow(/not a store runtrace can use/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a query on a database that cannot be reached, naming it without its password', async () => {
    const { port } = new URL(await closedPortUrl());
    const store = openStore({ url: `postgres://u:hunter2-secret@127.0.0.1:${port}/db`, connectTimeoutMs: 2_000 });
    try {
      const failure = await store.listRuns().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure).toBeInstanceOf(StoreWriteError);
      expect(failure?.message).toContain(`cannot reach postgres://u:***@127.0.0.1:${port}/db`);
      expect(failure?.message).not.toContain('hunter2-secret');
    } finally {
      await closeStore(store);
    }
  });
});
