// Binds a wire format's request reader and response handler to what the request URL said.
import { AnthropicMessagesResponse } from './anthropic-messages-response.js';
import { parseAnthropicMessagesRequest } from './anthropic-messages-request.js';
import { GeminiResponse } from './gemini-response.js';
import { parseGeminiRequest } from './gemini-request.js';
import { OpenAiChatResponse } from './openai-chat-response.js';
import { parseOpenAiChatRequest } from './openai-chat-request.js';
import { OpenAiResponsesResponse } from './openai-responses-response.js';
import { parseOpenAiResponsesRequest } from './openai-responses-request.js';
import { isRecord } from './json-value.js';
import { readJsonBody } from './read-json-body.js';
import type { ResponseBuilder } from './response-builder.js';
import { WireBodyParser } from './wire-body-parser.js';
import type { WireMessageHandler } from './wire-body-parser.js';
import type { WireFormat, WireFormatName, WireRequest, WireRequestBody } from './wire-format.js';

/** Options of {@link createWireFormat}: what the URL said. */
export interface WireFormatOptions {
  /** `gen_ai.provider.name`. */
  readonly provider: string;
  /** The model named by the path. */
  readonly pathModel?: string | undefined;
  /** The path asks for a stream. */
  readonly pathStreaming?: boolean | undefined;
}

interface FormatParts {
  readonly operation: string;
  readonly readRequest: (body: unknown) => WireRequestBody;
  readonly createHandler: (builder: ResponseBuilder) => WireMessageHandler;
}

const FORMATS: Readonly<Record<WireFormatName, FormatParts>> = {
  'openai-chat': {
    operation: 'chat',
    readRequest: parseOpenAiChatRequest,
    createHandler: (builder) => new OpenAiChatResponse(builder),
  },
  'openai-responses': {
    operation: 'chat',
    readRequest: parseOpenAiResponsesRequest,
    createHandler: (builder) => new OpenAiResponsesResponse(builder),
  },
  'anthropic-messages': {
    operation: 'chat',
    readRequest: parseAnthropicMessagesRequest,
    createHandler: (builder) => new AnthropicMessagesResponse(builder),
  },
  gemini: {
    operation: 'generate_content',
    readRequest: parseGeminiRequest,
    createHandler: (builder) => new GeminiResponse(builder),
  },
};

/**
 * A {@link WireFormat}. The request model is the body's `model`, else the path's (an Azure
 * deployment, a Gemini model); a Gemini request streams when its path does.
 *
 * @example
 * const format = createWireFormat('gemini', { provider: 'gcp.gemini', pathModel: 'gemini-2.5-flash', pathStreaming: true });
 * format.parseRequest(body, { truncated: false }).model; // 'gemini-2.5-flash'
 */
export function createWireFormat(name: WireFormatName, options: WireFormatOptions): WireFormat {
  const parts = FORMATS[name];
  const pathModel = options.pathModel;
  const pathStreaming = options.pathStreaming;
  const format: { -readonly [K in keyof WireFormat]: WireFormat[K] } = {
    name,
    provider: options.provider,
    operation: parts.operation,
    parseRequest(body, parseOptions): WireRequest {
      try {
        const json = readJsonBody(body, parseOptions.truncated);
        const read = parts.readRequest(json.value);
        const request: { -readonly [K in keyof WireRequest]: WireRequest[K] } = { request: read.request, complete: json.complete && isRecord(json.value) };
        const model = read.model ?? pathModel;
        if (model !== undefined) request.model = model;
        const stream = read.stream ?? pathStreaming;
        if (stream !== undefined) request.stream = stream;
        return request;
      } catch {
        // Unreachable by design: every field access is guarded. Recording must never break the request.
        return pathModel === undefined ? { request: {}, complete: false } : { model: pathModel, request: {}, complete: false };
      }
    },
    createResponseParser(contentType, parserOptions) {
      return new WireBodyParser(contentType, {
        maxTextBytes: parserOptions.maxTextBytes,
        jsonArrayStream: pathStreaming === true,
        createHandler: parts.createHandler,
      });
    },
  };
  if (pathModel !== undefined) format.pathModel = pathModel;
  if (pathStreaming !== undefined) format.pathStreaming = pathStreaming;
  return format;
}
