// Size bounds applied to recorded content, from @runtrace/core's Limits.
import { Limits, makeLabel } from '@runtrace/core';

/** Characters kept per message part. */
export const MAX_PART_CHARS = Limits.MESSAGE_TEXT_CHARS;
/** Bytes of streamed text kept per step. */
export const MAX_STREAM_TEXT_BYTES = Limits.STREAM_TEXT_BYTES;
/** Bytes kept per attempt body (default). */
export const DEFAULT_MAX_BODY_BYTES = Limits.BODY_BYTES;

/** A run label: whitespace collapsed, at most 200 characters; `undefined` when empty. */
export function labelOf(text: string): string | undefined {
  const label = makeLabel(text);
  return label === '' ? undefined : label;
}
