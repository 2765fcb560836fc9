// The web viewer in a real browser (Debian's Chromium through playwright-core): the runs page and
// its filters, a run's waterfall and a retried attempt's 429 body, prompts holding markup shown as
// inert text, keyboard navigation, and an in-progress run finishing live while the page is open.
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { GenAiAttributes, HttpAttributes, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { SqliteSpanExporter } from '@runtrace/store';
import { startUi } from '@runtrace/ui';
import type { UiServer } from '@runtrace/ui';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './__fixtures__/chromium.js';

const resource = resourceFromAttributes({ 'service.name': 'support-bot' });
const NOW = Date.now();
const XSS_LABEL = 'summarize <img src=x onerror="window.__xss=1"> then </script><script>window.__xss=2</script>';

interface SpanSpec {
  readonly traceId: string;
  readonly spanId: string;
  readonly parent?: string;
  readonly name: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly attributes: Attributes;
  readonly ended?: boolean;
}

function spanOf(spec: SpanSpec): ReadableSpan {
  const { traceId, spanId } = spec;
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
  const ended = spec.ended ?? true;
  const status = spec.attributes[RuntraceAttributes.STATUS];
  return {
    name: spec.name,
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    ...(spec.parent === undefined ? {} : { parentSpanContext: { traceId, spanId: spec.parent, traceFlags: 1 } }),
    startTime: hr(spec.startMs),
    endTime: ended ? hr(spec.startMs + spec.durationMs) : [0, 0],
    status: { code: status === 'error' ? 2 : ended ? 1 : 0 },
    attributes: spec.attributes,
    links: [],
    events: [],
    duration: ended ? hr(spec.durationMs) : [0, 0],
    ended,
    resource,
    instrumentationScope: { name: 'runtrace' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** A run with one step; `attempts` are the HTTP status codes of the step's round trips, in order. */
function runSpans(index: number, options: { status: string; label: string; attempts: readonly number[]; ended?: boolean; startMs: number }): ReadableSpan[] {
  const traceId = index.toString(16).padStart(32, '0');
  const runId = `a${index.toString(16).padStart(15, '0')}`;
  const stepId = `b${index.toString(16).padStart(15, '0')}`;
  const ended = options.ended ?? true;
  const common = { [RuntraceAttributes.RUN_ID]: runId, [RuntraceAttributes.STATUS]: options.status };
  const spans = [
    spanOf({
      traceId,
      spanId: stepId,
      parent: runId,
      name: 'chat gpt-4o-mini',
      startMs: options.startMs + 5,
      durationMs: 900,
      ended,
      attributes: {
        ...common,
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.STEP,
        [RuntraceAttributes.STEP_NUMBER]: 1,
        [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        [GenAiAttributes.USAGE_INPUT_TOKENS]: 120,
        [GenAiAttributes.USAGE_OUTPUT_TOKENS]: 30,
        [GenAiAttributes.INPUT_MESSAGES]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: options.label }] }]),
        [RuntraceAttributes.STEP_TIME_TO_FIRST_CHUNK_MS]: 450,
      },
    }),
    ...options.attempts.map((code, attempt) =>
      spanOf({
        traceId,
        spanId: `c${index.toString(16).padStart(13, '0')}0${attempt}`,
        parent: stepId,
        name: 'POST',
        startMs: options.startMs + 10 + attempt * 400,
        durationMs: 300,
        ended,
        attributes: {
          ...common,
          [RuntraceAttributes.SPAN_KIND]: SpanKinds.ATTEMPT,
          [RuntraceAttributes.STEP_ID]: stepId,
          [RuntraceAttributes.ATTEMPT_NUMBER]: attempt + 1,
          [RuntraceAttributes.STATUS]: code === 200 ? 'completed' : 'error',
          [HttpAttributes.REQUEST_METHOD]: 'POST',
          [HttpAttributes.URL_FULL]: 'https://api.openai.com/v1/chat/completions',
          [HttpAttributes.RESPONSE_STATUS_CODE]: code,
          ...(code === 200
            ? { [RuntraceAttributes.ATTEMPT_RESPONSE_BODY]: 'data: {"choices":[{"delta":{"content":"Rainy"}}]}\n\ndata: {"choices":[{"delta":{"content":", 9 °C"}}]}\n\ndata: [DONE]\n\n' }
            : {}),
          ...(code === 429
            ? {
                [RuntraceAttributes.ATTEMPT_RETRY_CLASSIFICATION]: 'rate_limited',
                [RuntraceAttributes.ATTEMPT_RESPONSE_BODY]: JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } }),
                // As the processor leaves a credential it masked.
                [RuntraceAttributes.ATTEMPT_REQUEST_BODY]: JSON.stringify({ model: 'gpt-4o-mini', api_key: '[REDACTED]' }),
              }
            : {}),
        },
      }),
    ),
    spanOf({
      traceId,
      spanId: runId,
      name: 'invoke_agent',
      startMs: options.startMs,
      durationMs: 1000,
      ended,
      attributes: {
        ...common,
        [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN,
        [RuntraceAttributes.RUN_KIND]: 'chat_turn',
        [RuntraceAttributes.RUN_LABEL]: options.label,
        [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o-mini',
        ...(index <= 2 ? { [GenAiAttributes.CONVERSATION_ID]: 'conv-weather' } : {}),
      },
    }),
  ];
  return spans;
}

