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
 */
export function readSpoolFrames(fd: number, from: number, to: number, maxOps: number): { readonly frames: SpoolFrame[]; readonly offset: number } {
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
    const encoded = new ArrayBuffer(length);
    if (readSync(fd, new Uint8Array(encoded), 0, length, offset + SPOOL_FRAME_HEADER_BYTES) < length) break;
    frames.push({ id, encoded, end });
    ops += length >= HEADER_BYTES ? encodedCount(encoded) : 0;
    offset = end;
  }
  return { frames, offset };
}
