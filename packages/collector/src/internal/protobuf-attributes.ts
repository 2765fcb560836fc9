// Reads OTLP protobuf attributes (KeyValues and AnyValues) under the attribute limits: a value
// past a limit is skipped by its length, never decoded.
import { Cost, type DecodeContext, type LimitedAttributes } from './decode-context.js';
import { WireError, WireType, type ProtobufReader } from './protobuf-reader.js';
import { setOwn } from './received-span.js';

/** Decodes the attributes of spans, events, links, resources and scopes. */
export class ProtobufAttributeDecoder {
  readonly #reader: ProtobufReader;
  readonly #context: DecodeContext;

  constructor(reader: ProtobufReader, context: DecodeContext) {
    this.#reader = reader;
    this.#context = context;
  }

  /**
   * Reads one KeyValue of an attribute list. The key is read first, so a value left out over
   * the count limit is skipped without being decoded.
   */
  decodeAttribute(target: LimitedAttributes): void {
    const r = this.#reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let key = '';
    let valueStart = -1;
    let valueEnd = -1;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute key');
          key = r.readString();
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute value');
          valueEnd = r.readLengthEnd();
          valueStart = r.pos;
          r.pos = valueEnd;
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    if (valueStart < 0 || !target.admits(key)) return;
    const end = r.pos;
    r.pos = valueStart;
    const previous = r.pushLimit(valueEnd);
    this.#context.beginValue();
    const value = this.#decodeAnyValueFields(0);
    this.#context.endValue();
    r.popLimit(previous);
    r.pos = end;
    target.set(key, value);
  }

  /** The AnyValue whose length prefix has been read; undefined when it carries no value. */
  #decodeAnyValue(depth: number): unknown {
    const r = this.#reader;
    const outer = r.pushLimit(r.readLengthEnd());
    const value = this.#decodeAnyValueFields(depth);
    r.popLimit(outer);
    return value;
  }

  /** The fields of an AnyValue, up to the current limit. */
  #decodeAnyValueFields(depth: number): unknown {
    const r = this.#reader;
    const context = this.#context;
    let value: unknown;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'string_value');
          value = context.valueString(r.readString());
          break;
        case 2:
          r.expect(WireType.VARINT, 'bool_value');
          value = r.readBool();
          break;
        case 3:
          r.expect(WireType.VARINT, 'int_value');
          value = r.readExactInt64();
          break;
        case 4:
          r.expect(WireType.FIXED64, 'double_value');
          value = r.readDouble();
          break;
        case 5: {
          r.expect(WireType.LENGTH_DELIMITED, 'array_value');
          this.#checkDepth(depth);
          const values: unknown[] = [];
          this.#decodeArray(values, depth + 1);
          value = values;
          break;
        }
        case 6: {
          r.expect(WireType.LENGTH_DELIMITED, 'kvlist_value');
          this.#checkDepth(depth);
          const values: Record<string, unknown> = {};
          this.#decodeKeyValueList(values, depth + 1);
          value = values;
          break;
        }
        case 7: {
          r.expect(WireType.LENGTH_DELIMITED, 'bytes_value');
          const bytes = r.readBytesView();
          context.charge(Cost.BYTES + bytes.length);
          value = bytes.slice();
          break;
        }
        default:
          r.skip();
      }
    }
    return value;
  }

  #checkDepth(depth: number): void {
    if (depth >= this.#context.limits.maxDepth) throw new WireError(`attribute values nest deeper than ${this.#context.limits.maxDepth} levels`);
  }

  /** An ArrayValue; elements past the value's allowance are skipped in one jump. */
  #decodeArray(values: unknown[], depth: number): void {
    const r = this.#reader;
    const context = this.#context;
    const outer = r.pushLimit(r.readLengthEnd());
    context.charge(Cost.CONTAINER);
    while (!r.atEnd()) {
      r.readTag();
      if (r.field !== 1) {
        r.skip();
        continue;
      }
      r.expect(WireType.LENGTH_DELIMITED, 'array value');
      if (!context.takeElement()) {
        r.pos = r.limit;
        break;
      }
      values.push(this.#decodeAnyValue(depth) ?? null);
    }
    r.popLimit(outer);
  }

  /** A KeyValueList, as a plain object; entries past the value's allowance are skipped in one jump. */
  #decodeKeyValueList(values: Record<string, unknown>, depth: number): void {
    const r = this.#reader;
    const context = this.#context;
    const outer = r.pushLimit(r.readLengthEnd());
    context.charge(Cost.CONTAINER);
    while (!r.atEnd()) {
      r.readTag();
      if (r.field !== 1) {
        r.skip();
        continue;
      }
      r.expect(WireType.LENGTH_DELIMITED, 'key-value list entry');
      if (!context.takeElement()) {
        r.pos = r.limit;
        break;
      }
      this.#decodeListEntry(values, depth);
    }
    r.popLimit(outer);
  }

  /** One KeyValue of a key-value list value; values that carry nothing are left out. */
  #decodeListEntry(target: Record<string, unknown>, depth: number): void {
    const r = this.#reader;
    const outer = r.pushLimit(r.readLengthEnd());
    let key = '';
    let value: unknown;
    while (!r.atEnd()) {
      r.readTag();
      switch (r.field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute key');
          key = r.readString();
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute value');
          value = this.#decodeAnyValue(depth);
          break;
        default:
          r.skip();
      }
    }
    r.popLimit(outer);
    if (value === undefined) return;
    this.#context.charge(Cost.PROPERTY + Cost.STRING + key.length);
    setOwn(target, key, value);
  }
}