function exportSpans(exporter: SqliteSpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (result) => (result.error === undefined ? resolve() : reject(result.error instanceof Error ? result.error : new Error(String(result.error))))),
  );
}

describe('runtrace ui in Chromium', () => {
  let dir: string;
  let db: string;
  let ui: UiServer;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-ui-'));
    db = join(dir, 'runtrace.db');
    const exporter = new SqliteSpanExporter({ path: db });
    await exportSpans(exporter, [
      ...runSpans(1, { status: 'completed', label: 'what is the weather in Bergen', attempts: [429, 200], startMs: NOW - 60_000 }),
      ...runSpans(2, { status: 'error', label: XSS_LABEL, attempts: [500], startMs: NOW - 50_000 }),
    ]);
    // A run still going: its live rows.
    for (const span of runSpans(3, { status: 'in_progress', label: 'a long research task', attempts: [200], ended: false, startMs: NOW - 5_000 })) exporter.recordInProgress(span);
    await exporter.shutdown();
    ui = await startUi({ databasePath: db, port: 0, pollIntervalMs: 100 });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the runs, newest first, the running one marked; a filter narrows them', async () => {
    await page.goto(ui.url);
    await page.waitForSelector('tr[data-run-id]');
    const rows = await page.locator('tr[data-run-id]').all();
    expect(await Promise.all(rows.map((row) => row.getAttribute('data-run-id')))).toEqual(['a000000000000003', 'a000000000000002', 'a000000000000001']);
    await expect.poll(() => page.locator('tr[data-run-id="a000000000000003"] .status').textContent()).toBe('in progress');
    await page.selectOption('select[name=status]', 'error');
    await expect.poll(() => page.locator('tr[data-run-id]').count()).toBe(1);
    expect(page.url()).toContain('#/runs?status=error');
    expect(await page.locator('tr[data-run-id]').getAttribute('data-run-id')).toBe('a000000000000002');
  });

  it('renders a prompt holding markup as inert text, on the runs page and in a run', async () => {
    await page.goto(`${ui.url}#/runs`);
    await page.waitForSelector('tr[data-run-id="a000000000000002"]');
    expect(await page.locator('tr[data-run-id="a000000000000002"] td.label').textContent()).toBe(XSS_LABEL);
    expect(await page.locator('img').count()).toBe(0);
    await page.goto(`${ui.url}#/run/a000000000000002`);
    await page.getByRole('button', { name: /step 1/ }).click();
    await page.waitForSelector('aside.panel');
    expect(await page.locator('aside.panel').textContent()).toContain('summarize <img src=x onerror=');
    // The conversation as a transcript: the user's message, as the characters it holds.
    expect(await page.locator('.transcript .message.role-user p').textContent()).toBe(XSS_LABEL);
    expect(await page.locator('img, script:not([src])').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("opens a run's waterfall and shows the retried attempt's 429 body", async () => {
    await page.goto(`${ui.url}#/runs`);
    await page.click('tr[data-run-id="a000000000000001"] a.run-link');
    await page.waitForSelector('table.waterfall');
    expect(page.url()).toContain('#/run/a000000000000001');
    const labels = await page.locator('table.waterfall .span-button').allTextContents();
    expect(labels).toEqual(['step 1 chat gpt-4o-mini', 'attempt 1 POST 429', 'attempt 2 POST 200']);
    expect(await page.locator('tr.kind-attempt').first().locator('.note').textContent()).toContain('rate_limited');
    await page.getByRole('button', { name: 'attempt 1 POST 429' }).click();
    const panel = page.locator('aside.panel');
    await panel.waitFor();
    expect(await panel.locator('.body-text').nth(1).textContent()).toContain('Rate limit reached for gpt-4o-mini');
    // What runtrace masked is marked as such.
    expect(await panel.locator('.body-text').first().locator('mark.masked').allTextContents()).toEqual(['[REDACTED]']);
    // A streamed answer: each event's JSON indented in place.
    await page.getByRole('button', { name: 'attempt 2 POST 200' }).click();
    await expect.poll(() => panel.locator('.body-text').first().textContent()).toContain('data: {\n  "choices": [\n    {\n      "delta": {\n        "content": "Rainy"');
    expect(await panel.locator('.body-text').first().textContent()).toContain('data: [DONE]');
    expect(await page.locator('.run-header').textContent()).toMatch(/1 steps · 2 attempts \(1 retries\)/);
    // The first chunk is marked on the step's bar.
    expect(await page.locator('tr.kind-step .first-chunk').getAttribute('title')).toBe('first chunk at 450 ms');
  });

  it('filters by a time range given as local times', async () => {
    const local = (ms: number): string => {
      const date = new Date(ms);
      const two = (value: number): string => String(value).padStart(2, '0');
      return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
    };
    await page.goto(`${ui.url}#/runs?to=${encodeURIComponent(local(NOW - 55_000))}`);
    await expect.poll(async () => (await Promise.all((await page.locator('tr[data-run-id]').all()).map((row) => row.getAttribute('data-run-id')))).join(',')).toBe('a000000000000001');
    await page.goto(`${ui.url}#/runs?from=${encodeURIComponent(local(NOW - 52_000))}&to=${encodeURIComponent(local(NOW - 20_000))}`);
    await expect.poll(async () => (await Promise.all((await page.locator('tr[data-run-id]').all()).map((row) => row.getAttribute('data-run-id')))).join(',')).toBe('a000000000000002');
  });

  it('shows a conversation: its runs, oldest first', async () => {
    await page.goto(`${ui.url}#/runs`);
    await page.waitForSelector('tr[data-run-id="a000000000000001"]');
    await page.goto(`${ui.url}#/run/a000000000000001`);
    await page.getByRole('link', { name: 'conv-weather' }).click();
    await expect.poll(async () => (await Promise.all((await page.locator('tr[data-run-id]').all()).map((row) => row.getAttribute('data-run-id')))).join(',')).toBe('a000000000000001,a000000000000002');
    expect(page.url()).toContain('#/conversation/conv-weather');
  });

  it('moves through the runs table with the keyboard', async () => {
    await page.goto(`${ui.url}#/runs`);
    await page.waitForSelector('tr[data-run-id]');
    await page.locator('a.brand').focus();
    let focused = '';
    for (let presses = 0; presses < 40 && !focused.startsWith('a0'); presses++) {
      await page.keyboard.press('Tab');
      focused = await page.locator('a.run-link:focus').count() === 1 ? ((await page.locator('a.run-link:focus').textContent()) ?? '') : '';
    }
    expect(focused).toBe('a000000000000003');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.run-header');
    expect(page.url()).toContain('#/run/a000000000000003');
  });

  it('shows an in-progress run finishing without a reload', async () => {
    await page.goto(`${ui.url}#/runs`);
    const status = page.locator('tr[data-run-id="a000000000000003"] .status');
    await expect.poll(() => status.textContent()).toBe('in progress');
    const writer = new SqliteSpanExporter({ path: db, sweepOnOpen: false });
    await exportSpans(writer, runSpans(3, { status: 'completed', label: 'a long research task', attempts: [200], startMs: NOW - 5_000 }));
    await writer.shutdown();
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toBe('completed');
  });

  it('keeps updating live after the viewer restarts (the page reconnects by itself)', async () => {
    await page.goto(`${ui.url}#/runs`);
    await page.waitForSelector('tr[data-run-id="a000000000000003"]');
    const port = ui.port;
    await ui.close();
    ui = await startUi({ databasePath: db, port, pollIntervalMs: 100 });
    // The page's event stream comes back (after its first back-off delay of a second).
    await expect.poll(() => ui.liveClients(), { timeout: 10_000 }).toBe(1);
    const writer = new SqliteSpanExporter({ path: db, sweepOnOpen: false });
    await exportSpans(writer, runSpans(4, { status: 'completed', label: 'written after the restart', attempts: [200], startMs: NOW - 1_000 }));
    await writer.shutdown();
    await page.waitForSelector('tr[data-run-id="a000000000000004"]', { timeout: 10_000 });
  });

  it('shows the stats: figures, charts and models', async () => {
    await page.goto(`${ui.url}#/stats`);
    await page.waitForSelector('.figures');
    expect(await page.locator('.figure').first().textContent()).toMatch(/^runs4/);
    const charts = await page.locator('figure.chart svg[role=img]').all();
    const labels = await Promise.all(charts.map((chart) => chart.getAttribute('aria-label')));
    expect(labels.find((label) => label?.startsWith('runs by day'))).toMatch(/ 4$/);
    expect(labels.find((label) => label?.startsWith('runs by provider'))).toBeDefined();
    expect(await page.locator('figure.chart rect.bar-rect').count()).toBeGreaterThan(3);
    expect(await page.locator('table.models tbody tr').first().locator('td').first().textContent()).toBe('gpt-4o-mini');
  });

  it('has no serious accessibility violations on any page (axe-core)', async () => {
    const { source } = (await import('axe-core')).default;
    const violations: string[] = [];
    for (const [hash, open] of [['#/runs', undefined], ['#/run/a000000000000001', 'attempt 1 POST 429'], ['#/stats', undefined]] as const) {
      await page.goto(`${ui.url}${hash}`);
      await page.waitForSelector('main h1');
      if (open !== undefined) {
        await page.getByRole('button', { name: open }).click();
        await page.waitForSelector('aside.panel');
      }
      // Injected through the debugging protocol, which the page's script policy does not govern.
      await page.evaluate(source);
      const found = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
        const result = await axe.run();
        return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.length }));
      });
      for (const violation of found) if (violation.impact === 'serious' || violation.impact === 'critical') violations.push(`${hash}: ${violation.id} (${violation.impact}, ${violation.nodes} nodes)`);
    }
    expect(violations).toEqual([]);
  });

  it('raised no script error on any page, and asked nothing of any other origin', () => {
    expect(pageErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((url) => !url.startsWith(`http://127.0.0.1:${ui.port}/`) && url !== 'about:blank')).toEqual([]);
  });

  it('answers only requests to its own address, read-only, under a strict content policy', async () => {
    const page = await fetch(ui.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    // DNS rebinding: another name for this address, as a page of evil.example would send it.
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: ui.port, path: '/api/runs', headers: { host: `evil.example:${ui.port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(rebound).toBe(421);
    const post = await fetch(`${ui.url}api/runs`, { method: 'POST' });
    expect(post.status).toBe(405);
    const bad = await fetch(`${ui.url}api/runs?status=done`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('status');
  });
});
