// A local HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions wire format, scripted per request.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionChunks, completionDocument, splitReply } from './internal/chat-completion-wire.js';
import type { CompletionPlan, MockToolCall, MockUsage } from './internal/chat-completion-wire.js';

export type { MockToolCall, MockUsage } from './internal/chat-completion-wire.js';

/** What the mock server does for one request. Every field is optional. */
export interface MockOpenAIScenario {
  /** HTTP status. Default: 200. A status of 400 or more answers with an OpenAI error document. */
  readonly status?: number;
  /** Extra response headers (for example `{ 'retry-after': '1' }`). Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The assistant's text. Default: `'Hello from the mock server.'` (empty when `toolCalls` is given). */
  readonly reply?: string;
  /** The text pieces of a streamed reply. Default: `reply` split after each word. */
  readonly chunks?: readonly string[];
  /** Tool calls the assistant makes. Default: none. */
  readonly toolCalls?: readonly MockToolCall[];
  /** `finish_reason`. Default: `tool_calls` when there are tool calls, else `stop`. */
  readonly finishReason?: string;
  /** Model reported in the response. Default: the request's `model`, else `gpt-4o-mini`. */
  readonly model?: string;
  /** Completion id. Default: `chatcmpl-mock-<n>` (n counts requests from 1). */
  readonly id?: string;
  /** Token usage. Default: 10 prompt tokens, one completion token per text piece. */
  readonly usage?: MockUsage;
  /** Error document for a status of 400 or more. Default: a message derived from the status. */
  readonly error?: { readonly message: string; readonly type?: string; readonly code?: string | null };
  /** A raw response body that replaces everything else (sent with `contentType`). Default: none. */
  readonly body?: string;
  /** Content type of `body`. Default: `application/json`. */
  readonly contentType?: string;
  /** Stream or not, overriding the request's `stream` flag. Default: the request's flag. */
  readonly stream?: boolean;
  /** Delay before each stream chunk, in ms (a number or a function of the chunk index). Default: 0. */
  readonly chunkDelayMs?: number | ((index: number) => number);
  /** Awaited before each stream chunk is written: lets a test hold the stream at a chunk. Default: none. */
  readonly beforeChunk?: (index: number) => Promise<void> | void;
  /** Destroy the socket after writing this many stream chunks (the server cuts the stream). Default: never. */
  readonly cutAfterChunks?: number;
  /** Destroy the socket before answering at all (a network error). Default: false. */
  readonly dropConnection?: boolean;
  /** Delay before the response headers are written, in ms. Default: 0. */
  readonly headersDelayMs?: number;
}

/** A request the mock server received. */
export interface RecordedRequest {
  /** 1-based order of arrival. */
  readonly index: number;
  readonly method: string;
  /** Path with query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Request headers, lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw request body as UTF-8 text. */
  readonly body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
  /** The scenario used to answer it. */
  readonly scenario: MockOpenAIScenario;
}

/** Options of {@link startMockOpenAIServer}. */
export interface MockOpenAIServerOptions {
  /** Scenarios used in order, one per request. Default: none (every request gets `fallback`). */
  readonly script?: readonly MockOpenAIScenario[];
  /** Scenario used once the script is exhausted. Default: `{}` (a 200 with the default reply). */
  readonly fallback?: MockOpenAIScenario;
}

