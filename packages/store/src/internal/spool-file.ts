// The exporter's overflow journal: packed rows appended to a file beside the database when more
// is waiting than memory may hold, read back by the writer thread, replayed after a crash.

import { closeSync, ftruncateSync, openSync, readdirSync, unlinkSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { encodedCount, encodedLength } from './ops-codec.js';
import type { EncodedOps } from './ops-codec.js';
import { SpanWriter } from './span-writer.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import { readSpoolFrames, spoolFrameHeader } from './spool-frames.js';
import type { SpoolFrame } from './spool-frames.js';

const SPOOL_SUFFIX = /^(.*)-spool-(\d+)-(\d+)$/;
/** Spool files this process has open, so a second exporter on the same database never replays them. */
const openHere = new Set<string>();
let sequence = 0;

/** The spool files of `databasePath` left by processes that are gone. */
export function orphanSpools(databasePath: string): string[] {
  const directory = dirname(databasePath);
  const name = basename(databasePath);
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return [];
  }
  const orphans: string[] = [];
  for (const entry of entries) {
    const match = SPOOL_SUFFIX.exec(entry);
    if (match === null || match[1] !== name) continue;
    const path = join(directory, entry);
    if (openHere.has(path) || isAlive(Number(match[2]))) continue;
    orphans.push(path);
  }
  return orphans;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a replay of orphaned spool files wrote. */
export interface SpoolReplay {
  readonly files: number;
  readonly spans: number;
  readonly failedSpans: number;
}

/**
 * Writes what dead processes left in their spool files into `db`, then deletes the files. A
 * frame that fails is counted and skipped; a file is deleted once read to its end.
 */
export function replayOrphanSpools(db: SqliteDatabase, databasePath: string): SpoolReplay {
  let files = 0;
  let spans = 0;
  let failedSpans = 0;
  for (const path of orphanSpools(databasePath)) {
    const writer = new SpanWriter(db);
    for (const frame of spoolFileFrames(path)) {
      try {
        writer.writeEncoded(frame.encoded);
        spans += encodedCount(frame.encoded);
      } catch {
        failedSpans += 1;
      }
    }
    removeSpoolFile(path);
    files += 1;
  }
  return { files, spans, failedSpans };
}

/**
 * Every complete frame of a spool file, in order, read a few thousand ops at a time; nothing
 * when the file cannot be opened (another process replayed and removed it first).
 */
export function* spoolFileFrames(path: string): Generator<SpoolFrame> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    let offset = 0;
    for (;;) {
      const { frames, offset: next } = readSpoolFrames(fd, offset, Number.MAX_SAFE_INTEGER, 2_000);
      if (frames.length === 0) return;
      yield* frames;
      offset = next;
    }
  } finally {
    closeSync(fd);
  }
}

/** Deletes a replayed spool file. */
export function removeSpoolFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Another process replayed and removed it first.
  }
}

/**
 * An append-only file of packed rows, created on first use beside the database and removed
 * when the exporter closes. Emptied (truncated) whenever the writer has read all of it.
 */
export class SpoolFile {
  /** The file's path. */
  readonly path: string;
  #fd = -1;
  #end = 0;

  constructor(databasePath: string) {
    sequence += 1;
    this.path = `${databasePath}-spool-${process.pid}-${sequence}`;
  }

  /** Bytes written and not yet truncated away: the offset the next frame starts at. */
  get end(): number {
    return this.#end;
  }

  /** Appends a frame; returns the offset just past it. Throws the file system's error (ENOSPC …). */
  append(id: number, encoded: EncodedOps): number {
    if (this.#fd < 0) {
      this.#fd = openSync(this.path, 'w+');
      openHere.add(this.path);
    }
    const header = spoolFrameHeader(id, encoded);
    const body = new Uint8Array(encoded, 0, encodedLength(encoded));
    const total = header.length + body.length;
    let written = 0;
    // writev may write less than asked near a full disk: finish the frame or fail.
    while (written < total) {
      const parts = written < header.length ? [header.subarray(written), body] : [body.subarray(written - header.length)];
      written += writevSync(this.#fd, parts, this.#end + written);
    }
    this.#end += total;
    return this.#end;
  }

  /** Empties the file once every frame in it has been read. */
  truncate(): void {
    if (this.#fd < 0 || this.#end === 0) return;
    ftruncateSync(this.#fd, 0);
    this.#end = 0;
  }

  /** Closes the file and keeps it, for another exporter of the same database to replay (as a dead process's). */
  keep(): void {
    if (this.#fd < 0) return;
    try {
      closeSync(this.#fd);
    } catch {
      // Already closed.
    }
    openHere.delete(this.path);
    this.#fd = -1;
    this.#end = 0;
  }

  /** Closes and deletes the file. */
  remove(): void {
    if (this.#fd < 0) return;
    try {
      closeSync(this.#fd);
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
    openHere.delete(this.path);
    this.#fd = -1;
    this.#end = 0;
  }
}
