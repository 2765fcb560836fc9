// End-to-end scenarios a demanding user checks: register() with a temp SQLite file, the real
// openai client against the mock OpenAI server, read back through the store's query API and the CLI.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GenAiAttributes, RuntraceAttributes, StreamCloseKinds } from '@runtrace/core';
import type { ContentPolicy } from '@runtrace/core';
import type { Run } from '@runtrace/instrumentation';
import { SqliteStore, openStore } from '@runtrace/store';
import { startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIScenario, MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { register } from 'runtrace';
import type { Runtrace } from 'runtrace';
import { afterEach, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cliPath = join(root, 'packages/cli/bin/runtrace.js');
const MODEL = 'gpt-4o-mini';

interface Setup {
  readonly runtrace: Runtrace;
  readonly store: SqliteStore;
  readonly server: MockOpenAIServer;
  readonly client: OpenAI;
  readonly dir: string;
  readonly db: string;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { contentPolicy: ContentPolicy; script?: MockOpenAIScenario[]; apiKey?: string; defaultQuery?: Record<string, string> }): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'runtrace-e2e-scenarios-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const server = await startMockOpenAIServer({ script: options.script ?? [] });
  cleanups.push(() => server.close());
  const db = join(dir, 'runtrace.db');
  const runtrace = register({ store: db, contentPolicy: options.contentPolicy, otlp: false, env: {} });
  cleanups.push(() => runtrace.shutdown());
  const client = new OpenAI({
    apiKey: options.apiKey ?? 'sk-test',
    baseURL: server.baseURL,
    maxRetries: 0,
    ...(options.defaultQuery === undefined ? {} : { defaultQuery: options.defaultQuery }),
  });
  // A file path: the store is a SqliteStore, whose answers come at once.
  const store = runtrace.store;
  if (!(store instanceof SqliteStore)) throw new Error(`no SQLite store at ${db}`);
  return { runtrace, store, server, client, dir, db };
}

/** One generate step through the real client, with the usage the mock server reported. */
async function generate(setup: Setup, run: Run, text: string): Promise<OpenAI.ChatCompletion> {
  return run.step({ operation: 'generate', model: MODEL }, async (step) => {
    const completion = await setup.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: text }] });
    step.setResponse({
      model: completion.model,
      finishReason: completion.choices[0]?.finish_reason ?? 'unknown',
      ...(completion.usage === undefined ? {} : { usage: { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens } }),
    });
    return completion;
  });
}