/** A running mock server. */
export interface MockOpenAIServer {
  /** Origin, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** Base URL for OpenAI clients: `url` + `/v1`. */
  readonly baseURL: string;
  /** Requests received so far, in order of arrival. */
  readonly requests: readonly RecordedRequest[];
  /** Appends scenarios to the script. */
  enqueue(...scenarios: readonly MockOpenAIScenario[]): void;
  /** Stops the server and destroys open connections. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_REPLY = 'Hello from the mock server.';

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

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function writeAsync(response: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    response.write(data, () => resolve());
  });
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401) return 'invalid_request_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Starts a mock OpenAI chat-completions server on 127.0.0.1, port 0. `POST /v1/chat/completions`
 * answers JSON or server-sent events (usage in a final chunk when `stream_options.include_usage`),
 * following a script of scenarios; `GET /v1/models` lists one model; anything else is a 404.
 *
 * @example
 * const server = await startMockOpenAIServer({
 *   script: [{ status: 429, headers: { 'retry-after': '0' } }, { reply: 'hi' }],
 * });
 * const client = new OpenAI({ apiKey: 'test', baseURL: server.baseURL });
 * await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
 * server.requests.length; // 2
 * await server.close();
 */
export async function startMockOpenAIServer(options: MockOpenAIServerOptions = {}): Promise<MockOpenAIServer> {
  const script: MockOpenAIScenario[] = [...(options.script ?? [])];
  const fallback = options.fallback ?? {};
  const requests: RecordedRequest[] = [];
  let closed = false;

  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      const scenario = script.shift() ?? fallback;
      const recorded: RecordedRequest = {
        index: requests.length + 1,
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: headerRecord(request),
        body,
        json: parseJson(body),
        scenario,
      };
      requests.push(recorded);
      answer(recorded, response).catch(() => {
        response.socket?.destroy();
      });
    });
  });

  async function answer(request: RecordedRequest, response: ServerResponse): Promise<void> {
    const scenario = request.scenario;
    if (scenario.dropConnection === true) {
      response.socket?.destroy();
      return;
    }
    await delay(scenario.headersDelayMs ?? 0);
    const pathname = request.path.split('?')[0];
    const extraHeaders = scenario.headers ?? {};
    if (scenario.body !== undefined) {
      response.writeHead(scenario.status ?? 200, {
        'content-type': scenario.contentType ?? 'application/json',
        ...extraHeaders,
      });
      response.end(scenario.body);
      return;
    }
    if (request.method === 'GET' && pathname === '/v1/models') {
      response.writeHead(200, { 'content-type': 'application/json', ...extraHeaders });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'mock' }] }));
      return;
    }
    if (request.method !== 'POST' || pathname !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `no route ${request.method} ${pathname ?? ''}`, type: 'not_found' } }));
      return;
    }
    const status = scenario.status ?? 200;
    if (status >= 400) {
      response.writeHead(status, { 'content-type': 'application/json', ...extraHeaders });
      response.end(
        JSON.stringify({
          error: {
            message: scenario.error?.message ?? `mock error ${status}`,
            type: scenario.error?.type ?? errorType(status),
            param: null,
            code: scenario.error?.code ?? null,
          },
        }),
      );
      return;
    }
    const requestedModel = field(request.json, 'model');
    const toolCalls = scenario.toolCalls ?? [];
    const reply = scenario.reply ?? (toolCalls.length > 0 ? '' : DEFAULT_REPLY);
    const plan: CompletionPlan = {
      id: scenario.id ?? `chatcmpl-mock-${request.index}`,
      created: 1_700_000_000 + request.index,
      model: scenario.model ?? (typeof requestedModel === 'string' ? requestedModel : 'gpt-4o-mini'),
      pieces: scenario.chunks ?? splitReply(reply),
      toolCalls,
      finishReason: scenario.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      usage: scenario.usage ?? {},
    };
    const stream = scenario.stream ?? field(request.json, 'stream') === true;
    if (!stream) {
      response.writeHead(status, { 'content-type': 'application/json', ...extraHeaders });
      response.end(JSON.stringify(completionDocument(plan)));
      return;
    }
    const includeUsage = field(field(request.json, 'stream_options'), 'include_usage') === true;
    const chunks = completionChunks(plan, includeUsage);
    response.writeHead(status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...extraHeaders,
    });
    response.flushHeaders();
    for (const [index, chunk] of chunks.entries()) {
      if (scenario.cutAfterChunks !== undefined && index >= scenario.cutAfterChunks) {
        response.socket?.destroy();
        return;
      }
      const wait = typeof scenario.chunkDelayMs === 'function' ? scenario.chunkDelayMs(index) : (scenario.chunkDelayMs ?? 0);
      await delay(wait);
      await scenario.beforeChunk?.(index);
      if (response.destroyed) return;
      await writeAsync(response, `data: ${JSON.stringify(chunk)}\n\n`);
    }
    if (scenario.cutAfterChunks !== undefined && chunks.length >= scenario.cutAfterChunks) {
      response.socket?.destroy();
      return;
    }
    response.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    baseURL: `${url}/v1`,
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
