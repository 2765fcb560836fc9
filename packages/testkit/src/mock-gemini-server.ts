// A local HTTP server on 127.0.0.1 that speaks the Gemini API's generateContent wire format, scripted per request.
import type { ServerResponse } from 'node:http';
import { geminiChunks, geminiDocument, geminiErrorStatus } from './internal/gemini-wire.js';
import type { GeminiPlan, MockGeminiFunctionCall, MockGeminiUsage } from './internal/gemini-wire.js';
import { sendJson, startScriptedServer, writeFrames } from './internal/scripted-server.js';
import { splitReply } from './internal/split-reply.js';
import type { RecordedRequest } from './recorded-request.js';

export type { MockGeminiFunctionCall, MockGeminiUsage } from './internal/gemini-wire.js';

/** What the mock Gemini server does for one request. Every field is optional. */
export interface MockGeminiScenario {
  /** HTTP status. Default: 200. A status of 400 or more answers with a Google error document. */
  readonly status?: number;
  /** Extra response headers. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The model's text. Default: `'Hello from the mock server.'` (empty when `functionCalls` is given). */
  readonly reply?: string;
  /** The text pieces of a streamed reply, one per chunk. Default: `reply` split after each word. */
  readonly chunks?: readonly string[];
  /** Thought parts (`thought: true`) before the text, one per chunk. Default: none. */
  readonly thoughts?: readonly string[];
  /** `functionCall` parts after the text (in the last chunk of a stream). Default: none. */
  readonly functionCalls?: readonly MockGeminiFunctionCall[];
  /** The candidate's `finishReason`. Default: `STOP`. */
  readonly finishReason?: string;
  /** `modelVersion`. Default: the model in the request path. */
  readonly modelVersion?: string;
  /** `responseId`. Default: `mock-response-<n>` (n counts requests from 1). */
  readonly responseId?: string;
  /** Token usage; `null` sends no `usageMetadata`. Default: 10 prompt tokens, candidates counted from the pieces. */
  readonly usage?: MockGeminiUsage | null;
  /** Error document for a status of 400 or more. Default: the status's canonical name and a message derived from it. */
  readonly error?: { readonly message?: string; readonly status?: string; readonly details?: readonly unknown[] };
  /** A raw response body that replaces everything else (sent with `contentType`). Default: none. */
  readonly body?: string;
  /** Content type of `body`. Default: `application/json`. */
  readonly contentType?: string;
  /** Delay before each stream chunk, in ms (a number or a function of the chunk index). Default: 0. */
  readonly chunkDelayMs?: number | ((index: number) => number);
  /** Awaited before each stream chunk is written: lets a test hold the stream at a chunk. Default: none. */
  readonly beforeChunk?: (index: number) => Promise<void> | void;
  /** Destroy the socket after writing this many chunks (a JSON array is then never closed). Default: never. */
  readonly cutAfterChunks?: number;
  /** Destroy the socket before answering at all (a network error). Default: false. */
  readonly dropConnection?: boolean;
  /** Delay before the response headers are written, in ms. Default: 0. */
  readonly headersDelayMs?: number;
}

/** Options of {@link startMockGeminiServer}. */
export interface MockGeminiServerOptions {
  /** Scenarios used in order, one per request. Default: none (every request gets `fallback`). */
  readonly script?: readonly MockGeminiScenario[];
  /** Scenario used once the script is exhausted. Default: `{}` (a 200 with the default reply). */
  readonly fallback?: MockGeminiScenario;
}

