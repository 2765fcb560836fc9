// The numeric option check every constructor and factory shares: absent means the default, and
// anything else must be a number of the right kind, or InvalidArgumentError names it.
import { InvalidArgumentError } from './errors.js';

/** What kind of number an option takes (see {@link positiveOption}). */
export interface NumberKind {
  /** A safe integer, not any finite number. */
  readonly integer?: boolean;
  /** 0 is allowed too. */
  readonly allowZero?: boolean;
  /** What it counts, for the message (\`milliseconds\`). */
  readonly unit?: string;
}

/**
 * \`value\`, or \`fallback\` when it is undefined; throws InvalidArgumentError naming \`name\` when it
 * is not a positive (or, with \`allowZero\`, non-negative) number of the kind asked for.
 *
 * @example
 * const limit = positiveOption('options.maxSpans', options.maxSpans, 4096, { integer: true });
 */
export function positiveOption(name: string, value: number | undefined, fallback: number, kind: NumberKind = {}): number {
  if (value === undefined) return fallback;
  const number = kind.integer === true ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!number || value < 0 || (value === 0 && kind.allowZero !== true)) {
    const noun = kind.integer === true ? (kind.allowZero === true ? 'an integer of 0 or more' : 'a positive integer') : kind.allowZero === true ? 'a number of 0 or more' : 'a positive number';
    throw new InvalidArgumentError(name, value, kind.unit === undefined ? noun : `${noun} of ${kind.unit}`);
  }
  return value;
}
