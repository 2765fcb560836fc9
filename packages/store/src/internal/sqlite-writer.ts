// The writer thread's script and everything it needs: the store's columns, the packing of rows for
// the trip from the exporter (in a transferred buffer, or through the spool file), the row
// upserts and the worker's loop. Self-contained on purpose (only better-sqlite3 and node
// builtins): the same file runs on the main thread (spool replay, tests) and as the worker script.

import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

export type SqliteDatabase = Database.Database;

/** Opens a database file for reading and writing with the store's pragmas. */
export function openDatabase(path: string, options: { readonly busyTimeoutMs?: number } = {}): SqliteDatabase {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL with NORMAL sync: a commit is durable across application crashes (not power loss)
  // without an fsync per transaction. Per connection, so set on every one.
  db.pragma('synchronous = NORMAL');
  return db;
}

export const RUN_COLUMNS = [
  'run_id', 'trace_id', 'parent_span_id', 'parent_run_id', 'name', 'kind', 'status', 'status_message',
  'error_type', 'conversation_id', 'root_conversation_id', 'parent_conversation_id', 'trigger_message_id',
  'history_tip_message_id', 'assistant_message_id', 'provider', 'model', 'normalized_model', 'label',
  'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'has_summary', 'step_count', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'tool_call_count', 'has_error', 'endpoint', 'first_message', 'cost_usd', 'cost_unknown', 'stale', 'attributes',
  'service_name', 'service_version', 'deployment_environment', 'resource', 'otel', 'resource_id',
] as const;

export const STEP_COLUMNS = [
  'step_id', 'run_id', 'trace_id', 'parent_span_id', 'number', 'operation', 'status', 'status_message',
  'error_type', 'provider', 'request_model', 'response_model', 'response_id', 'finish_reasons', 'input_tokens',
  'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'time_to_first_chunk_ms', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'cost_usd', 'cost_unknown',
  'attributes', 'otel', 'resource_id',
] as const;

export const ATTEMPT_COLUMNS = [
  'attempt_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'number', 'status', 'method', 'url', 'url_path',
  'status_code', 'resend_count', 'retry_classification', 'retry_delay_ms', 'error_type', 'error', 'start_ms',
  'end_ms', 'duration_ms', 'last_activity_ms', 'attributes', 'otel', 'resource_id',
] as const;

export const TOOL_COLUMNS = [
  'span_id', 'run_id', 'step_id', 'trace_id', 'parent_span_id', 'name', 'call_id', 'status', 'status_message',
  'error_type', 'start_ms', 'end_ms', 'duration_ms', 'last_activity_ms', 'attributes', 'otel', 'resource_id',
] as const;

export const SPAN_COLUMNS = [
  'span_id', 'trace_id', 'parent_span_id', 'name', 'span_kind', 'start_ms', 'end_ms', 'duration_ms', 'status_code',
  'status_message', 'scope', 'attributes', 'events', 'otel', 'resource_id',
] as const;

export type RunRow = Record<(typeof RUN_COLUMNS)[number], string | number | null>;
export type StepRow = Record<(typeof STEP_COLUMNS)[number], string | number | null>;
export type AttemptRow = Record<(typeof ATTEMPT_COLUMNS)[number], string | number | null>;
export type ToolRow = Record<(typeof TOOL_COLUMNS)[number], string | number | null>;
export type SpanRow = Record<(typeof SPAN_COLUMNS)[number], string | number | null>;

/** The \`resources\` table: one row per distinct resource, named by the spans' \`resource_id\`. */
export const RESOURCE_COLUMNS = ['resource_id', 'service_name', 'service_version', 'deployment_environment', 'attributes'] as const;

export interface EventRow {
  readonly name: string;
  readonly time_ms: number;
  readonly attributes: string;
}

/** A row's values in the column order of its table. */
export type RowValues = readonly (string | number | null)[];

/**
 * One row to write, as span conversion produces it. `events` are written (by sequence number,
 * so a finished span's superset overwrites a snapshot's) when the row is written; `aggregate`
 * re-derives the run's figures from its steps when the run has no summary. `foreignRun` marks a
 * row of a run made of other instrumentations' spans: a `runs` row is merged into the stored one
 * (see {@link MERGE_FOREIGN_RUN_SQL}); a step or tool call brings its run's row in `runValues`,
 * merged likewise.
 */
