// Frames of the spool file: the packed buffers that wait on disk for the writer, each behind its
// length and write id. Written by the exporter, read by the writer thread.
import { readSync } from 'node:fs';
import { HEADER_BYTES, encodedCount, encodedLength } from './ops-codec.js';
import type { EncodedOps } from './ops-codec.js';

/** Bytes before each packed buffer in the spool file: its length and its write id (Uint32 each). */
export const SPOOL_FRAME_HEADER_BYTES = 8;

/** The frame header of a packed buffer appended to the spool file. */
export function spoolFrameHeader(id: number, encoded: EncodedOps): Buffer {
  const header = Buffer.allocUnsafe(SPOOL_FRAME_HEADER_BYTES);
  header.writeUInt32LE(encodedLength(encoded), 0);
  header.writeUInt32LE(id, 4);
  return header;
}

/** A frame read back from a spool file. */
export interface SpoolFrame {
  readonly id: number;
  readonly encoded: EncodedOps;
  /** The file offset just past the frame. */
  readonly end: number;
}

/**
 * Reads complete frames of a spool file from `from`, stopping at `to`, at a frame cut short (a
 * crash while appending), or once the frames read hold `maxOps` ops. Returns them and the
 * offset just past the last one.
 *
 * With `scratch`, each of the first {@link REUSED_FRAMES} frames of at most
 * {@link REUSED_FRAME_BYTES} is read into `scratch[n]` (replaced by a larger buffer when it is
 * too small), so those frames are only valid until the next call with the same `scratch`; a
 * buffer may be longer than its frame (the packed header says what is in use). A reader that
 * drains a spool of thousands of frames then allocates a few buffers once instead of one per
 * frame: buffers of a megabyte, allocated and freed one after another, leave the C allocator
 * holding that much memory of the thread after it is done (after a burst of 1,000,000 spans
 * through the spool, the writer thread's allocator kept 6 MiB instead of 13). Larger or
 * further frames get buffers of their own, so the reused ones never hold more than 8 MiB.
 */
export function readSpoolFrames(fd: number, from: number, to: number, maxOps: number, scratch?: ArrayBuffer[]): { readonly frames: SpoolFrame[]; readonly offset: number } {
  const header = Buffer.alloc(SPOOL_FRAME_HEADER_BYTES);
  const frames: SpoolFrame[] = [];
  let offset = from;
  let ops = 0;
  while (offset + SPOOL_FRAME_HEADER_BYTES <= to && ops < maxOps) {
    if (readSync(fd, header, 0, SPOOL_FRAME_HEADER_BYTES, offset) < SPOOL_FRAME_HEADER_BYTES) break;
    const length = header.readUInt32LE(0);
    const id = header.readUInt32LE(4);
    const end = offset + SPOOL_FRAME_HEADER_BYTES + length;
    if (end > to) break;
    let encoded = frameBuffer(scratch, frames.length, length);
    if (readSync(fd, new Uint8Array(encoded, 0, length), 0, length, offset + SPOOL_FRAME_HEADER_BYTES) < length) break;
    // A frame whose packed header does not say exactly its own length is damaged: it gets a
    // buffer of its own size, so decoding it fails as it would have, and never reads the bytes a
    // longer frame left behind in a reused buffer.
    if (encoded.byteLength !== length && (length < HEADER_BYTES || encodedLength(encoded) !== length)) encoded = encoded.slice(0, length);
    frames.push({ id, encoded, end });
    ops += length >= HEADER_BYTES ? encodedCount(encoded) : 0;
    offset = end;
  }
  return { frames, offset };
}

/** Frames per read that go into reused buffers, and the largest such frame (see {@link readSpoolFrames}). */
export const REUSED_FRAMES = 4;
export const REUSED_FRAME_BYTES = 2 * 1024 * 1024;

/** A buffer for frame number `index` of `length` bytes: the scratch one when it is large enough. */
function frameBuffer(scratch: ArrayBuffer[] | undefined, index: number, length: number): ArrayBuffer {
  if (scratch === undefined || index >= REUSED_FRAMES || length > REUSED_FRAME_BYTES) return new ArrayBuffer(length);
  const kept = scratch[index];
  if (kept !== undefined && kept.byteLength >= length) return kept;
  // Grown by half again (within the bound), so a slowly growing frame size does not mean a new buffer every time.
  const buffer = new ArrayBuffer(Math.min(REUSED_FRAME_BYTES, Math.max(length, Math.ceil((kept?.byteLength ?? 0) * 1.5))));
  scratch[index] = buffer;
  return buffer;
}
