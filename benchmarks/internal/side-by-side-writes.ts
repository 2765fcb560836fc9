// Writes the same batches into several store files side by side (store-writer-cache,
// store-run-indexes): each batch to every file in turn, the order flipped every batch, so the
// files grow alike and the machine's noise hits each alike.
import type { SpanWriter } from '../../packages/store/dist/internal/span-writer.js';
import type { WriteOp } from '../../packages/store/dist/internal/row-columns.js';

/** One file's writer and the time it spent writing: over all batches, and over the second half. */
export interface SideTimes {
  readonly writer: SpanWriter;
  ms: number;
  lateMs: number;
}

/** Writes `batches` batches of `opsOf(batch)` into every side; returns the ops written per side. */
export function writeSideBySide(sides: readonly SideTimes[], batches: number, opsOf: (batch: number) => WriteOp[]): number {
  let written = 0;
  for (let batch = 0; batch < batches; batch++) {
    const ops = opsOf(batch);
    written += ops.length;
    for (const side of batch % 2 === 0 ? sides : [...sides].reverse()) {
      const started = performance.now();
      side.writer.write(ops);
      const elapsed = performance.now() - started;
      side.ms += elapsed;
      if (batch >= batches / 2) side.lateMs += elapsed;
    }
    if (batch % 40 === 39) process.stderr.write(`  ${batch + 1} of ${batches} batches\n`);
  }
  return written;
}