/** A running mock Gemini server. */
export interface MockGeminiServer {
  /** Origin, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** What `new GoogleGenAI({ httpOptions: { baseUrl } })` takes: the origin (the SDK adds `/v1beta/models/…`). */
  readonly baseURL: string;
  /** Requests received so far, in order of arrival. */
  readonly requests: readonly RecordedRequest<MockGeminiScenario>[];
  /** Appends scenarios to the script. */
  enqueue(...scenarios: readonly MockGeminiScenario[]): void;
  /** Stops the server and destroys open connections. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_REPLY = 'Hello from the mock server.';
const JSON_TYPE = 'application/json; charset=UTF-8';
/** `/{version}/models/{model}:{method}`, as the Gemini API routes it. */
const ROUTE = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/**
 * Starts a mock Gemini API server on 127.0.0.1, port 0. `POST /v1beta/models/{model}:generateContent`
 * answers one GenerateContentResponse; `:streamGenerateContent` answers server-sent events with
 * `?alt=sse`, else one JSON array streamed element by element; every chunk repeats
 * `modelVersion`, `responseId` and the cumulative `usageMetadata`. A status of 400 or more answers
 * `{ error: { code, message, status } }`. Anything else is a 404.
 *
 * @example
 * const server = await startMockGeminiServer({ script: [{ reply: 'a b c', usage: { promptTokens: 50, candidatesTokens: 3 } }] });
 * const response = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test' },
 *   body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
 * });
 * await response.text(); // 'data: {"candidates":[…],"usageMetadata":{…},"modelVersion":"gemini-2.5-flash",…}\r\n\r\n…'
 * await server.close();
 */
export async function startMockGeminiServer(options: MockGeminiServerOptions = {}): Promise<MockGeminiServer> {
  const server = await startScriptedServer<MockGeminiScenario>({ script: options.script, fallback: options.fallback, answer });
  return {
    url: server.url,
    baseURL: server.url,
    requests: server.requests,
    enqueue: (...scenarios) => server.enqueue(...scenarios),
    close: () => server.close(),
  };
}

function errorDocument(code: number, message: string, status: string, details?: readonly unknown[]): Record<string, unknown> {
  const error: Record<string, unknown> = { code, message, status };
  if (details !== undefined) error['details'] = details;
  return { error };
}

async function answer(request: RecordedRequest<MockGeminiScenario>, response: ServerResponse): Promise<void> {
  const scenario = request.scenario;
  const [pathname = '', query = ''] = request.path.split('?');
  const route = ROUTE.exec(pathname);
  const headers = { 'content-type': JSON_TYPE, ...scenario.headers };
  if (request.method !== 'POST' || route === null) {
    sendJson(response, 404, errorDocument(404, `no route ${request.method} ${pathname}`, 'NOT_FOUND'), { 'content-type': JSON_TYPE });
    return;
  }
  const status = scenario.status ?? 200;
  if (status >= 400) {
    const error = scenario.error;
    sendJson(response, status, errorDocument(status, error?.message ?? `mock error ${status}`, error?.status ?? geminiErrorStatus(status), error?.details), headers);
    return;
  }
  const functionCalls = scenario.functionCalls ?? [];
  const reply = scenario.reply ?? (functionCalls.length > 0 ? '' : DEFAULT_REPLY);
  const plan: GeminiPlan = {
    responseId: scenario.responseId ?? `mock-response-${request.index}`,
    modelVersion: scenario.modelVersion ?? decodeURIComponent(route[2] ?? ''),
    thoughts: scenario.thoughts ?? [],
    pieces: scenario.chunks ?? splitReply(reply),
    functionCalls,
    finishReason: scenario.finishReason ?? 'STOP',
    usage: scenario.usage === null ? null : (scenario.usage ?? {}),
  };
  if (route[3] === 'generateContent') {
    sendJson(response, status, geminiDocument(plan), headers);
    return;
  }
  const chunks = geminiChunks(plan);
  if (new URLSearchParams(query).get('alt') === 'sse') {
    response.writeHead(status, { ...headers, 'content-type': 'text/event-stream' });
    await writeFrames(response, chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`), scenario, '');
    return;
  }
  // The REST API streams one JSON array: pretty-printed elements separated by `,\r\n`.
  response.writeHead(status, headers);
  const frames = chunks.map((chunk, index) => `${index === 0 ? '[' : '\n,\r\n'}${JSON.stringify(chunk, null, 2)}`);
  await writeFrames(response, frames, scenario, '\n]');
}
