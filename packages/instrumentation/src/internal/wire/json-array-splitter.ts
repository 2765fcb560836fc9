// Splits a JSON array that arrives in pieces (Gemini's streamGenerateContent without alt=sse) into its elements, in bounded memory.
import { ByteAccumulator } from './byte-accumulator.js';

/** One decoder for whole documents: `decode` without `stream` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8');

/** Options of {@link JsonArraySplitter}. */
export interface JsonArraySplitterOptions {
  /** Receives the text of each complete element. */
  readonly onElement: (text: string) => void;
  /** An element larger than this many bytes is dropped instead of buffered. Default: 1,048,576. */
  readonly maxElementBytes?: number;
}

const DEFAULT_MAX_ELEMENT_BYTES = 1_048_576;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Hands over each element of a top-level JSON array as soon as its last byte arrives, without
 * keeping the array. The scan works on bytes (JSON's structural characters are ASCII, and no
 * byte of a multi-byte UTF-8 character is), so a chunk may end anywhere. A top-level object
 * instead of an array (an error body) is handed over as one element. Anything else stops the scan.
 *
 * @example
 * const elements: string[] = [];
 * const splitter = new JsonArraySplitter({ onElement: (text) => elements.push(text) });
 * splitter.push(new TextEncoder().encode('[{"a":1}\n,\r\n{"b"'));
 * splitter.push(new TextEncoder().encode(':2}]'));
 * // elements: ['{"a":1}', '{"b":2}']
 */
export class JsonArraySplitter {
  readonly #onElement: (text: string) => void;
  /** before: nothing yet; array: between elements; element: inside one; done: after the array; broken: not an array. */
  #state: 'before' | 'array' | 'element' | 'done' | 'broken' = 'before';
  /** The element is the whole document (a top-level object), not an array member. */
  #topLevel = false;
  #depth = 0;
  #inString = false;
  #escaped = false;
  readonly #elementText: ByteAccumulator;
  /** Bytes the current element has had, kept or not. */
  #elementBytes = 0;
  #oversized = false;
  #skipped = 0;

  constructor(options: JsonArraySplitterOptions) {
    this.#onElement = options.onElement;
    this.#elementText = new ByteAccumulator(options.maxElementBytes ?? DEFAULT_MAX_ELEMENT_BYTES);
  }

  /** Elements dropped because they were larger than the bound. */
  get skippedElements(): number {
    return this.#skipped;
  }

  /** The closing bracket of the array (or the end of a top-level object) was read. */
  get done(): boolean {
    return this.#state === 'done';
  }

  push(chunk: Uint8Array): void {
    let index = 0;
    while (index < chunk.length) {
      switch (this.#state) {
        case 'done':
        case 'broken':
          return;
        case 'before':
          index = this.#before(chunk, index);
          break;
        case 'array':
          index = this.#between(chunk, index);
          break;
        case 'element':
          index = this.#element(chunk, index);
          break;
      }
    }
  }

  #before(chunk: Uint8Array, start: number): number {
    let index = start;
    while (index < chunk.length && isWhitespace(chunk[index]!)) index += 1;
    if (index === chunk.length) return index;
    const byte = chunk[index]!;
    if (byte === OPEN_BRACKET) {
      this.#state = 'array';
      return index + 1;
    }
    if (byte === OPEN_BRACE) {
      this.#topLevel = true;
      this.#startElement();
      return index;
    }
    this.#state = 'broken';
    return chunk.length;
  }

  #between(chunk: Uint8Array, start: number): number {
    let index = start;
    while (index < chunk.length) {
      const byte = chunk[index]!;
      if (byte === CLOSE_BRACKET) {
        this.#state = 'done';
        return chunk.length;
      }
      if (!isWhitespace(byte) && byte !== COMMA) {
        this.#startElement();
        return index;
      }
      index += 1;
    }
    return index;
  }

  #startElement(): void {
    this.#state = 'element';
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    this.#elementText.clear();
    this.#elementBytes = 0;
    this.#oversized = false;
  }

  /** Scans element bytes; returns where the element ended, or the chunk's end. */
  #element(chunk: Uint8Array, start: number): number {
    let index = start;
    let end = -1;
    while (index < chunk.length) {
      const byte = chunk[index]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) {
          this.#inString = false;
          if (this.#depth === 0) {
            end = index + 1;
            break;
          }
        }
      } else if (byte === QUOTE) {
        this.#inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.#depth += 1;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (this.#depth === 0) {
          // A bare scalar ended by the array's closing bracket.
          end = index;
          break;
        }
        this.#depth -= 1;
        if (this.#depth === 0) {
          end = index + 1;
          break;
        }
      } else if (this.#depth === 0 && (byte === COMMA || isWhitespace(byte))) {
        // A bare scalar (number or literal) ends here.
        end = index;
        break;
      }
      index += 1;
    }
    this.#keep(chunk.subarray(start, end < 0 ? chunk.length : end));
    if (end < 0) return chunk.length;
    this.#completeElement();
    return end;
  }

  #keep(bytes: Uint8Array): void {
    this.#elementBytes += bytes.length;
    if (this.#oversized || bytes.length === 0) return;
    if (!this.#elementText.append(bytes)) {
      this.#oversized = true;
      this.#elementText.clear();
    }
  }

  #completeElement(): void {
    if (this.#elementBytes === 0) {
      // A closing brace or bracket where an element should start: not an array of elements.
      this.#state = 'broken';
      return;
    }
    this.#state = this.#topLevel ? 'done' : 'array';
    if (this.#oversized) {
      this.#skipped += 1;
      return;
    }
    const text = UTF8.decode(this.#elementText.bytes());
    this.#elementText.clear();
    this.#onElement(text);
  }
}
