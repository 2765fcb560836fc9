// The zero-code example through its own entry point: four apps with no runtrace code, each run
// under `node --import runtrace/register` against the testkit's mock servers, then `runtrace runs`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openStore } from '@runtrace/store';
import type { RunDetail, RunSummary } from '@runtrace/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'examples/zero-code');
const APPS = ['openai-app.ts', 'anthropic-app.ts', 'gemini-app.ts', 'ai-sdk-app.ts'];

describe('the zero-code example: apps recorded by --import runtrace/register alone', () => {
  let dir: string;
  let output: string;
  let runs: readonly RunSummary[];
  let details: readonly (RunDetail | undefined)[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-e2e-zero-code-'));
    const db = join(dir, 'runtrace.db');
    const env: NodeJS.ProcessEnv = { ...process.env, RUNTRACE_DB: db, NO_COLOR: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' };
    delete env.RUNTRACE_CONTENT;
    const { stdout } = await run(process.execPath, [join(example, 'src/main.ts')], { cwd: dir, env });
    output = stdout;
    const store = openStore({ path: db, sweepOnOpen: false });
    try {
      runs = store.listRuns({ sort: 'start', direction: 'asc' }).runs;
      details = runs.map((entry) => store.getRun(entry.runId, { traceId: entry.traceId }));
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the apps import nothing of runtrace', async () => {
    for (const app of APPS) {
      const source = await readFile(join(example, 'src', app), 'utf8');
      expect({ app, importsRuntrace: /['"](?:runtrace|@runtrace\/)/.test(source) }).toEqual({ app, importsRuntrace: false });
    }
  });

  it('each app ran and printed its answer', () => {
    for (const app of APPS) expect(output).toContain(`== node --import runtrace/register src/${app}`);
    expect(output).toContain('Bergen is 9 °C with rain, as usual.');
    expect(output).toContain('Tromsø is -3 °C under the northern lights.');
  });

  it('one completed llm_call run per app, with its model, tokens and a priced cost read from the wire', () => {
    expect(runs.map((entry) => [entry.kind, entry.status, entry.model, entry.stepCount, entry.inputTokens, entry.outputTokens, entry.costUnknown])).toEqual([
      ['llm_call', 'completed', 'gpt-4o-mini', 1, 14, 9, false],
      ['llm_call', 'completed', 'claude-haiku-4-5', 1, 15, 12, false],
      ['llm_call', 'completed', 'gemini-2.5-flash', 1, 12, 11, false],
      ['llm_call', 'completed', 'gpt-4.1-mini', 1, 14, 9, false],
    ]);
    for (const entry of runs) expect(entry.costUsd).toBeGreaterThan(0);
    // The default content policy with the local store, `full`: each run is labelled with its question.
    expect(runs.map((entry) => entry.label)).toEqual(['What is the weather in Oslo?', 'What is the weather in Bergen?', 'What is the weather in Tromsø?', 'What is the weather in Stavanger?']);
  });

  it("keeps the resource each run and its spans were recorded under: the SDK's, one per process", () => {
    expect(details).toHaveLength(APPS.length);
    for (const detail of details) {
      if (detail === undefined) throw new Error('a listed run is missing');
      const ids = new Set([detail.resourceId, ...detail.steps.map((step) => step.resourceId), ...detail.attempts.map((attempt) => attempt.resourceId)]);
      expect(ids.size).toBe(1);
      expect(Object.keys(detail.resources)).toEqual([detail.resourceId]);
      const resource = detail.resources[detail.resourceId!]!;
      expect(resource.attributes).toMatchObject({ 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry' });
      expect(resource.service).toBe(resource.attributes['service.name']);
      expect(detail.run.service).toBe(resource.service);
    }
    // Each app is its own process (its pid in the resource), so its own resource.
    expect(new Set(details.map((detail) => detail?.resourceId)).size).toBe(APPS.length);
  });

  it('ends with the runs table from the CLI', () => {
    const table = output.slice(output.indexOf('== runtrace runs'));
    const lines = table.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^RUN +STARTED \(UTC\) +STATUS/);
    expect(lines).toHaveLength(6);
    expect(table).toMatch(/completed +llm_call +claude-haiku-4-5 +1 +27 /);
  });
});
