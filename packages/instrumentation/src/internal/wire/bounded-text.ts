// Accumulates streamed text up to a byte budget, keeping the prefix and marking the cut.
import { Buffer } from 'node:buffer';
import { truncationMarker } from '@runtrace/core/internal';

/** UTF-8 bytes still available to the texts that share it (one kind of output of one response). */
export interface TextBudget {
  remaining: number;
}

/**
 * Text appended piece by piece that stops growing when its budget is spent; `toString()` is the
 * kept prefix followed by `…[truncated, <bytes seen> bytes]` when something was dropped.
 *
 * @example
 * const text = new BoundedText({ remaining: 5 });
 * text.append('Hello, world');
 * text.toString(); // 'Hello…[truncated, 12 bytes]'
 */
export class BoundedText {
  readonly #budget: TextBudget;
  readonly #pieces: string[] = [];
  #bytes = 0;
  #truncated = false;

  constructor(budget: TextBudget) {
    this.#budget = budget;
  }

  /** Something was dropped. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /** Nothing (or only empty strings) was appended. */
  get empty(): boolean {
    return this.#bytes === 0;
  }

  append(text: string): void {
    if (text === '') return;
    const size = Buffer.byteLength(text, 'utf8');
    this.#bytes += size;
    if (this.#truncated) return;
    if (size <= this.#budget.remaining) {
      this.#pieces.push(text);
      this.#budget.remaining -= size;
      return;
    }
    const prefix = utf8Prefix(text, this.#budget.remaining);
    if (prefix !== '') this.#pieces.push(prefix);
    this.#budget.remaining -= Buffer.byteLength(prefix, 'utf8');
    this.#truncated = true;
  }

  toString(): string {
    const text = this.#pieces.join('');
    return this.#truncated ? `${text}${truncationMarker(this.#bytes)}` : text;
  }
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a surrogate pair. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    let width = code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    let units = 1;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      }
    }
    if (bytes + width > maxBytes) break;
    bytes += width;
    index += units;
  }
  return text.slice(0, index);
}
