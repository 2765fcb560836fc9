// The plumbing every mock provider server shares: listen on 127.0.0.1:0, record each request, pick its scenario, write streams.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from '../recorded-request.js';

/** The scenario fields the shared plumbing acts on, before a provider's own answer is written. */
export interface BaseScenario {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string;
  readonly dropConnection?: boolean;
  readonly headersDelayMs?: number;
}

/** How a stream is paced and cut. */
export interface StreamPacing {
  readonly chunkDelayMs?: number | ((index: number) => number) | undefined;
  readonly beforeChunk?: ((index: number) => Promise<void> | void) | undefined;
  readonly cutAfterChunks?: number | undefined;
}

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions<Scenario> {
  readonly script?: readonly Scenario[] | undefined;
  readonly fallback?: Scenario | undefined;
  /** Writes the provider's answer; the shared scenario fields were already handled. */
  readonly answer: (request: RecordedRequest<Scenario>, response: ServerResponse) => Promise<void>;
  /** How long an idle keep-alive connection stays open. Default: Node's (5 s). */
  readonly keepAliveTimeoutMs?: number | undefined;
}

/** A running scripted server. */
export interface ScriptedServer<Scenario> {
  readonly url: string;
  readonly requests: readonly RecordedRequest<Scenario>[];
  enqueue(...scenarios: readonly Scenario[]): void;
  close(): Promise<void>;
}

function headerRecord(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A property of a JSON value, or `undefined`. */
export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

export function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function writeAsync(response: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    response.write(data, () => resolve());
  });
}

/** Writes a JSON document with the scenario's extra headers. */
export function sendJson(response: ServerResponse, status: number, document: unknown, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(document));
}

/**
 * Writes stream frames in order, paced by `pacing`, then `tail` to end the response. With
 * `cutAfterChunks` N, the socket is destroyed instead of writing frame N (or, when N is the
 * number of frames, instead of the tail): the client sees the body break off.
 */
export async function writeFrames(response: ServerResponse, frames: readonly string[], pacing: StreamPacing, tail: string): Promise<void> {
  const cut = pacing.cutAfterChunks;
  response.flushHeaders();
  for (const [index, frame] of frames.entries()) {
    if (cut !== undefined && index >= cut) {
      response.socket?.destroy();
      return;
    }
    const wait = typeof pacing.chunkDelayMs === 'function' ? pacing.chunkDelayMs(index) : (pacing.chunkDelayMs ?? 0);
    await delay(wait);
    await pacing.beforeChunk?.(index);
    if (response.destroyed) return;
    await writeAsync(response, frame);
  }
  if (cut !== undefined && frames.length >= cut) {
    response.socket?.destroy();
    return;
  }
  response.end(tail);
}

/**
 * Starts an HTTP server on 127.0.0.1, port 0, that records every request and answers it with the
 * next scenario of the script (then `fallback`): `dropConnection`, `headersDelayMs` and a raw
 * `body` are handled here, everything else by `answer`.
 *
 * @example
 * const server = await startScriptedServer<MyScenario>({ script: [{ status: 429 }], answer: async (request, response) => sendJson(response, 200, {}) });
 * await server.close();
 */
export async function startScriptedServer<Scenario extends BaseScenario>(options: ScriptedServerOptions<Scenario>): Promise<ScriptedServer<Scenario>> {
  const script: Scenario[] = [...(options.script ?? [])];
  const fallback = options.fallback ?? ({} as Scenario);
  const requests: RecordedRequest<Scenario>[] = [];
  let closed = false;

  async function answer(request: RecordedRequest<Scenario>, response: ServerResponse): Promise<void> {
    const scenario = request.scenario;
    if (scenario.dropConnection === true) {
      response.socket?.destroy();
      return;
    }
    await delay(scenario.headersDelayMs ?? 0);
    if (scenario.body !== undefined) {
      response.writeHead(scenario.status ?? 200, { 'content-type': scenario.contentType ?? 'application/json', ...scenario.headers });
      response.end(scenario.body);
      return;
    }
    await options.answer(request, response);
  }

  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      const recorded: RecordedRequest<Scenario> = {
        index: requests.length + 1,
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: headerRecord(request),
        body,
        json: parseJson(body),
        scenario: script.shift() ?? fallback,
      };
      requests.push(recorded);
      answer(recorded, response).catch(() => {
        response.socket?.destroy();
      });
    });
  });

  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    enqueue(...scenarios) {
      script.push(...scenarios);
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
