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
/** The options of every `decode` of a chunk: one object, not one per chunk. */
const STREAMING = { stream: true } as const;

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
  /** The event's first `data` line; most events have one, which then needs no joining. */
  #firstData: string | undefined;
  /** Its further `data` lines, when there are some. */
  #moreData: string[] | undefined;
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
    this.#text(this.#utf8.decode(chunk, STREAMING));
  }

  /** The stream ended: an event without its closing blank line is discarded. */
  end(): void {
    if (this.#ended) return;
    this.#text(this.#utf8.decode());
    this.#ended = true;
  }

  #text(text: string): void {
    const length = text.length;
    let start = 0;
    if (this.#afterCarriageReturn && length > 0) {
      this.#afterCarriageReturn = false;
      if (text.charCodeAt(0) === 0x0a) start = 1;
    }
    // The next LF and the next CR at or after `start` (-1: none left in this text), each looked
    // up again only once passed: every character is searched once per kind of line end, so a
    // text whose lines end with only one of them costs one search for the other.
    let lineFeed = start < length ? text.indexOf('\n', start) : -1;
    let carriageReturn = start < length ? text.indexOf('\r', start) : -1;
    while (start < length) {
      if (lineFeed !== -1 && lineFeed < start) lineFeed = text.indexOf('\n', start);
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = text.indexOf('\r', start);
      let end = lineFeed;
      if (carriageReturn !== -1 && (end === -1 || carriageReturn < end)) end = carriageReturn;
      if (end === -1) {
        this.#addToLine(text.slice(start));
        return;
      }
      if (this.#line.length === 0 && !this.#lineHasText) {
        // The whole line is in this text (the usual case): read it where it stands.
        this.#wholeLine(text, start, end);
      } else {
        if (end > start) this.#addToLine(text.slice(start, end));
        this.#completeLine();
      }
      start = end + 1;
      if (text.charCodeAt(end) === 0x0d) {
        if (start < length) {
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

  /** A line that began in an earlier text: its pieces joined. */
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
    if (this.#oversized) return;
    this.#field(line, 0, line.length);
  }

  /** A line found whole in `text`, from `start` to `end` (its line end), read as {@link #addToLine} and {@link #completeLine} would. */
  #wholeLine(text: string, start: number, end: number): void {
    if (end === start) {
      this.#dispatch();
      return;
    }
    if (this.#oversized) return;
    if (end - start + this.#dataLength > this.#maxLength) {
      this.#oversized = true;
      return;
    }
    this.#field(text, start, end);
  }

  /**
   * The field on the line `text.slice(start, end)` (not blank, the event not oversized). Only
   * `data`, `event` and `id` matter, so the name is compared where it stands: nothing past the
   * line is read (a search for the colon would run on into the rest of the text).
   */
  #field(text: string, start: number, end: number): void {
    let nameLength: number;
    switch (text.charCodeAt(start)) {
      case 0x64: // d
        nameLength = text.startsWith('data', start) ? 4 : 0;
        break;
      case 0x65: // e
        nameLength = text.startsWith('event', start) ? 5 : 0;
        break;
      case 0x69: // i
        nameLength = text.startsWith('id', start) ? 2 : 0;
        break;
      default:
        // A comment (`:`), `retry` or an unknown field changes nothing here.
        return;
    }
    const nameEnd = start + nameLength;
    if (nameLength === 0 || nameEnd > end) return;
    // The name is the whole line (the value is empty) or is followed by the colon; a longer name
    // (`datax: …`) is another field.
    let valueStart = end;
    if (nameEnd < end) {
      if (text.charCodeAt(nameEnd) !== 0x3a) return;
      valueStart = nameEnd + 1;
      if (valueStart < end && text.charCodeAt(valueStart) === 0x20) valueStart += 1;
    }
    const value = text.slice(valueStart, end);
    if (nameLength === 4) {
      this.#addData(value);
    } else if (nameLength === 5) {
      this.#eventType = value;
    } else if (!value.includes('\0')) {
      this.#id = value;
    }
  }

  #addData(value: string): void {
    if (this.#firstData === undefined) this.#firstData = value;
    else (this.#moreData ??= []).push(value);
    this.#dataLength += value.length + 1;
  }

  #dispatch(): void {
    const oversized = this.#oversized;
    const first = this.#firstData;
    const more = this.#moreData;
    const type = this.#eventType;
    const id = this.#id;
    this.#firstData = undefined;
    this.#moreData = undefined;
    this.#dataLength = 0;
    this.#eventType = '';
    this.#oversized = false;
    if (oversized) {
      this.#skipped += 1;
      return;
    }
    if (first === undefined) return;
    const data = more === undefined ? first : `${first}\n${more.join('\n')}`;
    const event: { event: string; data: string; id?: string } = { event: type === '' ? 'message' : type, data };
    if (id !== undefined) event.id = id;
    this.#onEvent(event);
  }
}
