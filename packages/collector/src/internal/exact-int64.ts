// OTLP's int64 attribute values, kept exact: a JavaScript number where it can hold the value,
// its decimal string beyond ±2^53 (a double would silently round 9007199254740993 to …992).

const INT64_TEXT = /^-?\d{1,20}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The value of a decimal int64: a number when it is a safe integer, else its canonical decimal
 * string; `undefined` when the text is not an integer in the int64 range.
 *
 * @example
 * exactInt64('42'); // 42
 * exactInt64('9223372036854775807'); // '9223372036854775807'
 */
export function exactInt64(text: string): number | string | undefined {
  if (!INT64_TEXT.test(text)) return undefined;
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) return undefined;
  return int64Value(value);
}

/** A 64-bit integer as a number when it is a safe integer, else as its decimal string. */
export function int64Value(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}
