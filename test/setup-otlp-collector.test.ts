// register() with the local store and OTLP export to a runtrace collector: both copies land, each with its content view.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Collector } from '@runtrace/collector';
import { openStore } from '@runtrace/store';
import { createRuntrace, register } from 'runtrace';
import { startMockOpenAIServer } from '@runtrace/testkit';

describe('register() exporting over OTLP to a collector', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-setup-otlp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores full content locally and metadata remotely, for the same run id', async () => {
    const receiving = createRuntrace({ store: join(dir, 'collector.db'), otlp: false, env: {} });
    const collector = new Collector({ processor: receiving.processor, port: 0 });
    const { url } = await collector.listen();
    const llm = await startMockOpenAIServer({ script: [{ reply: 'hi there' }] });
    const runtrace = register({ store: join(dir, 'local.db'), contentPolicy: 'full', bodies: 'all', otlp: { endpoint: url, protocol: 'http/protobuf' }, env: {} });
    let runId = '';
    try {
      await runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'c-otlp', label: 'say hi' }, async (run) => {
        runId = run.id;
        await run.step({ operation: 'generate', model: 'gpt-4o-mini' }, async () => {
          const response = await fetch(`${llm.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-secret-0123456789abcdef0123' }, body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hi"}]}' });
          await response.text();
        });
      });
    } finally {
      await runtrace.shutdown();
      await llm.close();
    }
    await collector.close();
    await receiving.forceFlush();
    try {
      const remote = await receiving.store?.getRun(runId);
      expect(remote?.run).toMatchObject({ status: 'completed', conversationId: 'c-otlp', stepCount: 1 });
      expect(remote?.attempts).toHaveLength(1);
      expect(remote?.attempts[0]?.attributes['runtrace.attempt.request_body']).toBeUndefined();
      expect(JSON.stringify(remote)).not.toContain('sk-secret-0123456789abcdef0123');
    } finally {
      await receiving.shutdown();
    }
    const localStore = openStore({ path: join(dir, 'local.db'), sweepOnOpen: false });
    try {
      const detail = localStore.getRun(runId);
      expect(detail?.run.label).toBe('say hi');
      expect(detail?.attempts[0]?.attributes['runtrace.attempt.request_body']).toContain('say hi');
      expect(JSON.stringify(detail)).not.toContain('sk-secret-0123456789abcdef0123');
    } finally {
      localStore.close();
    }
  });
});
