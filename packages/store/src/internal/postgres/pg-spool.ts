// Spans that overflow the PostgreSQL exporter's memory queue, kept on disk in their order until the database takes them; left for the next process when shutdown gives up, and replayed by it.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { decodeOps, encodeOps } from '../ops-codec.js';
import type { WriteOp } from '../row-columns.js';
import { SpoolFile, orphanSpools, removeSpoolFile, spoolFileFrames } from '../spool-file.js';
import { readSpoolFrames } from '../spool-frames.js';

/** A span's completion: told once its row is committed, or with the error that stopped it. */
export type SpoolCompletion = ((error: Error | undefined) => void) | undefined;

/** One span waiting in the spool, with its completion. */
export interface SpooledSpan {
  readonly op: WriteOp;
  readonly done?: SpoolCompletion;
}

/**
 * An append-only file of packed rows in `directory`, named after `key` (one database), read back
 * in order. Completions stay in memory, by frame; a frame read back gets them again.
 */
export class PgSpool {
  readonly #base: string;
  readonly #file: SpoolFile;
  readonly #completions = new Map<number, SpoolCompletion[]>();
  #readFd = -1;
  #read = 0;
  #nextId = 1;
  #pending = 0;

  constructor(directory: string, key: string) {
    this.#base = join(directory, key);
    // Only this user may read what waits there (redacted spans, but the application's content).
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    this.#file = new SpoolFile(this.#base);
  }

  /** The file's path. */
  get path(): string {
    return this.#file.path;
  }

  /** Spans on disk, not read back yet. */
  get pendingSpans(): number {
    return this.#pending;
  }

  /** Appends spans as one frame. Throws the file system's error (ENOSPC …); nothing is appended then. */
  append(spans: readonly SpooledSpan[]): void {
    const id = this.#nextId++;
    this.#file.append(id, encodeOps(spans.map((span) => span.op)));
    this.#completions.set(id, spans.map((span) => span.done));
    this.#pending += spans.length;
  }

  /** Reads back frames holding up to `maxSpans` spans, oldest first; empties the file once all is read. */
  load(maxSpans: number): SpooledSpan[] {
    if (this.#pending === 0) return [];
    if (this.#readFd < 0) this.#readFd = openSync(this.#file.path, 'r');
    const { frames, offset } = readSpoolFrames(this.#readFd, this.#read, this.#file.end, maxSpans);
    this.#read = offset;
    const spans: SpooledSpan[] = [];
    for (const frame of frames) {
      const completions = this.#completions.get(frame.id) ?? [];
      this.#completions.delete(frame.id);
      decodeOps(frame.encoded).forEach((op, index) => {
        const done = completions[index];
        spans.push(done === undefined ? { op } : { op, done });
      });
    }
    this.#pending -= spans.length;
    if (this.#read >= this.#file.end) {
      this.#file.truncate();
      this.#read = 0;
      this.#pending = 0;
    }
    return spans;
  }

  /** Closes the file; deletes it unless `keep` (its spans then wait for the next process on this database). */
  close(keep: boolean): void {
    if (this.#readFd >= 0) closeSync(this.#readFd);
    this.#readFd = -1;
    if (keep) this.#file.keep();
    else this.#file.remove();
  }

  /** Spool files of this database left by processes that are gone. */
  orphans(): string[] {
    return orphanSpools(this.#base);
  }
}

/**
 * Writes what a dead process left in `path` with `write`, frame by frame, then deletes the file.
 * Returns the spans written; a frame that fails stops the replay and keeps the file for later.
 */
export async function replaySpool(path: string, write: (ops: WriteOp[]) => Promise<void>): Promise<number> {
  let spans = 0;
  for (const frame of spoolFileFrames(path)) {
    const ops = decodeOps(frame.encoded);
    await write(ops);
    spans += ops.length;
  }
  removeSpoolFile(path);
  return spans;
}
