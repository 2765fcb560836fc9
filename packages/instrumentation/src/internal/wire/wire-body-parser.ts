// Reads a response body as SSE, a streamed JSON array or one JSON document, and hands each message to a format's handler.
import { MAX_STREAM_TEXT_BYTES } from '../bounds.js';
import { JsonCompleteness } from '../json-completeness.js';
import { ByteAccumulator } from './byte-accumulator.js';
import { JsonArraySplitter } from './json-array-splitter.js';
import { parseJsonPrefix } from './parse-json-prefix.js';
import { ResponseBuilder } from './response-builder.js';
import { SseDecoder } from './sse-decoder.js';
import type { ResponseParserOptions, WireResponse, WireResponseParser } from './wire-format.js';

/** One decoder for whole documents: `decode` without `stream` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8');

/**
 * The first character that is not JSON whitespace (nor, with `skipByteOrderMark`, U+FEFF), or
 * NaN when there is none; read in place, without trimming a copy.
 */
function firstCharacter(text: string, skipByteOrderMark = false): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09 && !(skipByteOrderMark && code === 0xfeff)) return code;
  }
  return Number.NaN;
}

/** What a wire format does with the messages of a response body. */
export interface WireMessageHandler {
  /**
   * One stream message: an SSE event (its `event` field and its `data`, parsed as JSON, or
   * `undefined` when the data is not JSON, such as `[DONE]`), or an element of a streamed JSON
   * array (event `message`).
   */
  message(event: string, data: unknown, rawData: string): void;
  /** A whole non-streamed body; `complete` is `false` when it was cut or over the size bound. */
  document(value: unknown, complete: boolean): void;
}

/** Options of {@link WireBodyParser}. */
export interface WireBodyParserOptions extends ResponseParserOptions {
  /** A JSON body is a streamed array of messages (Gemini's `:streamGenerateContent` without `alt=sse`). */
  readonly jsonArrayStream: boolean;
  /** Builds the format's handler around the response being collected. */
  readonly createHandler: (builder: ResponseBuilder) => WireMessageHandler;
}

const MIB = 1_048_576;
/** Leading whitespace held while the first byte that decides the framing is awaited. */
const MAX_SNIFF_BYTES = 4096;

type Mode = 'sse' | 'json-array' | 'json' | 'sniff';

/**
 * JSON content types are read as JSON. Anything else (event streams included) is decided by the
 * first byte that is not whitespace: `{` or `[` is JSON (an error body sent with an event-stream
 * type, which the Gemini SDK guards against too), anything else SSE.
 */
function modeOf(contentType: string | undefined, jsonArrayStream: boolean): Mode {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') && !type.includes('event-stream')) return jsonArrayStream ? 'json-array' : 'json';
  return 'sniff';
}

/** Whether bytes form one complete JSON document by their structure alone (see {@link JsonCompleteness}). */
function completeInStructure(bytes: Uint8Array): boolean {
  const completeness = new JsonCompleteness();
  completeness.feed(bytes);
  return completeness.complete();
}

/** `maxTextBytes` when it is usable, else the default. */
function textBound(value: number): number {
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : MAX_STREAM_TEXT_BYTES;
}

/**
 * The {@link WireResponseParser} of every format: picks the body's framing from its content type
 * (and, unless that is JSON, from its first byte), decodes it incrementally, and guards every step so that no input can make it throw. Stream
 * messages larger than `max(4 × maxTextBytes, 1 MiB)` are skipped; a non-streamed body is kept up
 * to `max(8 × maxTextBytes, 4 MiB)` and read as a prefix beyond that.
 *
 * @example
 * const parser = new WireBodyParser('text/event-stream', { maxTextBytes: 50_000, jsonArrayStream: false, createHandler });
 * parser.push(chunk); // true once the first text, reasoning or tool call arrived
 * parser.end(); // { content, finishReason, usage, finished, usageReported, … }
 */
export class WireBodyParser implements WireResponseParser {
  readonly #builder: ResponseBuilder;
  readonly #handler: WireMessageHandler;
  readonly #maxMessageBytes: number;
  readonly #jsonArrayStream: boolean;
  #mode: Mode;
  #sse: SseDecoder | undefined;
  #array: JsonArraySplitter | undefined;
  readonly #maxDocumentBytes: number;
  #document: ByteAccumulator | undefined;
  #documentCut = false;
  /** Whether the document body was one complete JSON document, known at its end. */
  #documentComplete: boolean | undefined;
  /** Checks the structure of a document body past the size bound, from its first byte on. */
  #overflow: JsonCompleteness | undefined;
  #sniffed: Uint8Array[] = [];
  #sniffedBytes = 0;
  #result: WireResponse | undefined;
  #broken = false;

  constructor(contentType: string | undefined, options: WireBodyParserOptions) {
    const maxTextBytes = textBound(options.maxTextBytes);
    this.#builder = new ResponseBuilder(maxTextBytes);
    this.#handler = options.createHandler(this.#builder);
    this.#maxMessageBytes = Math.max(4 * maxTextBytes, MIB);
    this.#maxDocumentBytes = Math.max(8 * maxTextBytes, 4 * MIB);
    this.#jsonArrayStream = options.jsonArrayStream;
    this.#mode = modeOf(contentType, options.jsonArrayStream);
    this.readsDocument = this.#mode === 'json';
    this.#start();
  }

