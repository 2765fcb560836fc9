// Decodes a server-sent events stream incrementally, as the HTML standard's event-stream parser does, in bounded memory.

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field; `message` when absent. */
  readonly event: string;
  /** The `data` lines, joined with `\n`. */
  readonly data: string;
  /** The `id` field, when the event had one. */
  readonly id?: string;
}

/** Options of {@link SseDecoder}. */
export interface SseDecoderOptions {
  /** Receives each complete event. */
  readonly onEvent: (event: SseEvent) => void;
  /**
   * An event (or a single line) longer than this, in UTF-16 code units of decoded text, is
   * dropped instead of buffered. Default: 1,048,576.
   */
  readonly maxEventLength?: number;
}

const DEFAULT_MAX_EVENT_LENGTH = 1_048_576;
const LINE_END = /[\r\n]/g;

/**
 * Splits bytes into events: `event:`/`data:`/`id:` fields, multi-line data, comments, and CRLF,
 * LF or CR line ends, with chunk boundaries anywhere (inside a line, a CRLF pair or a UTF-8
 * character). An event still open when the stream ends is discarded, as the standard says.
 *
 * @example
 * const events: SseEvent[] = [];
 * const decoder = new SseDecoder({ onEvent: (event) => events.push(event) });
 * decoder.push(new TextEncoder().encode('event: ping\ndata: {}\n\n'));
 * decoder.end(); // events: [{ event: 'ping', data: '{}' }]
 */
export class SseDecoder {
  readonly #onEvent: (event: SseEvent) => void;
  readonly #maxLength: number;
  readonly #utf8 = new TextDecoder('utf-8');
  /** Pieces of the line being read. */
  #line: string[] = [];
  #lineLength = 0;
  /** The line being read has characters (an oversized one keeps none, yet is not blank). */
  #lineHasText = false;
  /** The last chunk ended with CR: a LF starting the next one belongs to it. */
  #afterCarriageReturn = false;
  #eventType = '';
  #data: string[] = [];
  #dataLength = 0;
  #id: string | undefined;
  /** The event being read outgrew the bound: drop it at its end. */
  #oversized = false;
  #skipped = 0;
  #ended = false;

  constructor(options: SseDecoderOptions) {
    this.#onEvent = options.onEvent;
    this.#maxLength = options.maxEventLength ?? DEFAULT_MAX_EVENT_LENGTH;
  }

  /** Events dropped because they were larger than the bound. */
  get skippedEvents(): number {
    return this.#skipped;
  }

  push(chunk: Uint8Array): void {
    if (this.#ended) return;
    this.#text(this.#utf8.decode(chunk, { stream: true }));
  }

  /** The stream ended: an event without its closing blank line is discarded. */
  end(): void {
    if (this.#ended) return;
    this.#text(this.#utf8.decode());
    this.#ended = true;
  }

  #text(text: string): void {
    let start = 0;
    if (this.#afterCarriageReturn && text.length > 0) {
      this.#afterCarriageReturn = false;
      if (text.charCodeAt(0) === 0x0a) start = 1;
    }
    while (start < text.length) {
      LINE_END.lastIndex = start;
      const match = LINE_END.exec(text);
      if (match === null) {
        this.#addToLine(text.slice(start));
        return;
      }
      const end = match.index;
      if (end > start) this.#addToLine(text.slice(start, end));
      this.#completeLine();
      start = end + 1;
      if (text.charCodeAt(end) === 0x0d) {
        if (start < text.length) {
          if (text.charCodeAt(start) === 0x0a) start += 1;
        } else {
          this.#afterCarriageReturn = true;
        }
      }
    }
  }

  #addToLine(piece: string): void {
    this.#lineHasText = true;
    if (this.#oversized) return;
    this.#lineLength += piece.length;
    if (this.#lineLength + this.#dataLength > this.#maxLength) {
      this.#oversized = true;
      this.#line = [];
      this.#lineLength = 0;
      return;
    }
    this.#line.push(piece);
  }

  #completeLine(): void {
    const blank = !this.#lineHasText;
    const line = this.#line.length === 1 ? this.#line[0]! : this.#line.join('');
    this.#line = [];
    this.#lineLength = 0;
    this.#lineHasText = false;
    if (blank) {
      this.#dispatch();
      return;
    }
    // An oversized event's lines are dropped until the blank line that ends it.
    if (this.#oversized || line.charCodeAt(0) === 0x3a) return; // 0x3a: a comment
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (name) {
      case 'event':
        this.#eventType = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#dataLength += value.length + 1;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      default:
        // `retry` and unknown fields change nothing here.
        break;
    }
  }

  #dispatch(): void {
    const oversized = this.#oversized;
    const data = this.#data;
    const type = this.#eventType;
    const id = this.#id;
    this.#data = [];
    this.#dataLength = 0;
    this.#eventType = '';
    this.#oversized = false;
    if (oversized) {
      this.#skipped += 1;
      return;
    }
    if (data.length === 0) return;
    const event: { event: string; data: string; id?: string } = { event: type === '' ? 'message' : type, data: data.join('\n') };
    if (id !== undefined) event.id = id;
    this.#onEvent(event);
  }
}
