// A run's status is its own, in the callback and the handle forms alike; a step that did not
// complete is counted in the run's summary, which the store and the CLI show.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { main } from '@runtrace/cli';
import { openStore } from '@runtrace/store';
import type { RunSummary } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('the run status rule, through register(), the store and the CLI', () => {
  let dir: string;
  let path: string;
  let server: MockOpenAIServer;
  const runs: Record<'inside' | 'after' | 'whole', RunSummary | undefined> = { inside: undefined, after: undefined, whole: undefined };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-status-'));
    path = join(dir, 'runtrace.db');
    const slow = { reply: 'one two three four five six seven eight nine ten', chunkDelayMs: 2 };
    server = await startMockOpenAIServer({ script: [slow, slow, { reply: 'short' }] });
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full' });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL });
    const messages = [{ role: 'user' as const, content: 'Count to ten.' }];
    const ids: Record<keyof typeof runs, string> = { inside: '', after: '', whole: '' };
    try {
      // The consumer stops after two chunks while the run's callback is still running…
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'inside' }, async (run) => {
        ids.inside = run.id;
        await run.step({ operation: 'stream' }, async (step) => {
          let read = 0;
          for await (const _chunk of step.wrapStream(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))) {
            if (++read === 2) break;
          }
        });
      });
      // …and after the callback returned the stream.
      const stream = await runtrace.recorder.run({ kind: 'chat_turn', label: 'after' }, async (run) => {
        ids.after = run.id;
        return run.step({ operation: 'stream' }, async (step) => step.wrapStream(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })));
      });
      let read = 0;
      for await (const _chunk of stream) {
        if (++read === 2) break;
      }
      await runtrace.recorder.run({ kind: 'chat_turn', label: 'whole' }, async (run) => {
        ids.whole = run.id;
        await run.step({ operation: 'generate' }, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
      });
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    const store = openStore({ path, sweepOnOpen: false });
    try {
      for (const key of Object.keys(ids) as (keyof typeof runs)[]) runs[key] = store.getRun(ids[key])?.run;
    } finally {
      store.close();
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('both forms agree: the run completed, its one step was interrupted, and the summary says so', () => {
    for (const key of ['inside', 'after'] as const) {
      expect({ key, ...runs[key] }).toMatchObject({ key, status: 'completed', stepCount: 1, interruptedStepCount: 1, failedStepCount: 0 });
    }
    expect(runs.whole).toMatchObject({ status: 'completed', interruptedStepCount: 0, failedStepCount: 0 });
  });

  it('runtrace runs marks the runs whose steps did not complete, and show names them', async () => {
    let text = '';
    const io = { stdout: { write: (chunk: string) => (text += chunk) }, stderr: { write: (chunk: string) => (text += chunk) }, env: { NO_COLOR: '1' } };
    expect(await main(['runs', '--db', path], io)).toBe(0);
    expect(await main(['show', runs.after!.runId, '--db', path], io)).toBe(0);
    const line = (label: string): string => text.split('\n').find((row) => row.endsWith(label)) ?? '';
    expect(line('inside')).toContain('completed!');
    expect(line('after')).toContain('completed!');
    expect(line('whole')).toContain('completed ');
    expect(line('whole')).not.toContain('completed!');
    expect(text).toContain('! some of its steps failed or were interrupted');
    expect(text).toMatch(/steps {8}1 \(1 interrupted\)/);
  });
});
