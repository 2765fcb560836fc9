// The viewer's event stream: a commit by another connection is pushed as a numbered change within
// the poll interval; a client reconnecting with an older Last-Event-ID hears of the change it
// missed at once; an idle stream gets heartbeats.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSpanExporter, openStore } from '@runtrace/store';
import { startUi } from '@runtrace/ui';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { RuntraceAttributes, SpanKinds } from '@runtrace/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runtrace-ui-live-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runSpan(id: string): ReadableSpan {
  const now = Date.now();
  return {
    name: 'invoke_agent',
    kind: 0,
    spanContext: () => ({ traceId: id.padStart(32, '0'), spanId: id, traceFlags: 1 }),
    startTime: [Math.floor(now / 1000), 0],
    endTime: [Math.floor(now / 1000) + 1, 0],
    status: { code: 1 },
    attributes: { [RuntraceAttributes.SPAN_KIND]: SpanKinds.RUN, [RuntraceAttributes.RUN_ID]: id, [RuntraceAttributes.STATUS]: 'completed' },
    links: [],
    events: [],
    duration: [1, 0],
    ended: true,
    resource: { attributes: {} },
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as unknown as ReadableSpan;
}

async function write(db: string, id: string): Promise<void> {
  const exporter = new SqliteSpanExporter({ path: db, sweepOnOpen: false });
  await new Promise<void>((resolve) => exporter.export([runSpan(id)], () => resolve()));
  await exporter.shutdown();
}

/** Reads server-sent events from a stream as they come. */
class EventReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next message (comment lines included, as `: …`), or throws after `ms`. */
  async next(ms = 5_000): Promise<{ id?: string; event?: string; data?: string; comment?: string }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const message: { id?: string; event?: string; data?: string; comment?: string } = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1).trim();
          else {
            const [field, ...value] = line.split(': ');
            if (field === 'id' || field === 'event' || field === 'data') message[field] = value.join(': ');
          }
        }
        return message;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${ms} ms`);
      const chunk = await Promise.race([this.#reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event within ${ms} ms`)), left))]);
      if (chunk.done) throw new Error('the stream ended');
      this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

describe('the viewer event stream', () => {
  it('pushes changes other connections commit, resumes by Last-Event-ID, and beats while idle', async () => {
    const db = join(dir, 'runtrace.db');
    openStore({ path: db }).close();
    const ui = await startUi({ databasePath: db, port: 0, pollIntervalMs: 50, heartbeatMs: 300 });
    try {
      const first = await fetch(`${ui.url}api/events`);
      expect(first.headers.get('content-type')).toContain('text/event-stream');
      expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
      const events = new EventReader(first.body!);
      // The reconnection delay the browser should use, then the current id.
      expect(await events.next()).toEqual({});
      expect(await events.next()).toMatchObject({ id: '0', event: 'hello' });
      // An idle stream gets heartbeats.
      expect(await events.next()).toMatchObject({ comment: 'heartbeat' });
      await write(db, 'a000000000000001');
      let change = await events.next();
      while (change.comment === 'heartbeat') change = await events.next();
      expect(change).toMatchObject({ id: '1', event: 'change', data: '{"version":1}' });
      await events.cancel();

      // Away while another run is written: coming back with Last-Event-ID 1 hears of change 2 at once.
      await write(db, 'a000000000000002');
      const again = await fetch(`${ui.url}api/events`, { headers: { 'last-event-id': '1' } });
      const resumed = new EventReader(again.body!);
      expect(await resumed.next()).toEqual({});
      expect(await resumed.next()).toMatchObject({ id: '2', event: 'change' });
      await resumed.cancel();
      // A client already up to date only learns the id.
      const current = new EventReader((await fetch(`${ui.url}api/events`, { headers: { 'last-event-id': '2' } })).body!);
      expect(await current.next()).toEqual({});
      expect(await current.next()).toMatchObject({ id: '2', event: 'hello' });
      await current.cancel();
      expect(((await (await fetch(`${ui.url}api/runs`)).json()) as { runs: unknown[] }).runs).toHaveLength(2);
    } finally {
      await ui.close();
    }
  });
});