export interface RowOp {
  readonly table: 'runs' | 'steps' | 'attempts' | 'tool_calls' | 'spans';
  readonly values: RowValues;
  readonly events: readonly EventRow[];
  readonly aggregate: boolean;
  readonly foreignRun?: boolean;
  readonly runValues?: RowValues;
  /** The row's resource (see {@link RESOURCE_COLUMNS}), stored once per distinct resource. */
  readonly resource?: RowValues;
}

/** A row to write with the keys of its events, read from its values by {@link decodeOps}. */
export interface WriteOp extends RowOp {
  readonly spanId: string;
  readonly traceId: string;
  readonly runId: string | null;
}

const TABLES: readonly WriteOp['table'][] = ['runs', 'steps', 'attempts', 'tool_calls', 'spans'];
const TABLE_INDEX: Readonly<Record<WriteOp['table'], number>> = { runs: 0, steps: 1, attempts: 2, tool_calls: 3, spans: 4 };
const TABLE_COLUMNS: readonly (readonly string[])[] = [RUN_COLUMNS, STEP_COLUMNS, ATTEMPT_COLUMNS, TOOL_COLUMNS, SPAN_COLUMNS];
/** Where each table keeps its trace id. */
const TRACE_COLUMN: readonly number[] = TABLE_COLUMNS.map((columns) => columns.indexOf('trace_id'));
/**
 * The columns each packing format packed per table: format 0 all but those schema 2 added,
 * format 1 all but \`resource_id\` (schema 3), format 2 all.
 */
const FORMAT_COLUMNS: readonly (readonly number[])[] = [
  TABLE_COLUMNS.map((columns, index) => (index === 0 ? RUN_COLUMNS.indexOf('service_name') : columns.indexOf('otel'))),
  TABLE_COLUMNS.map((columns) => columns.indexOf('resource_id')),
  TABLE_COLUMNS.map((columns) => columns.length),
];
/** Bits of an op's flags number. */
const FLAG_AGGREGATE = 1;
const FLAG_FOREIGN_RUN = 2;
const FLAG_RUN_VALUES = 4;
const FLAG_RESOURCE = 8;
const CELL_NULL = 0;
const CELL_NUMBER = 1;
const CELL_TEXT = 2;
/** Header words (Uint32): op count (with the format in its top byte), numbers used, text code units, cells. */
const HEADER_WORDS = 4;
const HEADER_BYTES = 16;
/**
 * The packing format, in the top byte of the op count: 2 since rows name their resource. Formats
 * 0 and 1 (a spool left by an older version) had fewer columns (see {@link FORMAT_COLUMNS}); the
 * missing ones read as null.
 */
const PACK_FORMAT = 2;
const COUNT_MASK = 0x00ff_ffff;

/**
 * Write operations packed in one `ArrayBuffer`, which is transferred to the writer thread (no
 * copy) or appended as is to the spool file. Thousands of small arrays and objects would cost
 * far more to structured-clone, on both threads.
 *
 * Layout: a header of four Uint32 (op count, number count, text length in UTF-16 code units,
 * cell count), then the numbers (Float64, 8-byte aligned), the text (every text cell
 * concatenated, UTF-16LE, which round-trips any JavaScript string exactly, lone surrogates
 * included), then one tag byte per cell. Per op, the numbers hold the table index, the
 * flags and the event count, then one cell per column and three per event (name,
 * time, attributes). A cell's tag says whether it is null, a number (the next entry of the
 * numbers) or text (the next entry of the numbers is its length). The flags are bits: aggregate
 * (1), foreign run (2), run values (4), which follow the events as one cell per run column, and
 * resource (8), whose cells come last (a batch packs each resource once, with the first op naming it).
 */
export type EncodedOps = ArrayBuffer;

/** Number of ops in a packed buffer. */
export function encodedCount(encoded: EncodedOps): number {
  return new Uint32Array(encoded, 0, HEADER_WORDS)[0]! & COUNT_MASK;
}

