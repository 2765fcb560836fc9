// Which options a second register() call sets differently from the first: those would be silently ignored.

/** Options that change how problems are reported, not what is recorded. */
const REPORTING_ONLY = new Set(['strict', 'quiet', 'diagnosticSink']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Structural equality for plain data (objects, arrays, primitives); identity for everything else (functions, class instances). */
function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  if (depth > 8) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index], depth + 1));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    return keys.length === otherKeys.length && keys.every((key) => sameValue(a[key], b[key], depth + 1));
  }
  return false;
}

/**
 * The names of the options `later` sets (not `undefined`) to something other than `first` did.
 * Options left unset in `later` never count: `register()` with no options asks for whatever is active.
 */
export function differingOptions(first: object, later: object): string[] {
  const before = first as Record<string, unknown>;
  return Object.entries(later as Record<string, unknown>)
    .filter(([key, value]) => value !== undefined && !REPORTING_ONLY.has(key) && !sameValue(before[key], value))
    .map(([key]) => key);
}
