// The messages between the exporter and its writer thread, and the data the thread starts with.
import type { EncodedOps } from './ops-codec.js';

/** Messages from the exporter to the writer worker. */
export type WriterRequest =
  /** Write these packed ops and answer with `id`. */
  | { readonly type: 'write'; readonly id: number; readonly ops: EncodedOps }
  /** The spool file holds frames up to `end`: write them, answering with their ids. */
  | { readonly type: 'spool'; readonly path: string; readonly end: number }
  /** The exporter emptied the spool file: read it from the start again. */
  | { readonly type: 'spool-reset' }
  | { readonly type: 'close' };

/** Messages from the writer worker to the exporter. */
export type WriterResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'open-failed'; readonly message: string }
  | { readonly type: 'written'; readonly ids: readonly number[]; readonly error?: string }
  /** Packed buffers read and done with, handed back for reuse. */
  | { readonly type: 'buffers'; readonly buffers: readonly ArrayBuffer[] }
  /**
   * Every frame of the spool file before `offset` has been answered (-1: the file cannot be
   * read; `error` says why). A frame id not answered by then was lost.
   */
  | { readonly type: 'spool-read'; readonly offset: number; readonly error?: string }
  | { readonly type: 'closed' };

/** Data the worker is started with. */
export interface WriterWorkerData {
  readonly runtraceSqliteWriter: true;
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Most ops per transaction when several write requests are waiting. */
  readonly maxBatchSpans: number;
  /** A cap on the database file's size: writes past it fail as SQLite's "database or disk is full". */
  readonly maxDatabaseBytes?: number;
}
