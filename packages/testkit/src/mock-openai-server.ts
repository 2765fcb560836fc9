// A local HTTP server on 127.0.0.1 that speaks OpenAI's Chat Completions and Responses wire formats, scripted per request.
import type { ServerResponse } from 'node:http';
import { completionChunks, completionDocument } from './internal/chat-completion-wire.js';
import { splitReply } from './internal/split-reply.js';
import type { CompletionPlan, MockToolCall, MockUsage } from './internal/chat-completion-wire.js';
import { incompleteReasonOf, responseDocument, responseEvents } from './internal/responses-wire.js';
import type { ResponsePlan } from './internal/responses-wire.js';
import { field, sendJson, startScriptedServer, writeFrames } from './internal/scripted-server.js';
import type { RecordedRequest } from './recorded-request.js';

export type { MockToolCall, MockUsage } from './internal/chat-completion-wire.js';
export type { RecordedRequest } from './recorded-request.js';

/**
 * What the mock server does for one request, on either endpoint. Every field is optional. For the
 * Responses API a stream "chunk" is one server-sent event (`chunkDelayMs`, `beforeChunk`,
 * `cutAfterChunks` count events).
 */
export interface MockOpenAIScenario {
  /** HTTP status. Default: 200. A status of 400 or more answers with an OpenAI error document. */
  readonly status?: number;
  /** Extra response headers (for example `{ 'retry-after': '1' }`). Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The assistant's text. Default: `'Hello from the mock server.'` (empty when `toolCalls` is given). */
  readonly reply?: string;
  /** The text pieces of a streamed reply. Default: `reply` split after each word. */
  readonly chunks?: readonly string[];
  /** Tool calls the assistant makes (Responses: `function_call` items after the message). Default: none. */
  readonly toolCalls?: readonly MockToolCall[];
  /**
   * `finish_reason`. Default: `tool_calls` when there are tool calls, else `stop`. Responses: `length`
   * (or `max_output_tokens`) and `content_filter` end the response `incomplete` with that
   * `incomplete_details.reason` (`response.incomplete` when streamed); anything else `completed`.
   */
  readonly finishReason?: string;
  /** Model reported in the response. Default: the request's `model`, else `gpt-4o-mini`. */
  readonly model?: string;
  /** Completion or response id. Default: `chatcmpl-mock-<n>` / `resp_mock_<n>` (n counts requests from 1). */
  readonly id?: string;
  /**
   * Token usage; `null` answers without any usage (no usage chunk, no `usage` in the final
   * response). Default: 10 prompt tokens, one completion token per text piece.
   */
  readonly usage?: MockUsage | null;
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

/** Options of {@link startMockOpenAIServer}. */
export interface MockOpenAIServerOptions {
  /** Scenarios used in order, one per request. Default: none (every request gets `fallback`). */
  readonly script?: readonly MockOpenAIScenario[];
  /** Scenario used once the script is exhausted. Default: `{}` (a 200 with the default reply). */
  readonly fallback?: MockOpenAIScenario;
  /**
   * How long an idle keep-alive connection stays open, in ms. Default: Node's (5 s). A client
   * slowed down (under a profiler or Valgrind) may otherwise reuse a connection the server is
   * closing, and fail with "other side closed".
   */
  readonly keepAliveTimeoutMs?: number;
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

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401) return 'invalid_request_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Starts a mock OpenAI server on 127.0.0.1, port 0, following a script of scenarios.
 * `POST /v1/chat/completions` answers a chat completion as JSON or server-sent events (usage in a
 * final chunk when `stream_options.include_usage`); `POST /v1/responses` answers a Response as JSON
 * or as the Responses API's named events (`response.created` … `response.completed`, each with its
 * `sequence_number`); a status of 400 or more answers an OpenAI error document on either;
 * `GET /v1/models` lists one model; anything else is a 404.
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
  const server = await startScriptedServer<MockOpenAIScenario>({ script: options.script, fallback: options.fallback, answer, keepAliveTimeoutMs: options.keepAliveTimeoutMs });
  return {
    url: server.url,
    baseURL: `${server.url}/v1`,
    requests: server.requests,
    enqueue: (...scenarios) => server.enqueue(...scenarios),
    close: () => server.close(),
  };
}

