// Run labels: one line of at most 200 characters.
import { Limits } from './limits.js';
import { truncateText } from './truncate-text.js';

/**
 * Makes a label: whitespace runs collapsed to one space, trimmed, then truncated to
 * `maxChars` characters (default {@link Limits.LABEL_CHARS}, 200) with an ellipsis.
 *
 * @example
 * makeLabel('  Summarize\n\nthis   file  '); // 'Summarize this file'
 */
export function makeLabel(text: string, maxChars: number = Limits.LABEL_CHARS): string {
  return truncateText(text.replace(/\s+/g, ' ').trim(), maxChars);
}
