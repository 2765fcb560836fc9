// A local HTTP server on 127.0.0.1 that speaks the Anthropic Messages wire format, scripted per request.
import type { ServerResponse } from 'node:http';
import { anthropicErrorType, messageDocument, messageEvents } from './internal/anthropic-messages-wire.js';
import type { MessagePlan, MockAnthropicToolUse, MockAnthropicUsage } from './internal/anthropic-messages-wire.js';
import { splitReply } from './internal/split-reply.js';
import { field, sendJson, startScriptedServer, writeFrames } from './internal/scripted-server.js';
import type { RecordedRequest } from './recorded-request.js';

export type { MockAnthropicToolUse, MockAnthropicUsage } from './internal/anthropic-messages-wire.js';

/** What the mock Anthropic server does for one request. Every field is optional. */
export interface MockAnthropicScenario {
  /** HTTP status. Default: 200. A status of 400 or more answers with an Anthropic error document. */
  readonly status?: number;
  /** Extra response headers (for example `{ 'retry-after': '1' }`). Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The assistant's text. Default: `'Hello from the mock server.'` (empty when `toolUses` is given). */
  readonly reply?: string;
  /** The `text_delta` pieces of a streamed reply. Default: `reply` split after each word. */
  readonly chunks?: readonly string[];
  /** A thinking block before the text, as its `thinking_delta` pieces. Default: none. */
  readonly thinking?: readonly string[];
  /** `tool_use` blocks after the text. Default: none. */
  readonly toolUses?: readonly MockAnthropicToolUse[];
  /** `stop_reason`. Default: `tool_use` when there are tool uses, else `end_turn`. */
  readonly stopReason?: string;
  /** Model reported in the response. Default: the request's `model`, else `claude-sonnet-4-5`. */
  readonly model?: string;
  /** Message id. Default: `msg_mock_<n>` (n counts requests from 1). */
  readonly id?: string;
  /** Token usage; `null` sends an answer without any `usage`. Default: 10 input tokens, no cache, output counted from the pieces. */
  readonly usage?: MockAnthropicUsage | null;
  /** Send a `ping` event after the first `content_block_start`. Default: true. */
  readonly ping?: boolean;
  /** Error document for a status of 400 or more. Default: the type of the status and a message derived from it. */
  readonly error?: { readonly type?: string; readonly message?: string };
  /** A raw response body that replaces everything else (sent with `contentType`). Default: none. */
  readonly body?: string;
  /** Content type of `body`. Default: `application/json`. */
  readonly contentType?: string;
  /** Stream or not, overriding the request's `stream` flag. Default: the request's flag. */
  readonly stream?: boolean;
  /** Delay before each event, in ms (a number or a function of the event index). Default: 0. */
  readonly eventDelayMs?: number | ((index: number) => number);
  /** Awaited before each event is written: lets a test hold the stream at an event. Default: none. */
  readonly beforeEvent?: (index: number) => Promise<void> | void;
  /** Destroy the socket after writing this many events (`message_stop` never arrives). Default: never. */
  readonly cutAfterEvents?: number;
  /** Destroy the socket before answering at all (a network error). Default: false. */
  readonly dropConnection?: boolean;
  /** Delay before the response headers are written, in ms. Default: 0. */
  readonly headersDelayMs?: number;
}

/** Options of {@link startMockAnthropicServer}. */
export interface MockAnthropicServerOptions {
  /** Scenarios used in order, one per request. Default: none (every request gets `fallback`). */
  readonly script?: readonly MockAnthropicScenario[];
  /** Scenario used once the script is exhausted. Default: `{}` (a 200 with the default reply). */
  readonly fallback?: MockAnthropicScenario;
}

/** A running mock Anthropic server. */
export interface MockAnthropicServer {
  /** Origin, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** What `new Anthropic({ baseURL })` takes: the origin (the SDK adds `/v1/messages`). */
  readonly baseURL: string;
  /** Requests received so far, in order of arrival. */
  readonly requests: readonly RecordedRequest<MockAnthropicScenario>[];
  /** Appends scenarios to the script. */
  enqueue(...scenarios: readonly MockAnthropicScenario[]): void;
  /** Stops the server and destroys open connections. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_REPLY = 'Hello from the mock server.';

/**
 * Starts a mock Anthropic Messages server on 127.0.0.1, port 0. `POST /v1/messages` answers a
 * Message as JSON or — when the request says `stream: true` — as server-sent events
 * (`message_start`, `content_block_start`/`_delta`/`_stop`, `ping`, `message_delta` with the stop
 * reason and cumulative usage, `message_stop`), following a script of scenarios; a status of 400
 * or more answers `{ type: 'error', error: { type, message } }`. Anything else is a 404.
 *
 * @example
 * const server = await startMockAnthropicServer({
 *   script: [{ status: 429, headers: { 'retry-after': '0' } }, { reply: 'hi', usage: { inputTokens: 20, cacheReadInputTokens: 100 } }],
 * });
 * const client = new Anthropic({ apiKey: 'test', baseURL: server.baseURL });
 * await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'hello' }] });
 * server.requests.length; // 2
 * await server.close();
 */
export async function startMockAnthropicServer(options: MockAnthropicServerOptions = {}): Promise<MockAnthropicServer> {
  const server = await startScriptedServer<MockAnthropicScenario>({ script: options.script, fallback: options.fallback, answer });
  return {
    url: server.url,
    baseURL: server.url,
    requests: server.requests,
    enqueue: (...scenarios) => server.enqueue(...scenarios),
    close: () => server.close(),
  };
}

function errorDocument(type: string, message: string, requestId: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

async function answer(request: RecordedRequest<MockAnthropicScenario>, response: ServerResponse): Promise<void> {
  const scenario = request.scenario;
  const pathname = request.path.split('?')[0];
  const requestId = `req_mock_${request.index}`;
  const headers = { 'request-id': requestId, ...scenario.headers };
  if (request.method !== 'POST' || pathname !== '/v1/messages') {
    sendJson(response, 404, errorDocument('not_found_error', `no route ${request.method} ${pathname ?? ''}`, requestId), { 'request-id': requestId });
    return;
  }
  const status = scenario.status ?? 200;
  if (status >= 400) {
    const error = errorDocument(scenario.error?.type ?? anthropicErrorType(status), scenario.error?.message ?? `mock error ${status}`, requestId);
    sendJson(response, status, error, headers);
    return;
  }
  const requestedModel = field(request.json, 'model');
  const toolUses = scenario.toolUses ?? [];
  const reply = scenario.reply ?? (toolUses.length > 0 ? '' : DEFAULT_REPLY);
  const plan: MessagePlan = {
    id: scenario.id ?? `msg_mock_${request.index}`,
    model: scenario.model ?? (typeof requestedModel === 'string' ? requestedModel : 'claude-sonnet-4-5'),
    thinking: scenario.thinking ?? [],
    pieces: scenario.chunks ?? splitReply(reply),
    toolUses,
    stopReason: scenario.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn'),
    usage: scenario.usage === null ? null : (scenario.usage ?? {}),
    ping: scenario.ping ?? true,
  };
  const stream = scenario.stream ?? field(request.json, 'stream') === true;
  if (!stream) {
    sendJson(response, status, messageDocument(plan), headers);
    return;
  }
  const frames = messageEvents(plan).map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  response.writeHead(status, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  await writeFrames(response, frames, { chunkDelayMs: scenario.eventDelayMs, beforeChunk: scenario.beforeEvent, cutAfterChunks: scenario.cutAfterEvents }, '');
}