  readonly readsDocument: boolean;

  documentComplete(): boolean | undefined {
    return this.readsDocument ? this.#documentComplete : undefined;
  }

  push(chunk: Uint8Array): boolean {
    if (this.#result !== undefined || this.#broken) return false;
    const before = this.#builder.hasContent;
    try {
      this.#feed(chunk);
    } catch {
      // Unreachable by design; should a handler still throw, stop reading rather than break the request.
      this.#broken = true;
    }
    return !before && this.#builder.hasContent;
  }

  end(): WireResponse {
    if (this.#result !== undefined) return this.#result;
    try {
      if (!this.#broken) {
        if (this.#mode === 'sniff') this.#decide('json');
        this.#sse?.end();
        if (this.#mode === 'json') this.#endDocument();
      }
    } catch {
      // As in push: what was read so far is the answer.
    }
    try {
      this.#result = this.#builder.build();
    } catch {
      this.#result = { finished: false, usageReported: false };
    }
    return this.#result;
  }

  #start(): void {
    if (this.#mode === 'sse') {
      this.#sse = new SseDecoder({ maxEventLength: this.#maxMessageBytes, onEvent: (event) => this.#message(event.event, event.data) });
    } else if (this.#mode === 'json-array') {
      this.#array = new JsonArraySplitter({ maxElementBytes: this.#maxMessageBytes, onElement: (text) => this.#message('message', text) });
    }
  }

  #feed(chunk: Uint8Array): void {
    switch (this.#mode) {
      case 'sse':
        this.#sse?.push(chunk);
        return;
      case 'json-array':
        this.#array?.push(chunk);
        return;
      case 'json':
        this.#keepDocument(chunk);
        return;
      case 'sniff':
        this.#sniff(chunk);
        return;
    }
  }

  /** Waits for the first byte that is not whitespace: `{` or `[` is JSON, anything else SSE. */
  #sniff(chunk: Uint8Array): void {
    let index = 0;
    while (index < chunk.length && (chunk[index] === 0x20 || chunk[index] === 0x0a || chunk[index] === 0x0d || chunk[index] === 0x09)) index += 1;
    if (index === chunk.length) {
      // Whitespace only: JSON ignores it and SSE reads it as blank lines, so little needs keeping.
      if (this.#sniffedBytes < MAX_SNIFF_BYTES) {
        this.#sniffed.push(chunk.slice());
        this.#sniffedBytes += chunk.length;
      }
      return;
    }
    const first = chunk[index];
    const json = first === 0x7b || first === 0x5b;
    this.#decide(json ? (this.#jsonArrayStream || first === 0x5b ? 'json-array' : 'json') : 'sse');
    this.#feed(chunk);
  }

  #decide(mode: Exclude<Mode, 'sniff'>): void {
    this.#mode = mode;
    this.#start();
    const held = this.#sniffed;
    this.#sniffed = [];
    for (const piece of held) this.#feed(piece);
  }

  #keepDocument(chunk: Uint8Array): void {
    if (this.#overflow !== undefined) {
      this.#overflow.feed(chunk);
      return;
    }
    this.#document ??= new ByteAccumulator(this.#maxDocumentBytes);
    const room = this.#maxDocumentBytes - this.#document.length;
    if (this.#document.append(chunk)) return;
    // Past the bound only the structure is followed, from the first byte (what was kept) on.
    this.#documentCut = true;
    this.#overflow = new JsonCompleteness();
    this.#overflow.feed(this.#document.bytes());
    this.#overflow.feed(chunk.subarray(Math.max(0, room)));
  }

  #endDocument(): void {
    if (this.#document === undefined) {
      // No byte arrived: no document.
      this.#documentComplete = false;
      return;
    }
    const bytes = this.#document.bytes();
    const text = UTF8.decode(bytes);
    this.#document = undefined;
    if (this.#overflow !== undefined) this.#documentComplete = this.#overflow.complete();
    // Empty or whitespace only (a byte order mark counts as whitespace here).
    if (Number.isNaN(firstCharacter(text, true))) {
      this.#documentComplete ??= false;
      return;
    }
    const parsed = parseJsonPrefix(text);
    // A document JSON.parse reads is one complete document; one it does not read may still be
    // complete in structure (bytes that are not UTF-8, say), which is what counts here.
    this.#documentComplete ??= parsed.complete || completeInStructure(bytes);
    this.#handler.document(parsed.value, parsed.complete && !this.#documentCut);
  }

  #message(event: string, rawData: string): void {
    let data: unknown;
    const first = firstCharacter(rawData);
    // Only objects and arrays are messages; `[DONE]` and other markers stay raw.
    if (first === 0x7b || (first === 0x5b && rawData.trim() !== '[DONE]')) {
      try {
        data = JSON.parse(rawData) as unknown;
      } catch {
        data = undefined;
      }
    }
    this.#handler.message(event, data, rawData);
  }
}