const CHAT_COMPLETIONS = '/v1/chat/completions';
const RESPONSES = '/v1/responses';

async function answer(request: RecordedRequest, response: ServerResponse): Promise<void> {
  const scenario = request.scenario;
  const pathname = request.path.split('?')[0];
  const extraHeaders = scenario.headers ?? {};
  if (request.method === 'GET' && pathname === '/v1/models') {
    sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'mock' }] }, extraHeaders);
    return;
  }
  if (request.method !== 'POST' || (pathname !== CHAT_COMPLETIONS && pathname !== RESPONSES)) {
    sendJson(response, 404, { error: { message: `no route ${request.method} ${pathname ?? ''}`, type: 'not_found' } });
    return;
  }
  const status = scenario.status ?? 200;
  if (status >= 400) {
    const error = {
      message: scenario.error?.message ?? `mock error ${status}`,
      type: scenario.error?.type ?? errorType(status),
      param: null,
      code: scenario.error?.code ?? null,
    };
    sendJson(response, status, { error }, extraHeaders);
    return;
  }
  if (pathname === RESPONSES) await answerResponse(request, response, status);
  else await answerCompletion(request, response, status);
}

function requestedModel(request: RecordedRequest): string {
  const scenario = request.scenario;
  const model = field(request.json, 'model');
  return scenario.model ?? (typeof model === 'string' ? model : 'gpt-4o-mini');
}

function pieces(scenario: MockOpenAIScenario): readonly string[] {
  const toolCalls = scenario.toolCalls ?? [];
  return scenario.chunks ?? splitReply(scenario.reply ?? (toolCalls.length > 0 ? '' : DEFAULT_REPLY));
}

function streams(request: RecordedRequest): boolean {
  return request.scenario.stream ?? field(request.json, 'stream') === true;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

async function answerCompletion(request: RecordedRequest, response: ServerResponse, status: number): Promise<void> {
  const scenario = request.scenario;
  const extraHeaders = scenario.headers ?? {};
  const toolCalls = scenario.toolCalls ?? [];
  const plan: CompletionPlan = {
    id: scenario.id ?? `chatcmpl-mock-${request.index}`,
    created: 1_700_000_000 + request.index,
    model: requestedModel(request),
    pieces: pieces(scenario),
    toolCalls,
    finishReason: scenario.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: scenario.usage === null ? null : (scenario.usage ?? {}),
  };
  if (!streams(request)) {
    sendJson(response, status, completionDocument(plan), extraHeaders);
    return;
  }
  const includeUsage = field(field(request.json, 'stream_options'), 'include_usage') === true;
  const frames = completionChunks(plan, includeUsage).map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
  response.writeHead(status, { ...SSE_HEADERS, ...extraHeaders });
  await writeFrames(response, frames, scenario, 'data: [DONE]\n\n');
}

async function answerResponse(request: RecordedRequest, response: ServerResponse, status: number): Promise<void> {
  const scenario = request.scenario;
  const extraHeaders = scenario.headers ?? {};
  const plan: ResponsePlan = {
    id: scenario.id ?? `resp_mock_${request.index}`,
    createdAt: 1_700_000_000 + request.index,
    model: requestedModel(request),
    pieces: pieces(scenario),
    toolCalls: scenario.toolCalls ?? [],
    incompleteReason: incompleteReasonOf(scenario.finishReason),
    usage: scenario.usage === null ? null : (scenario.usage ?? {}),
    request: request.json,
  };
  if (!streams(request)) {
    sendJson(response, status, responseDocument(plan), extraHeaders);
    return;
  }
  // The Responses stream names each event and has no `[DONE]` marker: it ends after the final event.
  const frames = responseEvents(plan).map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  response.writeHead(status, { ...SSE_HEADERS, ...extraHeaders });
  await writeFrames(response, frames, scenario, '');
}
