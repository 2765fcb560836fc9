// The writer thread's script: opens the store file, then writes what the exporter hands over (in
// transferred buffers, or frames of the spool file) until told to close. Loads only better-sqlite3,
// node builtins and the store's own writer modules, which import nothing else.
import { closeSync, openSync } from 'node:fs';
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { SpanWriter, writeUnits } from './span-writer.js';
import type { Unit } from './span-writer.js';
import { WRITER_CACHE_KIB, openDatabase } from './sqlite-connection.js';
import { readSpoolFrames } from './spool-frames.js';
import type { WriterRequest, WriterResponse, WriterWorkerData } from './writer-protocol.js';

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function runWorker(data: WriterWorkerData): void {
  const port = parentPort;
  if (port === null) return;
  let writer: SpanWriter;
  try {
    const db = openDatabase(data.path, { busyTimeoutMs: data.busyTimeoutMs, cacheKiB: WRITER_CACHE_KIB });
    if (data.maxDatabaseBytes !== undefined) {
      const pageSize = Number(db.pragma('page_size', { simple: true }));
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(data.maxDatabaseBytes / pageSize))}`);
    }
    writer = new SpanWriter(db);
  } catch (error: unknown) {
    port.postMessage({ type: 'open-failed', message: errorMessage(error) } satisfies WriterResponse);
    return;
  }
  port.postMessage({ type: 'ready' } satisfies WriterResponse);

  const spool = { path: '', fd: -1, offset: 0 };
  /** The buffers spool frames are read into, reused from one read to the next (see readSpoolFrames). */
  const frameBuffers: ArrayBuffer[] = [];
  const reply = (ids: number[], error?: unknown): void => {
    port.postMessage((error === undefined ? { type: 'written', ids } : { type: 'written', ids, error: errorMessage(error) }) satisfies WriterResponse);
  };
  const next = (): WriterRequest | undefined => receiveMessageOnPort(port)?.message as WriterRequest | undefined;
  const close = (): void => {
    if (spool.fd >= 0) closeSync(spool.fd);
    writer.database.close();
    port.postMessage({ type: 'closed' } satisfies WriterResponse);
    port.close();
  };
  const drainSpool = (path: string, end: number): void => {
    try {
      if (spool.path !== path) {
        if (spool.fd >= 0) closeSync(spool.fd);
        spool.fd = -1;
        spool.fd = openSync(path, 'r');
        spool.path = path;
      }
      // A few frames at a time, so a large spool never sits in memory at once.
      while (spool.offset < end) {
        const { frames, offset } = readSpoolFrames(spool.fd, spool.offset, end, data.maxBatchSpans, frameBuffers);
        // Nothing readable before `end` (never expected: frames are announced once written).
        spool.offset = frames.length === 0 ? end : offset;
        writeUnits(writer, frames, data.maxBatchSpans, reply);
      }
      port.postMessage({ type: 'spool-read', offset: spool.offset } satisfies WriterResponse);
    } catch (error: unknown) {
      port.postMessage({ type: 'spool-read', offset: -1, error: `cannot read the spool file ${path}: ${errorMessage(error)}` } satisfies WriterResponse);
    }
  };

  port.on('message', (first: WriterRequest) => {
    let request: WriterRequest | undefined = first;
    while (request !== undefined) {
      switch (request.type) {
        case 'close':
          close();
          return;
        case 'spool-reset':
          spool.offset = 0;
          request = next();
          continue;
        case 'spool':
          drainSpool(request.path, request.end);
          request = next();
          continue;
        case 'write': {
          // One transaction per wake-up: writes that arrive while it is open join it.
          const units: Unit[] = [{ id: request.id, encoded: request.ops }];
          let carried: WriterRequest | undefined;
          for (let waiting = next(); waiting !== undefined; waiting = next()) {
            if (waiting.type !== 'write') {
              carried = waiting;
              break;
            }
            units.push({ id: waiting.id, encoded: waiting.ops });
          }
          writeUnits(writer, units, data.maxBatchSpans, reply);
          const buffers = units.map((unit) => unit.encoded);
          port.postMessage({ type: 'buffers', buffers } satisfies WriterResponse, buffers);
          request = carried ?? next();
          continue;
        }
        default: {
          const unexpected: never = request;
          return unexpected;
        }
      }
    }
  });
}

function isWriterWorkerData(value: unknown): value is WriterWorkerData {
  return typeof value === 'object' && value !== null && (value as { runtraceSqliteWriter?: unknown }).runtraceSqliteWriter === true;
}

if (!isMainThread && isWriterWorkerData(workerData)) runWorker(workerData);
