// Grapheme-cluster boundaries near a cut, so truncation never splits an emoji sequence or a flag.

/** Code units looked at on each side of a cut; longer clusters (stacked marks) are cut by code point. */
const WINDOW = 64;

let segmenter: Intl.Segmenter | null | undefined;

function graphemeSegmenter(): Intl.Segmenter | null {
  if (segmenter === undefined) {
    // Node builds without ICU data lack Intl.Segmenter: cut by code point there.
    segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  }
  return segmenter;
}

/**
 * The last grapheme-cluster boundary at or before `index` (a UTF-16 offset that does not split
 * a surrogate pair): `index` itself when a cluster ends there, else the start of the cluster it
 * falls inside (a ZWJ emoji sequence, a flag, a letter with combining marks). Only the text
 * near the cut is segmented. A cluster reaching further back than the window is left to the
 * code-point cut.
 */
export function graphemeBoundaryAtOrBefore(text: string, index: number): number {
  if (index <= 0 || index >= text.length) return index;
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  // Below U+0300 nothing extends or joins a cluster, except CR LF.
  if (before < 0x300 && after < 0x300 && !(before === 0x0d && after === 0x0a)) return index;
  const segments = graphemeSegmenter();
  if (segments === null) return index;
  const start = Math.max(0, index - WINDOW);
  const segment = segments.segment(text.slice(start, Math.min(text.length, index + WINDOW))).containing(index - start);
  if (segment === undefined) return index;
  const clusterStart = start + segment.index;
  if (clusterStart === start && start > 0) return index;
  return clusterStart;
}
