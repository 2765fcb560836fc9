// Suggests known run ids close to one that was not found: shared prefixes first, then edit distance.

/** Levenshtein distance, with an early exit once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return rowMin;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function commonPrefix(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}

/**
 * Up to `count` ids closest to `wanted`: ids that start with it or share a prefix of at least
 * four characters, then ids within an edit distance of a third of its length (at least 2).
 */
export function closestIds(wanted: string, ids: Iterable<string>, count = 3): string[] {
  const needle = wanted.toLowerCase();
  const maxDistance = Math.max(2, Math.floor(needle.length / 3));
  const scored: { id: string; prefix: number; distance: number }[] = [];
  for (const id of ids) {
    const candidate = id.toLowerCase();
    const prefix = candidate.startsWith(needle) ? needle.length : commonPrefix(candidate, needle);
    const distance = editDistance(needle, candidate.slice(0, Math.max(needle.length, 1)), maxDistance);
    if (prefix >= Math.min(4, needle.length) || distance <= maxDistance) scored.push({ id, prefix, distance });
  }
  scored.sort((a, b) => b.prefix - a.prefix || a.distance - b.distance || a.id.localeCompare(b.id));
  return scored.slice(0, count).map((entry) => entry.id);
}
