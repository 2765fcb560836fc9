// The contract between the HTTP attempt recorder and the parsers of LLM providers' wire formats.
import type { NormalizedRequest, NormalizedResponse } from '../../gen-ai-types.js';

/** The wire formats runtrace understands. */
export type WireFormatName = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';

/** What {@link detectWireFormat} looks at: one HTTP request, before it is sent. */
export interface WireRequestInfo {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Options of {@link WireFormat.parseRequest}. */
export interface ParseRequestOptions {
  /** The body is only the start of the request body (it was captured up to a byte cap). */
  readonly truncated: boolean;
}

/** Options of {@link WireFormat.createResponseParser}. */
export interface ResponseParserOptions {
  /**
   * UTF-8 bytes kept of each kind of output: answer text, reasoning text and tool-call arguments
   * each stop growing there (the kept prefix is marked truncated). Stream events and array
   * elements larger than `max(4 × maxTextBytes, 1 MiB)` are skipped, and non-streamed bodies are
   * read up to `max(8 × maxTextBytes, 4 MiB)`.
   */
  readonly maxTextBytes: number;
}

/** One wire format, bound to what the request's URL says (provider, model in the path). */
export interface WireFormat {
  readonly name: WireFormatName;
  /** `gen_ai.provider.name`. */
  readonly provider: string;
  /** `gen_ai.operation.name`: `chat` or `generate_content`. */
  readonly operation: string;
  /** The model named by the path (a Gemini model, an Azure OpenAI deployment). */
  readonly pathModel?: string;
  /** The path asks for a stream (Gemini `:streamGenerateContent`). */
  readonly pathStreaming?: boolean;
  /** Reads a request body. Never throws. */
  parseRequest(body: Uint8Array, options: ParseRequestOptions): WireRequest;
  /**
   * A parser for the response body: a JSON content type is one JSON document (a streamed JSON
   * array on a streaming Gemini path); `text/event-stream` is SSE unless the body starts with `{`
   * or `[` (an error sent as JSON); without either type, the first byte decides.
   */
  createResponseParser(contentType: string | undefined, options: ResponseParserOptions): WireResponseParser;
}

/** What a request body says. */
export interface WireRequest {
  /** The requested model: the body's `model`, else the model in the path. */
  readonly model?: string;
  /** A streamed answer was asked for. */
  readonly stream?: boolean;
  readonly request: NormalizedRequest;
  /** `false` when the body was truncated or is not one JSON object (what could be read is still returned). */
  readonly complete: boolean;
}

/** Reads one response body, chunk by chunk. */
export interface WireResponseParser {
  /**
   * Feeds the next body bytes; returns `true` when they carried the first output content (text,
   * reasoning or a tool call), for the time to first chunk. A non-streamed JSON body is read at
   * `end()`, so it never returns `true`. Never throws.
   */
  push(chunk: Uint8Array): boolean;
  /** Ends the body and returns what was learned; later calls return the same. Never throws. */
  end(): WireResponse;
  /**
   * Whether the body is read as one JSON document (a JSON content type that is no streamed
   * array): then {@link documentComplete} can tell whether it was one.
   */
  readonly readsDocument: boolean;
  /**
   * After {@link end}, when {@link readsDocument}: whether the body was exactly one complete
   * JSON document (a body past the parser's size bound included); `undefined` otherwise.
   */
  documentComplete(): boolean | undefined;
}

/** An in-band error: an SSE `error` event, a failed response, or an error JSON body. */
export interface WireResponseError {
  /** The provider's error type or code (`overloaded_error`, `rate_limit_exceeded`, `RESOURCE_EXHAUSTED`, …). */
  readonly type: string;
  readonly message?: string;
}

/** What a response body said. */
export interface WireResponse extends NormalizedResponse {
  /**
   * The provider signalled the end of the answer: a finish reason, `[DONE]`, or a terminal event.
   * A stream cut short has `false`; an in-band `error` event alone does not finish it.
   */
  readonly finished: boolean;
  readonly error?: WireResponseError;
  /** The body carried token usage; when `false`, `usage` is undefined (never zeros). */
  readonly usageReported: boolean;
}

/** What a format's request reader returns; `complete` is added from how the body was read. */
export type WireRequestBody = Omit<WireRequest, 'complete'>;
