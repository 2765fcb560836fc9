// Durations as people write them in flags and environment variables: `500ms`, `90s`, `15m`,
// `24h`, `30d`, `2w`. One grammar for the CLI and the configuration.

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i;

/**
 * Milliseconds of a duration such as `500ms`, `90s`, `15m`, `24h`, `30d` or `2w` (case and a
 * space before the unit do not matter). A bare number is accepted only when `bareUnit` says what
 * it counts. `undefined` when the text is not a duration.
 *
 * @example
 * parseDuration('15m'); // 900000
 * parseDuration('2500', { bareUnit: 'ms' }); // 2500
 * parseDuration('2500'); // undefined
 */
export function parseDuration(text: string, options: { readonly bareUnit?: 'ms' | 's' } = {}): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const unit = match[2]?.toLowerCase() ?? options.bareUnit;
  const factor = unit === undefined ? undefined : UNITS[unit];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
