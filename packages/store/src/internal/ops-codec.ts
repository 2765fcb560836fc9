// The packing of write operations for the trip from the exporter to the writer thread (a
// transferred buffer, or a frame of the spool file): packed as they come, unpacked by the writer,
// older formats still read. Only node builtins, like everything the writer thread loads.
import { ATTEMPT_COLUMNS, RESOURCE_COLUMNS, RUN_COLUMNS, SPAN_COLUMNS, STEP_COLUMNS, TOOL_COLUMNS } from './row-columns.js';
import type { EventRow, RowOp, WriteOp } from './row-columns.js';

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
export const HEADER_BYTES = 16;
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

/** Number of ops in a packed buffer (0 for one too short to hold its header). */
export function encodedCount(encoded: EncodedOps): number {
  if (encoded.byteLength < HEADER_BYTES) return 0;
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
    this.#cells(op.values, op.values.length, texts);
    for (const event of op.events) this.#cells([event.name, event.time_ms, event.attributes], 3, texts);
    if (runValues !== undefined) this.#cells(runValues, RUN_COLUMNS.length, texts);
    if (resource !== undefined) this.#cells(resource, RESOURCE_COLUMNS.length, texts);
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

  /**
   * The first `length` values as cells (a missing one as null): null, a number, or text (its
   * length among the numbers, the text itself joined with the op's other text cells).
   */
  #cells(values: readonly (string | number | null | undefined)[], length: number, texts: string[]): void {
    const numbers = this.#numbers;
    const tags = this.#tags;
    let n = this.#n;
    let t = this.#t;
    for (let index = 0; index < length; index++) {
      const value = values[index];
      if (value === null || value === undefined) {
        tags[t++] = CELL_NULL;
      } else if (typeof value === 'number') {
        tags[t++] = CELL_NUMBER;
        numbers[n++] = value;
      } else {
        tags[t++] = CELL_TEXT;
        numbers[n++] = value.length;
        texts.push(value);
      }
    }
    this.#n = n;
    this.#t = t;
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

/**
 * Reads packed ops one at a time, so each dies young once written: a whole buffer's ops decoded
 * at once (thousands of arrays and strings) outlive collections on the writer thread's small young
 * generation and are promoted, to be reclaimed only by full collections. Each op's text is decoded
 * in one native call. Throws on a buffer whose sizes do not add up (at construction) or whose
 * contents do not (at the op that shows it).
 */
export class OpsReader {
  /** Ops in the buffer. */
  readonly count: number;
  readonly #packedColumns: readonly number[];
  readonly #numbers: Float64Array;
  readonly #tags: Uint8Array;
  readonly #text: Buffer;
  #index = 0;
  #n = 0;
  #t = 0;
  /** Code units of text read so far. */
  #textUnits = 0;
  #opText = '';
  #opOffset = 0;

  constructor(encoded: EncodedOps) {
    if (encoded.byteLength < HEADER_BYTES) throw new Error(`packed rows too short (${encoded.byteLength} bytes)`);
    const [countWord = 0, used = 0, textUnits = 0, cellCount = 0] = new Uint32Array(encoded, 0, HEADER_WORDS);
    const format = countWord >>> 24;
    if (format > PACK_FORMAT) throw new Error(`packed rows of an unknown format (${format})`);
    if (HEADER_BYTES + used * 8 + textUnits * 2 + cellCount > encoded.byteLength) throw new Error('packed rows are damaged (sizes do not add up)');
    this.count = countWord & COUNT_MASK;
    // The columns packed per table in this format (those it did not have stay null).
    this.#packedColumns = FORMAT_COLUMNS[format]!;
    this.#numbers = new Float64Array(encoded, HEADER_BYTES, used);
    const textOffset = HEADER_BYTES + used * 8;
    this.#text = Buffer.from(encoded, textOffset, textUnits * 2);
    this.#tags = new Uint8Array(encoded, textOffset + textUnits * 2, cellCount);
  }

  /** The next op, or `undefined` after the last. */
  next(): WriteOp | undefined {
    if (this.#index >= this.count) return undefined;
    this.#index += 1;
    const numbers = this.#numbers;
    const tableIndex = numbers[this.#n++]!;
    const table = TABLES[tableIndex];
    if (table === undefined) throw new Error(`packed rows are damaged (table ${tableIndex})`);
    const flags = numbers[this.#n++]!;
    const eventCount = numbers[this.#n++]!;
    const packed = this.#packedColumns[tableIndex]!;
    const runColumns = (flags & FLAG_RUN_VALUES) === 0 ? 0 : this.#packedColumns[0]!;
    const resourceColumns = (flags & FLAG_RESOURCE) === 0 ? 0 : RESOURCE_COLUMNS.length;
    this.#readOpText(packed + eventCount * 3 + runColumns + resourceColumns);
    const values: (string | number | null)[] = new Array<string | number | null>(TABLE_COLUMNS[tableIndex]!.length).fill(null);
    for (let column = 0; column < packed; column++) values[column] = this.#cell();
    const events: EventRow[] = [];
    for (let event = 0; event < eventCount; event++) {
      events.push({ name: String(this.#cell()), time_ms: Number(this.#cell()), attributes: String(this.#cell()) });
    }
    const op: { -readonly [K in keyof RowOp]: RowOp[K] } = { table, values, events, aggregate: (flags & FLAG_AGGREGATE) !== 0 };
    if ((flags & FLAG_FOREIGN_RUN) !== 0) op.foreignRun = true;
    if (runColumns > 0) {
      const runValues: (string | number | null)[] = new Array<string | number | null>(RUN_COLUMNS.length).fill(null);
      for (let column = 0; column < runColumns; column++) runValues[column] = this.#cell();
      op.runValues = runValues;
    }
    if (resourceColumns > 0) {
      const resource: (string | number | null)[] = [];
      for (let column = 0; column < resourceColumns; column++) resource.push(this.#cell());
      op.resource = resource;
    }
    return writeOpOf(op);
  }

  /** Decodes the text of the op's next `cells` cells at once (one string the cells are sliced from). */
  #readOpText(cells: number): void {
    const tags = this.#tags;
    const numbers = this.#numbers;
    if (this.#t + cells > tags.length) throw new Error('packed rows are damaged (fewer cells than ops)');
    let n = this.#n;
    let units = 0;
    for (let t = this.#t; t < this.#t + cells; t++) {
      const tag = tags[t];
      if (tag === CELL_NUMBER) n += 1;
      else if (tag === CELL_TEXT) units += numbers[n++]!;
    }
    const start = this.#textUnits * 2;
    const end = start + units * 2;
    if (n > numbers.length || end > this.#text.length) throw new Error('packed rows are damaged (cells past the end)');
    this.#opText = units === 0 ? '' : this.#text.toString('utf16le', start, end);
    this.#opOffset = 0;
    this.#textUnits += units;
  }

  #cell(): string | number | null {
    const tag = this.#tags[this.#t++];
    if (tag === CELL_NUMBER) return this.#numbers[this.#n++]!;
    if (tag === CELL_TEXT) {
      const end = this.#opOffset + this.#numbers[this.#n++]!;
      const value = this.#opText.slice(this.#opOffset, end);
      this.#opOffset = end;
      return value;
    }
    return null;
  }
}

/** Unpacks what {@link encodeOps} packed. Throws on a buffer whose sizes do not add up. */
export function decodeOps(encoded: EncodedOps): WriteOp[] {
  const reader = new OpsReader(encoded);
  const ops: WriteOp[] = [];
  for (let op = reader.next(); op !== undefined; op = reader.next()) ops.push(op);
  return ops;
}
