// Splits a mock reply into the pieces a stream sends.

/**
 * Splits a reply into stream pieces: one per word, keeping the spaces.
 *
 * @example
 * splitReply('one two'); // ['one ', 'two']
 */
export function splitReply(reply: string): string[] {
  const pieces = reply.match(/\S+\s*|\s+/g);
  return pieces === null ? [] : pieces;
}
