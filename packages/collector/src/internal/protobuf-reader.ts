// A small, strict protobuf wire-format reader: bounds-checked, allocation-light, throws WireError.
import { MalformedPayloadError } from './malformed-payload-error.js';
import { int64Value } from './exact-int64.js';

/** Protobuf wire types (groups, 3 and 4, are deprecated and rejected). */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  FIXED32: 5,
} as const;

/** A malformed payload; caught by the decoders and turned into a decode result. */
export class WireError extends MalformedPayloadError {}

const TWO_POW_32 = 4_294_967_296;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const SHORT_ASCII_MAX = 48;

/**
 * Reads one buffer. `limit` is the end of the message being read; nested messages narrow it
 * with `pushLimit` and restore it with `popLimit`, so nothing is read past a declared length.
 */
export class ProtobufReader {
  readonly bytes: Uint8Array;
  pos = 0;
  limit: number;
  /** Low and high 32 bits of the last varint read. */
  lo = 0;
  hi = 0;
  /** The field number and wire type of the last tag read. */
  field = 0;
  wireType = 0;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.limit = bytes.length;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.pos >= this.limit;
  }

  /** Reads a varint into `lo`/`hi`; rejects more than 10 bytes and 64-bit overflow. */
  readVarint(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos >= this.limit) throw new WireError(`truncated varint at byte ${pos}`);
    let b = bytes[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      this.lo = b;
      this.hi = 0;
      return;
    }
    let lo = b & 0x7f;
    let hi = 0;
    for (let i = 1; i < 10; i++) {
      if (pos >= this.limit) throw new WireError(`truncated varint at byte ${pos}`);
      b = bytes[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        if (i === 9 && b > 1) throw new WireError(`varint overflows 64 bits at byte ${pos - 1}`);
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** Reads a tag; field number 0 and the group or reserved wire types are errors. */
  readTag(): void {
    this.readVarint();
    if (this.hi !== 0) throw new WireError(`field number out of range at byte ${this.pos}`);
    const field = this.lo >>> 3;
    const wireType = this.lo & 7;
    if (field === 0) throw new WireError(`field number 0 at byte ${this.pos}`);
    if (wireType !== 0 && wireType !== 1 && wireType !== 2 && wireType !== 5) {
      throw new WireError(`unsupported wire type ${wireType} for field ${field} at byte ${this.pos}`);
    }
    this.field = field;
    this.wireType = wireType;
  }

  /** Fails unless the last tag had the wire type a known field needs. */
  expect(wireType: number, what: string): void {
    if (this.wireType !== wireType) {
      throw new WireError(`${what} (field ${this.field}) has wire type ${this.wireType}, expected ${wireType}`);
    }
  }

  /** uint32 (and enum) fields: the low 32 bits, as protobuf parsers truncate. */
  readUint32(): number {
    this.readVarint();
    return this.lo;
  }

  /** int32 enums: the low 32 bits, signed. */
  readInt32(): number {
    this.readVarint();
    return this.lo | 0;
  }

  readBool(): boolean {
    this.readVarint();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** int64 as a number (exact up to 2^53; larger magnitudes are rounded). */
  readInt64(): number {
    this.readVarint();
    if (this.hi & 0x80000000) {
      // Two's complement negative: -(~value + 1).
      const lo = ~this.lo >>> 0;
      const hi = ~this.hi >>> 0;
      return -(hi * TWO_POW_32 + lo + 1);
    }
    return this.hi * TWO_POW_32 + this.lo;
  }

  /** int64 exactly: a number when it is a safe integer, else its decimal string. */
  readExactInt64(): number | string {
    const value = this.readInt64();
    if (Number.isSafeInteger(value)) return value;
    return int64Value(BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo)));
  }

  /** Reads 8 bytes little endian into `lo`/`hi`. */
  readFixed64(): void {
    const pos = this.pos;
    if (pos + 8 > this.limit) throw new WireError(`truncated fixed64 at byte ${pos}`);
    this.lo = this.#view.getUint32(pos, true);
    this.hi = this.#view.getUint32(pos + 4, true);
    this.pos = pos + 8;
  }

  readFixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.limit) throw new WireError(`truncated fixed32 at byte ${pos}`);
    this.pos = pos + 4;
    return this.#view.getUint32(pos, true);
  }

  readDouble(): number {
    const pos = this.pos;
    if (pos + 8 > this.limit) throw new WireError(`truncated double at byte ${pos}`);
    this.pos = pos + 8;
    return this.#view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns the end offset of the field, checked against the limit. */
  readLengthEnd(): number {
    this.readVarint();
    if (this.hi !== 0 || this.lo > this.limit - this.pos) {
      throw new WireError(`length-delimited field ${this.field} overruns its message at byte ${this.pos}`);
    }
    return this.pos + this.lo;
  }

  /** Narrows the limit to a nested message; returns the previous limit for `popLimit`. */
  pushLimit(end: number): number {
    const previous = this.limit;
    this.limit = end;
    return previous;
  }

  /** Restores the limit; the nested message must have been read to its end exactly. */
  popLimit(previous: number): void {
    if (this.pos !== this.limit) throw new WireError(`message did not end at its declared length (byte ${this.pos})`);
    this.limit = previous;
  }

  /** Reads a length-delimited field as a view on the buffer (no copy). */
  readBytesView(): Uint8Array {
    const end = this.readLengthEnd();
    const view = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return view;
  }

  /** Reads a UTF-8 string; invalid UTF-8 is an error. */
  readString(): string {
    const end = this.readLengthEnd();
    const start = this.pos;
    this.pos = end;
    const length = end - start;
    if (length === 0) return '';
    if (length <= SHORT_ASCII_MAX) {
      const bytes = this.bytes;
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (bytes[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    }
    try {
      return utf8.decode(this.bytes.subarray(start, end));
    } catch {
      throw new WireError(`invalid UTF-8 in string field ${this.field} at byte ${start}`);
    }
  }

  /** Skips the value of the last tag read, by its wire type. */
  skip(): void {
    switch (this.wireType) {
      case WireType.VARINT:
        this.readVarint();
        return;
      case WireType.FIXED64:
        if (this.pos + 8 > this.limit) throw new WireError(`truncated fixed64 at byte ${this.pos}`);
        this.pos += 8;
        return;
      case WireType.LENGTH_DELIMITED:
        this.pos = this.readLengthEnd();
        return;
      case WireType.FIXED32:
        if (this.pos + 4 > this.limit) throw new WireError(`truncated fixed32 at byte ${this.pos}`);
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${this.wireType}`);
    }
  }
}