/** Every byte of the SQLite file and its WAL and shared-memory files, as latin1 text. */
async function storeBytes(dir: string): Promise<{ names: string[]; text: string }> {
  const names = (await readdir(dir)).filter((name) => name.startsWith('runtrace.db'));
  const text = (await Promise.all(names.map((name) => readFile(join(dir, name), 'latin1')))).join('\n');
  return { names, text };
}

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cliPath, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error: unknown) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('runtrace end to end: register() → real openai client → mock server → store and CLI', () => {
  it('records a sub-agent run as a child run of the same trace, each run counting only its own steps', async () => {
    const s = await setup({
      contentPolicy: 'metadata',
      script: [
        { reply: 'delegating', usage: { promptTokens: 11, completionTokens: 5 } },
        { reply: 'sub answer one', usage: { promptTokens: 20, completionTokens: 3 } },
        { reply: 'sub answer two', usage: { promptTokens: 30, completionTokens: 4 } },
      ],
    });
    let parentId = '';
    let childId = '';
    let childParentRunId: string | undefined;
    await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-parent', provider: 'openai', model: MODEL }, async (run) => {
      parentId = run.id;
      await generate(s, run, 'plan the work');
      await run.tool({ name: 'delegate', callId: 'call_delegate_1', arguments: { task: 'research' } }, () =>
        s.runtrace.recorder.run({ kind: 'sub_agent', conversationId: 'conv-child', provider: 'openai', model: MODEL }, async (child) => {
          childId = child.id;
          childParentRunId = child.parentRunId;
          await generate(s, child, 'research part one');
          await generate(s, child, 'research part two');
        }),
      );
    });
    await s.runtrace.forceFlush();

    expect(childParentRunId).toBe(parentId);
    const listed = s.store.listRuns({ sort: 'start', direction: 'asc' }).runs;
    expect(listed.map((entry) => entry.runId).sort()).toEqual([parentId, childId].sort());
    const parent = s.store.getRun(parentId)!;
    const child = s.store.getRun(childId)!;
    expect(child.run.traceId).toBe(parent.run.traceId);
    expect(child.run).toMatchObject({
      parentRunId: parentId,
      conversationId: 'conv-child',
      parentConversationId: 'conv-parent',
      rootConversationId: 'conv-parent',
      status: 'completed',
      stepCount: 2,
      inputTokens: 50,
      outputTokens: 7,
      toolCallCount: 0,
    });
    expect(parent.run).toMatchObject({
      parentRunId: null,
      conversationId: 'conv-parent',
      status: 'completed',
      stepCount: 1,
      inputTokens: 11,
      outputTokens: 5,
      toolCallCount: 1,
    });
    expect(parent.steps.map((step) => step.number)).toEqual([1]);
    expect(child.steps.map((step) => step.number)).toEqual([1, 2]);
    expect(parent.attempts).toHaveLength(1);
    expect(child.attempts).toHaveLength(2);
    expect(parent.childRuns.map((entry) => entry.runId)).toEqual([childId]);
    // The sub-agent's conversation is found through its root conversation.
    expect(s.store.listRuns({ conversationId: 'conv-child' }).runs.map((entry) => entry.runId)).toEqual([childId]);
  });

  it('records a stream the caller aborted mid-way as interrupted (client-abort), leaving nothing in progress', async () => {
    const gate = deferred();
    const s = await setup({
      contentPolicy: 'metadata',
      script: [{ reply: 'one two three four five six', beforeChunk: (index) => (index === 2 ? gate.promise : undefined) }],
    });
    const controller = new AbortController();
    let runId = '';
    let received = 0;
    let caught: unknown;
    try {
      await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-abort', provider: 'openai', model: MODEL }, async (run) => {
        runId = run.id;
        const stream = await run.step({ operation: 'stream', model: MODEL }, async (step) =>
          step.wrapStream(
            await s.client.chat.completions.create(
              { model: MODEL, messages: [{ role: 'user', content: 'count slowly' }], stream: true, stream_options: { include_usage: true } },
              { signal: controller.signal },
            ),
          ),
        );
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content !== undefined) received += 1;
          if (received === 1) controller.abort();
        }
        // What an application does after its own abort: surface it as an AbortError.
        controller.signal.throwIfAborted();
      });
    } catch (error: unknown) {
      caught = error;
    } finally {
      gate.resolve();
    }
    await s.runtrace.forceFlush();

    expect(received).toBeGreaterThanOrEqual(1);
    expect((caught as Error | undefined)?.name).toBe('AbortError');
    const detail = s.store.getRun(runId)!;
    expect(detail.run.status).toBe('interrupted');
    expect(detail.run.errorType).toBeNull();
    expect(detail.steps).toHaveLength(1);
    const [step] = detail.steps;
    expect(step!.status).toBe('interrupted');
    expect(step!.attributes[RuntraceAttributes.STREAM_CLOSE_KIND]).toBe(StreamCloseKinds.CLIENT_ABORT);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]!.status).toBe('interrupted');
    expect(s.store.listRuns({ status: 'in_progress' }).runs).toEqual([]);
    for (const entity of [...detail.steps, ...detail.attempts, ...detail.toolCalls]) expect(entity.status).not.toBe('in_progress');
  });

  it('records a request the caller aborted before the response arrived as interrupted, not error', async () => {
    const s = await setup({ contentPolicy: 'metadata', script: [{ headersDelayMs: 2_000 }] });
    const controller = new AbortController();
    let runId = '';
    let caught: unknown;
    try {
      await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-stop', provider: 'openai', model: MODEL }, async (run) => {
        runId = run.id;
        await run.step({ operation: 'generate', model: MODEL }, () => {
          const pending = s.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'take your time' }] }, { signal: controller.signal });
          // The user presses "stop" while the model is still thinking.
          setTimeout(() => controller.abort(), 20);
          return pending;
        });
      });
    } catch (error: unknown) {
      caught = error;
    }
    await s.runtrace.forceFlush();

    // The OpenAI client reports the caller's abort as APIUserAbortError (whose name is plain "Error").
    expect(caught).toBeInstanceOf(OpenAI.APIUserAbortError);
    const detail = s.store.getRun(runId)!;
    expect(detail.run).toMatchObject({ status: 'interrupted', errorType: null, hasError: false });
    expect(detail.steps.map((step) => [step.status, step.errorType])).toEqual([['interrupted', null]]);
    expect(detail.attempts.map((attempt) => attempt.status)).toEqual(['interrupted']);
    expect(s.store.listRuns({ status: 'in_progress' }).runs).toEqual([]);
  });

  it('shows a live run as in_progress to a second reader of the file, then completed', async () => {
    const gate = deferred();
    const firstChunk = deferred();
    const s = await setup({
      contentPolicy: 'metadata',
      script: [{ reply: 'alpha beta gamma', beforeChunk: (index) => (index === 1 ? gate.promise : undefined) }],
    });
    let runId = '';
    let text = '';
    const running = s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-live', provider: 'openai', model: MODEL }, async (run) => {
      runId = run.id;
      const stream = await run.step({ operation: 'stream', model: MODEL }, async (step) =>
        step.wrapStream(await s.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], stream: true })),
      );
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        firstChunk.resolve();
      }
    });
    const reader = openStore({ path: s.db });
    cleanups.push(() => Promise.resolve(reader.close()));
    try {
      await firstChunk.promise;
      // Work still open after the store's in-progress delay (200 ms) gets its in_progress rows.
      const deadline = Date.now() + 5_000;
      let live = reader.listRuns().runs;
      while ((live.length === 0 || reader.getRun(runId)?.steps.length !== 1) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        await s.runtrace.storeExporter!.forceFlush();
        live = reader.listRuns().runs;
      }
      expect(live.map((entry) => [entry.runId, entry.status])).toEqual([[runId, 'in_progress']]);
      expect(live[0]!.endTimeMs).toBeNull();
      const liveDetail = reader.getRun(runId)!;
      expect(liveDetail.steps.map((step) => [step.number, step.status])).toEqual([[1, 'in_progress']]);
      expect(reader.listRuns({ status: 'in_progress' }).runs).toHaveLength(1);
    } finally {
      gate.resolve();
    }
    await running;
    await s.runtrace.forceFlush();

    expect(text).toBe('alpha beta gamma');
    const done = reader.getRun(runId)!;
    expect(done.run.status).toBe('completed');
    expect(done.run.endTimeMs).not.toBeNull();
    expect(done.steps.map((step) => [step.number, step.status])).toEqual([[1, 'completed']]);
    expect(reader.listRuns({ status: 'in_progress' }).runs).toEqual([]);
  });

  it('deletes the turns after an edited message, and nothing with a startedBefore earlier than the runs', async () => {
    const s = await setup({ contentPolicy: 'metadata' });
    const before = Date.now() - 1;
    const turnIds: string[] = [];
    for (const messageId of [1, 2, 3]) {
      await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-edit', triggerMessageId: messageId, provider: 'openai', model: MODEL }, async (run) => {
        turnIds.push(run.id);
        await generate(s, run, `message ${messageId}`);
        await run.tool({ name: 'lookup', callId: `call_${messageId}`, arguments: { n: messageId } }, () => ({ ok: true }));
      });
    }
    let otherId = '';
    await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-other', triggerMessageId: 9 }, async (run) => {
      otherId = run.id;
      await generate(s, run, 'another conversation');
    });
    await s.runtrace.forceFlush();
    const [turn1, turn2, turn3] = turnIds as [string, string, string];
    for (const id of turnIds) {
      const detail = s.store.getRun(id)!;
      expect([detail.steps.length, detail.attempts.length, detail.toolCalls.length]).toEqual([1, 1, 1]);
    }

    const nothing = s.store.deleteConversation({ conversationId: 'conv-edit', startedBefore: before });
    expect(nothing).toEqual({ runs: 0, steps: 0, attempts: 0, toolCalls: 0, events: 0, spans: 0 });
    expect(s.store.listRuns({ conversationId: 'conv-edit' }).runs).toHaveLength(3);

    const deleted = s.store.deleteAfterMessage({ conversationId: 'conv-edit', messageId: 1, startedBefore: Date.now() });
    expect(deleted).toMatchObject({ runs: 2, steps: 2, attempts: 2, toolCalls: 2 });
    expect(s.store.getRun(turn2)).toBeUndefined();
    expect(s.store.getRun(turn3)).toBeUndefined();
    const kept = s.store.getRun(turn1)!;
    expect(kept.run.triggerMessageId).toBe(1);
    expect([kept.steps.length, kept.attempts.length, kept.toolCalls.length]).toEqual([1, 1, 1]);
    expect(s.store.listRuns({ conversationId: 'conv-edit' }).runs.map((entry) => entry.runId)).toEqual([turn1]);
    expect(s.store.getRun(otherId)?.run.status).toBe('completed');
    // Nothing of the deleted turns is left behind in any table.
    const reader = openStore({ path: s.db, sweepOnOpen: false });
    try {
      const exported = reader.listRuns({ limit: 1000 }).runs.map((entry) => entry.runId).sort();
      expect(exported).toEqual([turn1, otherId].sort());
    } finally {
      reader.close();
    }
  });

  it('propagates a step error unchanged, records the run as error, and the CLI shows it', async () => {
    class QuotaExceededError extends Error {
      override readonly name = 'QuotaExceededError';
    }
    const thrown = new QuotaExceededError('monthly quota exhausted for tenant t-42');
    const s = await setup({ contentPolicy: 'metadata' });
    let runId = '';
    let caught: unknown;
    try {
      await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-error', provider: 'openai', model: MODEL }, async (run) => {
        runId = run.id;
        await run.step({ operation: 'generate', model: MODEL }, async () => {
          await s.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
          throw thrown;
        });
      });
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    await s.runtrace.shutdown();

    const reader = openStore({ path: s.db, sweepOnOpen: false });
    try {
      const detail = reader.getRun(runId)!;
      expect(detail.run).toMatchObject({ status: 'error', errorType: 'QuotaExceededError', hasError: true });
      expect(detail.run.statusMessage).toContain('monthly quota exhausted');
      expect(detail.steps.map((step) => [step.status, step.errorType])).toEqual([['error', 'QuotaExceededError']]);
      expect(detail.attempts.map((attempt) => attempt.status)).toEqual(['completed']);
    } finally {
      reader.close();
    }
    const shown = await cli(['show', runId, '--db', s.db]);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`run ${runId}`);
    expect(shown.stdout).toMatch(/\berror\b/);
    expect(shown.stdout).toContain('QuotaExceededError');
    expect(shown.stdout).toContain('monthly quota exhausted for tenant t-42');
  });

  it('keeps an API key, a query-string key and a tool-argument secret out of the file bytes and the export', async () => {
    const apiKey = 'sk-proj-E2Eplanted0123456789abcdefghijKLMNOP';
    const querySecret = 'e2e-planted-query-key-7f3a9c';
    const toolSecret = 'e2e-planted-tool-password-42c1';
    const s = await setup({
      contentPolicy: 'full',
      apiKey,
      defaultQuery: { api_key: querySecret },
      script: [{ reply: 'done', usage: { promptTokens: 12, completionTokens: 2 } }],
    });
    let runId = '';
    await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-secrets', provider: 'openai', model: MODEL, label: 'check the vault' }, async (run) => {
      runId = run.id;
      await generate(s, run, 'check the vault');
      await run.tool({ name: 'vault_login', callId: 'call_vault', arguments: { user: 'ops', password: toolSecret } }, () => ({ ok: true }));
    });
    await s.runtrace.forceFlush();
    // The secrets did travel, so their absence from the store is redaction, not omission.
    expect(s.server.requests[0]!.headers['authorization']).toBe(`Bearer ${apiKey}`);
    expect(s.server.requests[0]!.path).toContain(querySecret);
    const detail = s.store.getRun(runId)!;
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]!.url).toContain('api_key=');
    // Under `full` the headers and the tool arguments are recorded, with the secrets masked.
    const headers = JSON.parse(detail.attempts[0]!.attributes[RuntraceAttributes.ATTEMPT_REQUEST_HEADERS] as string) as Record<string, unknown>;
    expect(headers['authorization']).toBe('[REDACTED]');
    expect(JSON.parse(detail.toolCalls[0]!.attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS] as string)).toEqual({ user: 'ops', password: '[REDACTED]' });

    const live = await storeBytes(s.dir);
    expect(live.names).toContain('runtrace.db-wal');
    expect(live.text).toContain('check the vault');
    await s.runtrace.shutdown();
    const closed = await storeBytes(s.dir);
    const exported = await cli(['export', '--json', '--db', s.db]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(runId);
    expect(exported.stdout).toContain('vault_login');
    expect(exported.stdout).toContain('[REDACTED]');
    for (const secret of [apiKey, querySecret, toolSecret]) {
      expect(live.text).not.toContain(secret);
      expect(closed.text).not.toContain(secret);
      expect(exported.stdout).not.toContain(secret);
    }
  });

  it('stores no text at all under content policy none, but still the token and step counts', async () => {
    const sentence = 'The heron counted seventeen violet lanterns at midnight';
    const replySentence = 'Quiet marmots juggle turquoise pebbles beside the glacier';
    const s = await setup({
      contentPolicy: 'none',
      script: [
        { reply: replySentence, usage: { promptTokens: 21, completionTokens: 8 } },
        { reply: replySentence, usage: { promptTokens: 34, completionTokens: 8 } },
      ],
    });
    let runId = '';
    await s.runtrace.recorder.run({ kind: 'chat_turn', conversationId: 'conv-none', provider: 'openai', model: MODEL, label: sentence }, async (run) => {
      runId = run.id;
      run.update({ label: sentence });
      await run.step(
        { operation: 'generate', model: MODEL, request: { messages: [{ role: 'user', parts: [{ type: 'text', text: sentence }] }] } },
        async (step) => {
          const completion = await s.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: sentence }] });
          step.setResponse({
            content: [{ type: 'text', text: completion.choices[0]?.message.content ?? '' }],
            finishReason: 'stop',
            usage: { inputTokens: completion.usage!.prompt_tokens, outputTokens: completion.usage!.completion_tokens },
          });
          return completion;
        },
      );
      await run.tool({ name: 'note', callId: 'call_note', arguments: { text: sentence } }, () => ({ echoed: sentence }));
      const stream = await run.step({ operation: 'stream', model: MODEL, request: { messages: [{ role: 'user', parts: [{ type: 'text', text: sentence }] }] } }, async (step) =>
        step.wrapStream(
          await s.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: sentence }], stream: true, stream_options: { include_usage: true } }),
        ),
      );
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe(replySentence);
    });
    await s.runtrace.forceFlush();
    const detail = s.store.getRun(runId)!;
    expect(detail.run).toMatchObject({ status: 'completed', stepCount: 2, toolCallCount: 1, inputTokens: 55, outputTokens: 16, totalTokens: 71 });
    expect(detail.steps.map((step) => [step.number, step.inputTokens, step.outputTokens])).toEqual([
      [1, 21, 8],
      [2, 34, 8],
    ]);
    expect(detail.run.label).toBeNull();
    // Shapes and counts are still recorded: the length of the streamed text, not the text.
    expect(detail.steps[1]!.attributes[RuntraceAttributes.STREAM_TEXT_LENGTH]).toBe(replySentence.length);
    expect(detail.steps[1]!.attributes[RuntraceAttributes.STREAM_TEXT]).toBeUndefined();
    expect(detail.toolCalls[0]!.attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS]).toBeUndefined();
    const live = await storeBytes(s.dir);
    await s.runtrace.shutdown();
    const closed = await storeBytes(s.dir);
    expect(s.server.requests[0]!.body).toContain(sentence);
    for (const bytes of [live.text, closed.text]) {
      expect(bytes).toContain('conv-none');
      for (const text of [sentence, replySentence, 'seventeen violet', 'turquoise pebbles']) expect(bytes).not.toContain(text);
    }
  });
});
