// Byte-bounded truncation on a UTF-8 character boundary, with a marker recording the original size.
import { Buffer } from 'node:buffer';
import { InvalidArgumentError } from './errors.js';
import { graphemeBoundaryAtOrBefore } from './internal/grapheme-boundary.js';

/** Options of {@link truncateBytes}. */
export interface TruncateBytesOptions {
  /**
   * The size to record in the marker, in bytes. Default: the UTF-8 size of `text`. Pass the
   * size of the original body when `text` is its redacted form.
   */
  readonly originalBytes?: number;
  /**
   * `text` is already an incomplete part of the original (a prefix of a body that was captured
   * up to a byte cap), so the marker is appended even when `text` fits. Default: `false`.
   */
  readonly incomplete?: boolean;
}

/**
 * The marker appended to byte-truncated text.
 *
 * @example
 * truncationMarker(180_000); // '…[truncated, 180000 bytes]'
 */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated, ${originalBytes} bytes]`;
}

/**
 * Truncates text to at most `maxBytes` UTF-8 bytes, marker included, cutting on a character
 * boundary (moved back to the start of a grapheme cluster it would split, such as a ZWJ emoji
 * sequence or a flag) and appending `…[truncated, <original size> bytes]`. Text within the limit is
 * returned unchanged, unless `incomplete` says it is already a part of something larger. When
 * `maxBytes` is too small for the marker, the cut prefix is returned without one.
 *
 * @example
 * truncateBytes('x'.repeat(100), 40); // 'xxxxxxxxxxxxxxx…[truncated, 100 bytes]' (40 bytes)
 * truncateBytes('{"a":1,', 100, { incomplete: true, originalBytes: 70_000 }); // '{"a":1,…[truncated, 70000 bytes]'
 */
export function truncateBytes(text: string, maxBytes: number, options: TruncateBytesOptions = {}): string {
  if (!(Number.isInteger(maxBytes) && maxBytes >= 0) && maxBytes !== Number.POSITIVE_INFINITY) {
    throw new InvalidArgumentError('maxBytes', maxBytes, 'a non-negative integer or Infinity');
  }
  const incomplete = options.incomplete === true;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (!incomplete && text.length * 3 <= maxBytes) return text;
  const size = Buffer.byteLength(text, 'utf8');
  if (!incomplete && size <= maxBytes) return text;
  const marker = truncationMarker(options.originalBytes ?? size);
  const markerBytes = Buffer.byteLength(marker, 'utf8');
  const budget = markerBytes <= maxBytes ? maxBytes - markerBytes : maxBytes;
  const prefix = size <= budget ? text : graphemePrefix(text, budget);
  return markerBytes <= maxBytes ? prefix + marker : prefix;
}

/** The longest prefix of `text` that fits in `maxBytes` and ends on a grapheme-cluster boundary. */
function graphemePrefix(text: string, maxBytes: number): string {
  const prefix = utf8Prefix(text, maxBytes);
  const end = graphemeBoundaryAtOrBefore(text, prefix.length);
  return end === prefix.length ? prefix : text.slice(0, end);
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, ending on a character boundary. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    let width: number;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      } else {
        width = 3; // lone surrogate, encoded as U+FFFD
      }
    } else width = 3;
    if (bytes + width > maxBytes) break;
    bytes += width;
    index += units;
  }
  return text.slice(0, index);
}
