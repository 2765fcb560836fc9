// Reads the fields of OTLP/JSON messages from a JsonReader, with the OTLP JSON rules for each
// type, and names where a payload breaks them.
import type { HrTime } from '@opentelemetry/api';
import type { DecodeContext } from './decode-context.js';
import type { JsonReader } from './json-reader.js';
import { MalformedPayloadError } from './malformed-payload-error.js';
import { jsonNanosToHrTime } from './received-span.js';

/** A payload that is JSON but does not follow the OTLP JSON rules. */
export class JsonShapeError extends MalformedPayloadError {}

const INTEGER_TEXT = /^-?\d+$/;

/** A number the reader returned as text (digits only, too long to be exact as a double) as a number. */
export function asNumber(value: number | string): number {
  return typeof value === 'string' ? Number(value) : value;
}

/**
 * The field readers shared by the OTLP/JSON decoders. Each expects the reader at the field's
 * value and leaves it after the value; absent and null read as the field's default.
 */
export class JsonFields {
  readonly reader: JsonReader;
  /** Where the reader is, for error messages: keys and array indexes. */
  readonly path: (string | number)[] = [];
  readonly #context: DecodeContext;

  constructor(reader: JsonReader, context: DecodeContext) {
    this.reader = reader;
    this.#context = context;
  }

  #where(key: string | undefined): string {
    let text = '';
    for (const segment of this.path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
    if (text === '') text = 'request';
    return key === undefined ? text : `${text}.${key}`;
  }

  /** Throws JsonShapeError naming where the reader is, and `key` when given. */
  fail(key: string | undefined, message: string): never {
    throw new JsonShapeError(`${this.#where(key)} ${message}`);
  }

  /** Whether a sliced decoder should pause now. */
  due(): boolean {
    return this.#context.due(this.reader.pos);
  }

  /** An optional string field: absent or null reads as ''. */
  string(key: string): string {
    const r = this.reader;
    const kind = r.kind();
    if (kind === 'string') return r.readString();
    if (kind === 'null') {
      r.readNull();
      return '';
    }
    this.fail(key, 'must be a string');
  }

  /** uint32 and int32 fields: a JSON number or a decimal string; null reads as 0. */
  integer(key: string): number {
    const r = this.reader;
    const kind = r.kind();
    if (kind === 'null') {
      r.readNull();
      return 0;
    }
    const value = kind === 'number' ? asNumber(r.readNumber()) : kind === 'string' ? r.readString() : undefined;
    const number = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) this.fail(key, 'must be an integer');
    return number;
  }

  enum(key: string, names: Readonly<Record<string, number>>): number {
    const r = this.reader;
    if (r.kind() !== 'string') return this.integer(key);
    const text = r.readString();
    if (Object.hasOwn(names, text)) return names[text]!;
    if (!INTEGER_TEXT.test(text)) this.fail(key, 'must be an integer');
    return Number(text);
  }

  time(key: string): HrTime | undefined {
    const r = this.reader;
    const kind = r.kind();
    if (kind === 'null') {
      r.readNull();
      return undefined;
    }
    const time = kind === 'number' ? jsonNanosToHrTime(r.readNumber()) : kind === 'string' ? jsonNanosToHrTime(r.readString()) : undefined;
    if (time === undefined) this.fail(key, 'must be unsigned nanoseconds (a decimal string or an integer)');
    return time;
  }

  /** True when an optional object field is present (the reader is then at it); null reads as absent. */
  object(key: string): boolean {
    const r = this.reader;
    const kind = r.kind();
    if (kind === 'object') return true;
    if (kind === 'null') {
      r.readNull();
      return false;
    }
    this.fail(key, 'must be an object');
  }

  /** True when an optional array field is present (the reader is then at it); null reads as empty. */
  array(key: string): boolean {
    const r = this.reader;
    const kind = r.kind();
    if (kind === 'array') return true;
    if (kind === 'null') {
      r.readNull();
      return false;
    }
    this.fail(key, 'must be an array');
  }

  /** Records where an array field is and skips it, for reading later; -1 for null. */
  arrayAt(key: string): number {
    if (!this.array(key)) return -1;
    const at = this.reader.pos;
    this.reader.skipValue();
    return at;
  }
}
