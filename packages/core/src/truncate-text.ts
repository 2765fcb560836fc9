// Character-bounded truncation that never splits a surrogate pair or a grapheme cluster.
import { InvalidArgumentError } from './errors.js';
import { graphemeBoundaryAtOrBefore } from './internal/grapheme-boundary.js';

/** The ellipsis appended to truncated text; it counts inside the limit. */
export const ELLIPSIS = '…';

/**
 * Truncates text to at most `maxChars` characters (Unicode code points), the trailing `…`
 * included. A surrogate pair is never split, and the cut moves back to the start of a
 * grapheme cluster it would fall inside (a ZWJ emoji sequence such as 👨‍👩‍👧, a flag, a letter
 * with combining marks), so the result may hold fewer characters. Text within the limit is
 * returned unchanged.
 *
 * @example
 * truncateText('hello world', 6); // 'hello…'
 * truncateText('ok', 6); // 'ok'
 * truncateText('ab🇫🇷🇩🇪', 4); // 'ab…' — never half a flag
 */
export function truncateText(text: string, maxChars: number): string {
  if (!Number.isInteger(maxChars) || maxChars < 0) {
    throw new InvalidArgumentError('maxChars', maxChars, 'a non-negative integer');
  }
  // Code points never outnumber UTF-16 code units.
  if (text.length <= maxChars) return text;
  if (maxChars === 0) return '';
  const keep = maxChars - 1;
  let index = 0;
  let count = 0;
  while (index < text.length && count < keep) {
    index += isHighSurrogateAt(text, index) ? 2 : 1;
    count++;
  }
  // Is the rest of the text short enough to fit without truncation?
  let rest = 0;
  let scan = index;
  while (scan < text.length && rest <= 1) {
    scan += isHighSurrogateAt(text, scan) ? 2 : 1;
    rest++;
  }
  if (rest <= 1) return text;
  return text.slice(0, graphemeBoundaryAtOrBefore(text, index)) + ELLIPSIS;
}

function isHighSurrogateAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff) return false;
  const next = text.charCodeAt(index + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
