// Size bounds for recorded content.

/**
 * Default bounds for recorded content.
 *
 * @example
 * truncateText(part.text, Limits.MESSAGE_TEXT_CHARS);
 */
export const Limits = {
  /** Characters kept per message part (10,000). */
  MESSAGE_TEXT_CHARS: 10_000,
  /** UTF-8 bytes of streamed text kept per step (50,000). */
  STREAM_TEXT_BYTES: 50_000,
  /** Characters of a run label, whitespace collapsed (200). */
  LABEL_CHARS: 200,
  /** UTF-8 bytes of a request or response body kept per attempt (50,000). */
  BODY_BYTES: 50_000,
} as const;