/** Bytes of a packed buffer in use (a reused buffer may be longer). */
export function encodedLength(encoded: EncodedOps): number {
  const [, used = 0, textUnits = 0, cellCount = 0] = new Uint32Array(encoded, 0, HEADER_WORDS);
  return HEADER_BYTES + used * 8 + textUnits * 2 + cellCount;
}

/**
 * Packs ops one at a time, as they come, into growing off-heap buffers, so the ops themselves
 * die young (a window of waiting ops kept as objects would survive collections and swell the
 * heap). {@link finish} gives the buffer {@link decodeOps} reads.
 */
export class OpsPacker {
  #count = 0;
  #numbers = new Float64Array(1024);
  #n = 0;
  #tags = new Uint8Array(1024);
  #t = 0;
  #text = Buffer.allocUnsafe(16 * 1024);
  #textBytes = 0;
  /** Resources this batch already holds. */
  readonly #resources = new Set<string | number | null>();

  /** Ops packed so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes packed so far (about the size {@link finish} returns). */
  get byteLength(): number {
    return HEADER_BYTES + this.#n * 8 + this.#textBytes + this.#t;
  }

  add(op: RowOp): void {
    const runValues = op.runValues;
    let resource = op.resource;
    if (resource !== undefined) {
      if (this.#resources.has(resource[0] ?? null)) resource = undefined;
      else this.#resources.add(resource[0] ?? null);
    }
    const cells = op.values.length + op.events.length * 3 + (runValues === undefined ? 0 : RUN_COLUMNS.length) + (resource === undefined ? 0 : RESOURCE_COLUMNS.length);
    this.#reserve(cells + 3, cells);
    this.#numbers[this.#n++] = TABLE_INDEX[op.table];
    this.#numbers[this.#n++] =
      (op.aggregate ? FLAG_AGGREGATE : 0) | (op.foreignRun === true ? FLAG_FOREIGN_RUN : 0) | (runValues === undefined ? 0 : FLAG_RUN_VALUES) | (resource === undefined ? 0 : FLAG_RESOURCE);
    this.#numbers[this.#n++] = op.events.length;
    // The op's text cells are joined and written once: one native call per op, not per cell.
    const texts: string[] = [];
    for (const value of op.values) this.#cell(value, texts);
    for (const event of op.events) {
      this.#cell(event.name, texts);
      this.#cell(event.time_ms, texts);
      this.#cell(event.attributes, texts);
    }
    if (runValues !== undefined) {
      for (let column = 0; column < RUN_COLUMNS.length; column++) this.#cell(runValues[column] ?? null, texts);
    }
    if (resource !== undefined) {
      for (let column = 0; column < RESOURCE_COLUMNS.length; column++) this.#cell(resource[column] ?? null, texts);
    }
    if (texts.length > 0) this.#writeText(texts.length === 1 ? texts[0]! : texts.join(''));
    this.#count += 1;
  }

  /**
   * The packed buffer — `into` when it is large enough (buffers are reused: allocating a fresh
   * one per hand-over costs page faults and external-memory collections) — after which the
   * packer starts empty again, keeping its grown scratch space.
   */
  finish(into?: ArrayBuffer): EncodedOps {
    const textOffset = HEADER_BYTES + this.#n * 8;
    const length = textOffset + this.#textBytes + this.#t;
    const buffer = into !== undefined && into.byteLength >= length ? into : new ArrayBuffer(length);
    const header = new Uint32Array(buffer, 0, HEADER_WORDS);
    header[0] = ((PACK_FORMAT << 24) | this.#count) >>> 0;
    header[1] = this.#n;
    header[2] = this.#textBytes / 2;
    header[3] = this.#t;
    new Float64Array(buffer, HEADER_BYTES, this.#n).set(this.#numbers.subarray(0, this.#n));
    new Uint8Array(buffer, textOffset, this.#textBytes).set(this.#text.subarray(0, this.#textBytes));
    new Uint8Array(buffer, textOffset + this.#textBytes, this.#t).set(this.#tags.subarray(0, this.#t));
    this.#count = 0;
    this.#n = 0;
    this.#t = 0;
    this.#textBytes = 0;
    this.#resources.clear();
    return buffer;
  }

  #cell(value: string | number | null, texts: string[]): void {
    if (value === null) {
      this.#tags[this.#t++] = CELL_NULL;
    } else if (typeof value === 'number') {
      this.#tags[this.#t++] = CELL_NUMBER;
      this.#numbers[this.#n++] = value;
    } else {
      this.#tags[this.#t++] = CELL_TEXT;
      this.#numbers[this.#n++] = value.length;
      texts.push(value);
    }
  }

  #writeText(text: string): void {
    const bytes = text.length * 2;
    if (this.#textBytes + bytes > this.#text.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#text.length * 2, this.#textBytes + bytes));
      this.#text.copy(grown, 0, 0, this.#textBytes);
      this.#text = grown;
    }
    this.#textBytes += this.#text.write(text, this.#textBytes, 'utf16le');
  }

  #reserve(numbers: number, tags: number): void {
    if (this.#n + numbers > this.#numbers.length) {
      const grown = new Float64Array(Math.max(this.#numbers.length * 2, this.#n + numbers));
      grown.set(this.#numbers.subarray(0, this.#n));
      this.#numbers = grown;
    }
    if (this.#t + tags > this.#tags.length) {
      const grown = new Uint8Array(Math.max(this.#tags.length * 2, this.#t + tags));
      grown.set(this.#tags.subarray(0, this.#t));
      this.#tags = grown;
    }
  }
}

/** Packs ops for {@link decodeOps}. */
export function encodeOps(ops: readonly RowOp[]): EncodedOps {
  const packer = new OpsPacker();
  for (const op of ops) packer.add(op);
  return packer.finish();
}

/** A row with the keys of its events, read from its values. */
export function writeOpOf(op: RowOp): WriteOp {
  const spanId = String(op.values[0]);
  const traceId = String(op.values[TRACE_COLUMN[TABLE_INDEX[op.table]]!]);
  // The key comes first; every runtrace table keeps its run id second (a run is its own).
  const runId = op.table === 'spans' ? null : op.table === 'runs' ? spanId : String(op.values[1]);
  return { ...op, spanId, traceId, runId };
}

/** Unpacks what {@link encodeOps} packed. Throws on a buffer whose sizes do not add up. */
export function decodeOps(encoded: EncodedOps): WriteOp[] {
  if (encoded.byteLength < HEADER_BYTES) throw new Error(`packed rows too short (${encoded.byteLength} bytes)`);
  const [countWord = 0, used = 0, textUnits = 0, cellCount = 0] = new Uint32Array(encoded, 0, HEADER_WORDS);
  const count = countWord & COUNT_MASK;
  const format = countWord >>> 24;
  if (format > PACK_FORMAT) throw new Error(`packed rows of an unknown format (${format})`);
  // The columns packed per table in this format (those it did not have stay null).
  const packedColumns = FORMAT_COLUMNS[format]!;
  const runColumns = packedColumns[0]!;
  if (HEADER_BYTES + used * 8 + textUnits * 2 + cellCount > encoded.byteLength) throw new Error('packed rows are damaged (sizes do not add up)');
  const numbers = new Float64Array(encoded, HEADER_BYTES, used);
  const textOffset = HEADER_BYTES + used * 8;
  const text = Buffer.from(encoded, textOffset, textUnits * 2).toString('utf16le');
  const tags = new Uint8Array(encoded, textOffset + textUnits * 2, cellCount);
  let n = 0;
  let t = 0;
  let offset = 0;
  const cell = (): string | number | null => {
    const tag = tags[t++];
    if (tag === CELL_NUMBER) return numbers[n++]!;
    if (tag === CELL_TEXT) {
      const end = offset + numbers[n++]!;
      const value = text.slice(offset, end);
      offset = end;
      return value;
    }
    return null;
  };
  const ops: WriteOp[] = [];
  for (let index = 0; index < count; index++) {
    const tableIndex = numbers[n++]!;
    const table = TABLES[tableIndex];
    if (table === undefined) throw new Error(`packed rows are damaged (table ${tableIndex})`);
    const flags = numbers[n++]!;
    const eventCount = numbers[n++]!;
    const columns = TABLE_COLUMNS[tableIndex]!.length;
    const packed = packedColumns[tableIndex]!;
    const values: (string | number | null)[] = new Array<string | number | null>(columns).fill(null);
    for (let column = 0; column < packed; column++) values[column] = cell();
    const events: EventRow[] = [];
    for (let event = 0; event < eventCount; event++) {
      events.push({ name: String(cell()), time_ms: Number(cell()), attributes: String(cell()) });
    }
    const op: { -readonly [K in keyof RowOp]: RowOp[K] } = { table, values, events, aggregate: (flags & FLAG_AGGREGATE) !== 0 };
    if ((flags & FLAG_FOREIGN_RUN) !== 0) op.foreignRun = true;
    if ((flags & FLAG_RUN_VALUES) !== 0) {
      const runValues: (string | number | null)[] = new Array<string | number | null>(RUN_COLUMNS.length).fill(null);
      for (let column = 0; column < runColumns; column++) runValues[column] = cell();
      op.runValues = runValues;
    }
    if ((flags & FLAG_RESOURCE) !== 0) {
      const resource: (string | number | null)[] = [];
      for (let column = 0; column < RESOURCE_COLUMNS.length; column++) resource.push(cell());
      op.resource = resource;
    }
    ops.push(writeOpOf(op));
  }
  return ops;
}

// ---- the spool file ---------------------------------------------------------------------------

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

// ---- writing rows -----------------------------------------------------------------------------

/** The upsert of a runtrace table, whose rows are keyed by their trace and `key`. */
function upsertSql(table: string, key: string, columns: readonly string[]): string {
  const updates = columns
    .filter((column) => column !== key && column !== 'trace_id')
    .map((column) =>
      column === 'last_activity_ms'
        ? `last_activity_ms = max(${table}.last_activity_ms, excluded.last_activity_ms)`
        : `${column} = excluded.${column}`,
    )
    .join(', ');
  // A terminal row is final: only an in-progress row may be replaced (by a newer in-progress
  // snapshot or by the finished span).
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
    ON CONFLICT (${key}, trace_id) DO UPDATE SET ${updates} WHERE ${table}.status = 'in_progress'`;
}

export const AGGREGATE_RUN_SQL = `
  UPDATE runs SET
    step_count = a.n, input_tokens = a.i, output_tokens = a.o, reasoning_tokens = a.r,
    cache_read_tokens = a.cr, cache_creation_tokens = a.cc, total_tokens = a.t,
    has_error = CASE WHEN runs.status = 'error' OR a.err > 0 THEN 1 ELSE 0 END,
    cost_unknown = CASE WHEN a.unk > 0 THEN 1 ELSE 0 END,
    cost_usd = CASE WHEN a.unk > 0 THEN NULL ELSE a.cost END,
    tool_call_count = (SELECT count(*) FROM tool_calls WHERE tool_calls.trace_id = runs.trace_id AND tool_calls.run_id = runs.run_id),
    endpoint = (SELECT method || ' ' || url_path FROM attempts
      WHERE attempts.trace_id = runs.trace_id AND attempts.run_id = runs.run_id AND attempts.status = 'completed' AND method IS NOT NULL AND url_path IS NOT NULL
      ORDER BY start_ms LIMIT 1)
  FROM (SELECT count(*) AS n, coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o,
      coalesce(sum(reasoning_tokens), 0) AS r, coalesce(sum(cache_read_tokens), 0) AS cr,
      coalesce(sum(cache_creation_tokens), 0) AS cc, coalesce(sum(total_tokens), 0) AS t,
      coalesce(sum(status = 'error'), 0) AS err, coalesce(sum(cost_unknown), 0) AS unk, coalesce(sum(cost_usd), 0) AS cost
    FROM steps WHERE trace_id = @trace_id AND run_id = @run_id) AS a
  WHERE runs.trace_id = @trace_id AND runs.run_id = @run_id AND runs.has_summary = 0`;

/** SQL for the worse of two statuses of a foreign run's rows: error, then interrupted, then completed. */
function worseStatus(a: string, b: string): string {
  return `CASE WHEN 'error' IN (${a}, ${b}) THEN 'error' WHEN 'interrupted' IN (${a}, ${b}) THEN 'interrupted' ELSE 'completed' END`;
}

/**
 * Merges one span's view of a run made of other instrumentations' spans (a trace without a
 * runtrace run; its run id is the trace id) into the stored row, so spans arriving in any order,
 * batch or process make one run. Times widen to cover every span. An agent span's row (it has a
 * name) names the run — kind, name, status, model — when it ends last of what is stored (the
 * outermost agent contains the others); until one does, the run's status is the worst of its
 * spans'. Model, provider and conversation otherwise come from the first span that has them; the
 * figures are aggregated from the steps. Such a row is a roll-up, so unlike a runtrace run it
 * changes after it is terminal. Never touches a runtrace run (whose id is a span id).
 */
export const MERGE_FOREIGN_RUN_SQL = (() => {
  const takes = '(excluded.name IS NOT NULL AND (runs.name IS NULL OR excluded.end_ms >= runs.end_ms))';
  const named = (column: string): string => `${column} = CASE WHEN ${takes} THEN excluded.${column} ELSE runs.${column} END`;
  const first = (column: string): string => `${column} = CASE WHEN ${takes} THEN coalesce(excluded.${column}, runs.${column}) ELSE coalesce(runs.${column}, excluded.${column}) END`;
  return `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (run_id, trace_id) DO UPDATE SET
      ${['name', 'kind', 'status_message', 'error_type', 'parent_span_id', 'attributes', 'otel'].map(named).join(', ')},
      status = CASE WHEN ${takes} THEN excluded.status WHEN runs.name IS NOT NULL THEN runs.status ELSE ${worseStatus('runs.status', 'excluded.status')} END,
      ${['conversation_id', 'provider', 'model', 'normalized_model', 'service_name', 'service_version', 'deployment_environment', 'resource', 'resource_id'].map(first).join(', ')},
      start_ms = min(runs.start_ms, excluded.start_ms),
      end_ms = max(coalesce(runs.end_ms, excluded.end_ms), excluded.end_ms),
      duration_ms = max(coalesce(runs.end_ms, excluded.end_ms), excluded.end_ms) - min(runs.start_ms, excluded.start_ms),
      last_activity_ms = max(runs.last_activity_ms, excluded.last_activity_ms)
    WHERE runs.run_id = runs.trace_id`;
})();

/** Numbers the steps of a run made of other instrumentations' spans by start time, 1..n (they come in any order). */
export const NUMBER_FOREIGN_STEPS_SQL = `
  UPDATE steps SET number = ranked.n
  FROM (SELECT step_id, row_number() OVER (ORDER BY start_ms, step_id) AS n FROM steps WHERE trace_id = @trace_id AND run_id = @run_id) AS ranked
  WHERE steps.trace_id = @trace_id AND steps.step_id = ranked.step_id AND steps.number IS NOT ranked.n`;

/**
 * One tool call recorded twice in a run — by an instrumentation of the application (another
 * library's tool span, or runtrace's \`run.tool()\`) and by runtrace from the wire (the model asked
 * for it, the next request carried its result) — is kept once: the application's record, which
 * timed the execution itself. Mirrors the processor's summary, which counts a call id once.
 */
export const DEDUPLICATE_TOOL_CALL_SQL = `
  DELETE FROM tool_calls
  WHERE trace_id = @trace_id AND run_id = @run_id AND call_id = @call_id AND json_extract(attributes, '$."runtrace.tool.from_wire"') = 1
    AND EXISTS (SELECT 1 FROM tool_calls AS recorded WHERE recorded.trace_id = @trace_id AND recorded.run_id = @run_id AND recorded.call_id = @call_id
      AND coalesce(json_extract(recorded.attributes, '$."runtrace.tool.from_wire"'), 0) <> 1)`;

const TOOL_RUN_ID = TOOL_COLUMNS.indexOf('run_id');
const TOOL_CALL_ID = TOOL_COLUMNS.indexOf('call_id');
const TOOL_ATTRIBUTES = TOOL_COLUMNS.indexOf('attributes');

/**
 * Whether a tool call row may have a twin to remove: one read on the wire, or one another library
 * recorded. runtrace's own `run.tool()` records need no check: the wire leaves out the call ids
 * the application recorded, and a wire record written after its twin removes itself.
 */
function mayHaveTwin(values: RowValues): boolean {
  const attributes = values[TOOL_ATTRIBUTES];
  return typeof attributes !== 'string' || attributes.includes('"runtrace.tool.from_wire":true') || !attributes.includes('"runtrace.span.kind"');
}

/**
 * Prepared statements for writing spans into one database. Writes happen in an explicit
 * transaction so the writer can keep adding ops to it while more arrive: {@link begin}, any
 * number of {@link add}, then {@link commit} (or {@link rollback}).
 */
export class SpanWriter {
  readonly #db: SqliteDatabase;
  readonly #upsert: Record<WriteOp['table'], Database.Statement>;
  readonly #insertEvent: Database.Statement;
  readonly #aggregate: Database.Statement;
  readonly #mergeForeignRun: Database.Statement;
  readonly #numberForeignSteps: Database.Statement;
  readonly #deduplicateToolCall: Database.Statement;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #insertResource: Database.Statement;
  /** Runs by trace and run id (see {@link runKey}), as the statements' parameters. */
  readonly #touchedRuns = new Map<string, RunKey>();
  readonly #summarizedRuns = new Set<string>();
  readonly #foreignRuns = new Map<string, RunKey>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#upsert = {
      runs: db.prepare(upsertSql('runs', 'run_id', RUN_COLUMNS)),
      steps: db.prepare(upsertSql('steps', 'step_id', STEP_COLUMNS)),
      attempts: db.prepare(upsertSql('attempts', 'attempt_id', ATTEMPT_COLUMNS)),
      tool_calls: db.prepare(upsertSql('tool_calls', 'span_id', TOOL_COLUMNS)),
      spans: db.prepare(`INSERT OR IGNORE INTO spans (${SPAN_COLUMNS.join(', ')}) VALUES (${SPAN_COLUMNS.map(() => '?').join(', ')})`),
    };
    this.#insertEvent = db.prepare(
      'INSERT OR REPLACE INTO events (trace_id, span_id, seq, run_id, name, time_ms, attributes) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // A resource id is a digest of the resource: a row already there is this resource.
    this.#insertResource = db.prepare(`INSERT OR IGNORE INTO resources (${RESOURCE_COLUMNS.join(', ')}) VALUES (${RESOURCE_COLUMNS.map(() => '?').join(', ')})`);
    this.#aggregate = db.prepare(AGGREGATE_RUN_SQL);
    this.#mergeForeignRun = db.prepare(MERGE_FOREIGN_RUN_SQL);
    this.#numberForeignSteps = db.prepare(NUMBER_FOREIGN_STEPS_SQL);
    this.#deduplicateToolCall = db.prepare(DEDUPLICATE_TOOL_CALL_SQL);
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** Writes a batch in one transaction. */
  write(ops: readonly WriteOp[]): void {
    if (ops.length === 0) return;
    this.begin();
    try {
      this.add(ops);
      this.commit();
    } catch (error: unknown) {
      this.rollback();
      throw error;
    }
  }

  /** Starts a write transaction. */
  begin(): void {
    this.#touchedRuns.clear();
    this.#summarizedRuns.clear();
    this.#foreignRuns.clear();
    this.#begin.run();
  }

  /** Writes ops into the open transaction. */
  add(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      this.#writeOne(op);
      if (op.table === 'runs' && !op.aggregate) this.#summarizedRuns.add(runKey(op.traceId, op.spanId));
    }
  }

  /** Re-aggregates the runs touched by the transaction's ops, then commits it. */
  commit(): void {
    // A run whose span carries its summary needs no aggregation from its children.
    for (const run of this.#foreignRuns.values()) this.#numberForeignSteps.run(run);
    for (const [key, run] of this.#touchedRuns) if (!this.#summarizedRuns.has(key)) this.#aggregate.run(run);
    this.#commit.run();
  }

  /** Abandons the open transaction, if any. */
  rollback(): void {
    try {
      if (this.#db.inTransaction) this.#rollback.run();
    } catch {
      // SQLite already rolled it back (some errors end the transaction themselves).
    }
  }

  get database(): SqliteDatabase {
    return this.#db;
  }

  #writeOne(op: WriteOp): void {
    if (op.resource !== undefined) this.#insertResource.run(op.resource);
    const foreignRun = op.table === 'runs' && op.foreignRun === true;
    const info = (foreignRun ? this.#mergeForeignRun : this.#upsert[op.table]).run(op.values);
    if (info.changes === 0 || op.runId === null) return;
    if (op.runValues !== undefined) this.#mergeForeignRun.run(op.runValues);
    const key = runKey(op.traceId, op.runId);
    if (foreignRun || op.runValues !== undefined) this.#foreignRuns.set(key, { trace_id: op.traceId, run_id: op.runId });
    if (op.table === 'tool_calls' && op.values[TOOL_CALL_ID] !== null && mayHaveTwin(op.values)) {
      this.#deduplicateToolCall.run({ trace_id: op.traceId, run_id: op.values[TOOL_RUN_ID], call_id: op.values[TOOL_CALL_ID] });
    }
    let seq = 0;
    for (const event of op.events) {
      this.#insertEvent.run(op.traceId, op.spanId, seq++, op.runId, event.name, event.time_ms, event.attributes);
    }
    if (op.aggregate && !this.#touchedRuns.has(key)) this.#touchedRuns.set(key, { trace_id: op.traceId, run_id: op.runId });
  }
}

/** A run's key, as the parameters of the statements that name one run. */
interface RunKey {
  readonly trace_id: string;
  readonly run_id: string;
}

/** One string for a run's key: a run id is only unique within its trace. */
function runKey(traceId: string, runId: string): string {
  return `${traceId}/${runId}`;
}

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

/** A unit of work: packed ops and the id the exporter waits on. */
interface Unit {
  readonly id: number;
  readonly encoded: EncodedOps;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes units in as few transactions as `maxBatchSpans` allows. A failed transaction is retried
 * unit by unit, so one unit's failure is never another's. Returns each unit's outcome.
 */
export function writeUnits(writer: SpanWriter, units: readonly Unit[], maxBatchSpans: number, settle: (ids: number[], error?: unknown) => void): void {
  let index = 0;
  while (index < units.length) {
    const group: Unit[] = [];
    const ops: WriteOp[][] = [];
    let groupOps = 0;
    let damaged: { unit: Unit; error: unknown } | undefined;
    while (index < units.length) {
      const unit = units[index]!;
      let decoded: WriteOp[];
      try {
        decoded = decodeOps(unit.encoded);
      } catch (error: unknown) {
        if (group.length === 0) {
          damaged = { unit, error };
          index += 1;
        }
        break;
      }
      if (group.length > 0 && groupOps + decoded.length > maxBatchSpans) break;
      group.push(unit);
      ops.push(decoded);
      groupOps += decoded.length;
      index += 1;
    }
    if (damaged !== undefined) {
      settle([damaged.unit.id], damaged.error);
      continue;
    }
    try {
      writer.begin();
      for (const part of ops) writer.add(part);
      writer.commit();
      settle(group.map((unit) => unit.id));
    } catch (error: unknown) {
      writer.rollback();
      if (group.length === 1) {
        settle([group[0]!.id], error);
        continue;
      }
      group.forEach((unit, position) => {
        try {
          writer.write(ops[position]!);
          settle([unit.id]);
        } catch (singleError: unknown) {
          settle([unit.id], singleError);
        }
      });
    }
  }
}

function runWorker(data: WriterWorkerData): void {
  const port = parentPort;
  if (port === null) return;
  let writer: SpanWriter;
  try {
    const db = openDatabase(data.path, { busyTimeoutMs: data.busyTimeoutMs });
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
        const { frames, offset } = readSpoolFrames(spool.fd, spool.offset, end, data.maxBatchSpans);
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
