import { appendFileSync, closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeOps, encodeOps } from './ops-codec.js';
import { SPAN_COLUMNS } from './row-columns.js';
import type { WriteOp } from './row-columns.js';
import { REUSED_FRAMES, REUSED_FRAME_BYTES, readSpoolFrames, spoolFrameHeader } from './spool-frames.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

/** `count` generic span ops whose names are `text` and a number, so frames differ in size with `text`. */
function ops(count: number, text: string): WriteOp[] {
  return Array.from({ length: count }, (_, index) => {
    const id = `c${String(index).padStart(15, '0')}`;
    return {
      table: 'spans',
      values: SPAN_COLUMNS.map((column) => (column === 'span_id' ? id : column === 'trace_id' ? TRACE_ID : column === 'name' ? `${text} ${index}` : null)),
      spanId: id,
      traceId: TRACE_ID,
      runId: null,
      events: [],
      aggregate: false,
    };
  });
}

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtrace-spool-frames-'));
  path = join(dir, 'spool');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Appends a frame as the exporter does: its header, then the packed bytes. */
function appendFrame(id: number, encoded: ArrayBuffer): void {
  appendFileSync(path, spoolFrameHeader(id, encoded));
  appendFileSync(path, new Uint8Array(encoded));
}

describe('readSpoolFrames with reused buffers', () => {
  it('reads every frame whole into the scratch buffers, reusing them from one read to the next', () => {
    const big = ops(40, 'a long span name that makes the first frame large'.repeat(4));
    const small = ops(3, 'short');
    appendFrame(1, encodeOps(big));
    appendFrame(2, encodeOps(small));
    const firstEnd = statSync(path).size;
    appendFrame(3, encodeOps(small));
    const fd = openSync(path, 'r');
    try {
      const scratch: ArrayBuffer[] = [];
      const first = readSpoolFrames(fd, 0, firstEnd, 1_000, scratch);
      expect(first.frames.map((frame) => frame.id)).toEqual([1, 2]);
      expect(decodeOps(first.frames[0]!.encoded)).toEqual(big);
      expect(decodeOps(first.frames[1]!.encoded)).toEqual(small);
      expect(scratch).toHaveLength(2);
      const largeBuffer = scratch[0]!;

      // The next frame lands in the first slot, which a longer frame filled before.
      const second = readSpoolFrames(fd, first.offset, statSync(path).size, 1_000, scratch);
      expect(second.frames.map((frame) => frame.id)).toEqual([3]);
      expect(second.frames[0]!.encoded).toBe(largeBuffer);
      expect(second.frames[0]!.encoded.byteLength).toBeGreaterThan(encodeOps(small).byteLength);
      expect(decodeOps(second.frames[0]!.encoded)).toEqual(small);
    } finally {
      closeSync(fd);
    }
  });

  it('gives a damaged frame a buffer of its own size, so it fails to decode instead of reading what a longer frame left behind', () => {
    appendFrame(1, encodeOps(ops(40, 'x'.repeat(200))));
    const firstEnd = statSync(path).size;
    // A frame whose packed header claims more text than the frame holds (a damaged spool).
    const damaged = encodeOps(ops(2, 'short'));
    const header = new Uint32Array(damaged, 0, 4);
    header[2] = header[2]! + 64;
    // Its frame header still gives its true size: the damage is inside the packed bytes.
    const frameHeader = Buffer.alloc(8);
    frameHeader.writeUInt32LE(damaged.byteLength, 0);
    frameHeader.writeUInt32LE(2, 4);
    appendFileSync(path, frameHeader);
    appendFileSync(path, new Uint8Array(damaged));
    const fd = openSync(path, 'r');
    try {
      const scratch: ArrayBuffer[] = [];
      readSpoolFrames(fd, 0, firstEnd, 1_000, scratch);
      const { frames } = readSpoolFrames(fd, firstEnd, statSync(path).size, 1_000, scratch);
      expect(frames.map((frame) => frame.id)).toEqual([2]);
      expect(frames[0]!.encoded.byteLength).toBe(damaged.byteLength);
      expect(() => decodeOps(frames[0]!.encoded)).toThrow(/damaged/);
    } finally {
      closeSync(fd);
    }
  });

  it('reuses at most REUSED_FRAMES buffers of at most REUSED_FRAME_BYTES: further and larger frames get their own', () => {
    for (let id = 1; id <= REUSED_FRAMES + 2; id++) appendFrame(id, encodeOps(ops(2, `frame ${id}`)));
    const huge = ops(4, 'h'.repeat(REUSED_FRAME_BYTES / 4));
    appendFrame(99, encodeOps(huge));
    const fd = openSync(path, 'r');
    try {
      const scratch: ArrayBuffer[] = [];
      const { frames } = readSpoolFrames(fd, 0, statSync(path).size, 1_000, scratch);
      expect(frames).toHaveLength(REUSED_FRAMES + 3);
      expect(scratch).toHaveLength(REUSED_FRAMES);
      frames.slice(0, REUSED_FRAMES).forEach((frame, index) => expect(frame.encoded).toBe(scratch[index]));
      for (const frame of frames.slice(REUSED_FRAMES)) expect(scratch).not.toContain(frame.encoded);
      expect(frames.at(-1)!.encoded.byteLength).toBeGreaterThan(REUSED_FRAME_BYTES);
      expect(decodeOps(frames.at(-1)!.encoded)).toEqual(huge);
      expect(decodeOps(frames[REUSED_FRAMES + 1]!.encoded)).toEqual(ops(2, `frame ${REUSED_FRAMES + 2}`));
    } finally {
      closeSync(fd);
    }
  });

  it('allocates a buffer per frame without scratch buffers, as before', () => {
    appendFrame(1, encodeOps(ops(2, 'a')));
    appendFrame(2, encodeOps(ops(2, 'b')));
    const fd = openSync(path, 'r');
    try {
      const { frames } = readSpoolFrames(fd, 0, statSync(path).size, 1_000);
      expect(frames[0]!.encoded).not.toBe(frames[1]!.encoded);
      expect(decodeOps(frames[1]!.encoded)).toEqual(ops(2, 'b'));
    } finally {
      closeSync(fd);
    }
  });
});
