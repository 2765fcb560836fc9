// Reads OTLP/JSON attributes (KeyValue lists and AnyValues) under the attribute limits: a value
// past a limit is skipped by the reader, never built.
import { Cost, LimitedAttributes, type DecodeContext } from './decode-context.js';
import { asNumber, JsonShapeError, type JsonFields } from './json-fields.js';
import type { JsonKind } from './json-reader.js';
import { exactInt64 } from './exact-int64.js';
import { setOwn } from './received-span.js';

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
/** When an AnyValue sets several of its oneof fields, the first in this order wins. */
const VALUE_RANK: ReadonlyMap<string, number> = new Map([
  ['stringValue', 0],
  ['boolValue', 1],
  ['intValue', 2],
  ['doubleValue', 3],
  ['arrayValue', 4],
  ['kvlistValue', 5],
  ['bytesValue', 6],
]);

/** Decodes the attribute lists of spans, events, links, resources and scopes. */
export class JsonAttributeDecoder {
  readonly #fields: JsonFields;
  readonly #context: DecodeContext;

  constructor(fields: JsonFields, context: DecodeContext) {
    this.#fields = fields;
    this.#context = context;
  }

  /** A KeyValue list under a count limit; undefined when the field is null. */
  *decodeAttributes(key: string, limit: number): Generator<void, LimitedAttributes | undefined, void> {
    const r = this.#fields.reader;
    if (!this.#fields.array(key)) return undefined;
    const attributes = new LimitedAttributes(limit, this.#context);
    r.enterArray();
    this.#fields.path.push(key);
    for (let i = 0; r.nextElement(); i++) {
      this.#fields.path.push(i);
      this.#decodeAttribute(attributes);
      this.#fields.path.pop();
      if (this.#fields.due()) yield;
    }
    this.#fields.path.pop();
    return attributes;
  }

  /** One KeyValue; its value is decoded only once its key is admitted, whatever the key order. */
  #decodeAttribute(target: LimitedAttributes): void {
    const r = this.#fields.reader;
    if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
    r.enterObject();
    let key: string | undefined;
    let value: unknown;
    let decided = false;
    let valueAt = -1;
    for (let name = r.nextKey(); name !== undefined; name = r.nextKey()) {
      if (name === 'key') key = this.#fields.string(name);
      else if (name === 'value' && key !== undefined && !decided) {
        decided = true;
        if (target.admits(key)) value = this.#attributeValue();
        else r.skipValue();
      } else if (name === 'value' && !decided) {
        valueAt = r.pos;
        r.skipValue();
      } else r.skipValue();
    }
    if (!decided && valueAt >= 0 && target.admits(key ?? '')) {
      const end = r.pos;
      r.pos = valueAt;
      value = this.#attributeValue();
      r.pos = end;
    }
    target.set(key ?? '', value);
  }

  /** A top-level attribute value, under `maxValueElements`. */
  #attributeValue(): unknown {
    this.#fields.path.push('value');
    this.#context.beginValue();
    const value = this.#decodeAnyValue(0);
    this.#context.endValue();
    this.#fields.path.pop();
    return value;
  }

  /** An AnyValue; undefined when it carries no value. */
  #decodeAnyValue(depth: number): unknown {
    const r = this.#fields.reader;
    const kind = r.kind();
    if (kind === 'null') {
      r.readNull();
      return undefined;
    }
    if (kind !== 'object') this.#fields.fail(undefined, 'must be an object');
    r.enterObject();
    let rank = VALUE_RANK.size;
    let value: unknown;
    for (let key = r.nextKey(); key !== undefined; key = r.nextKey()) {
      const keyRank = VALUE_RANK.get(key);
      if (keyRank === undefined || keyRank > rank) {
        r.skipValue();
        continue;
      }
      rank = keyRank;
      value = this.#decodeValueField(key, depth);
    }
    return value;
  }

  #decodeValueField(key: string, depth: number): unknown {
    const r = this.#fields.reader;
    const context = this.#context;
    const kind = r.kind();
    switch (key) {
      case 'stringValue':
        if (kind !== 'string') this.#fields.fail(key, 'must be a string');
        return context.valueString(r.readString());
      case 'boolValue':
        if (kind !== 'boolean') this.#fields.fail(key, 'must be a boolean');
        return r.readBoolean();
      case 'intValue':
        return this.#intValue(key, kind);
      case 'doubleValue':
        return this.#doubleValue(key, kind);
      case 'arrayValue':
        return this.#decodeList(key, depth, false);
      case 'kvlistValue':
        return this.#decodeList(key, depth, true);
      case 'bytesValue': {
        const text = kind === 'string' ? r.readString() : undefined;
        if (text === undefined || !BASE64.test(text)) this.#fields.fail(key, 'must be base64');
        const bytes = new Uint8Array(Buffer.from(text, 'base64'));
        context.charge(Cost.BYTES + bytes.length);
        return bytes;
      }
      default:
        r.skipValue();
        return undefined;
    }
  }

  #intValue(key: string, kind: JsonKind): number | string {
    const r = this.#fields.reader;
    if (kind === 'number') {
      const value = r.readNumber();
      if (typeof value === 'string') {
        const exact = exactInt64(value);
        if (exact !== undefined) return exact;
      } else if (Number.isInteger(value)) {
        return value;
      }
    } else if (kind === 'string') {
      const exact = exactInt64(r.readString());
      if (exact !== undefined) return exact;
    }
    this.#fields.fail(key, 'must be a 64-bit integer or its decimal string');
  }

  #doubleValue(key: string, kind: JsonKind): number {
    const r = this.#fields.reader;
    if (kind === 'number') return asNumber(r.readNumber());
    if (kind === 'string') {
      const text = r.readString();
      if (text === 'NaN') return Number.NaN;
      if (text === 'Infinity') return Number.POSITIVE_INFINITY;
      if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
    }
    this.#fields.fail(key, 'must be a number');
  }

  /** An ArrayValue (as an array) or a KeyValueList (as a plain object); elements past the value's allowance are skipped in one jump. */
  #decodeList(key: string, depth: number, keyed: boolean): unknown[] | Record<string, unknown> {
    const r = this.#fields.reader;
    const context = this.#context;
    const maxDepth = context.limits.maxDepth;
    if (depth >= maxDepth) throw new JsonShapeError(`attribute values nest deeper than ${maxDepth} levels`);
    context.charge(Cost.CONTAINER);
    let array: unknown[] = [];
    let object: Record<string, unknown> = {};
    if (!this.#fields.object(key)) return keyed ? object : array;
    this.#fields.path.push(key);
    r.enterObject();
    for (let field = r.nextKey(); field !== undefined; field = r.nextKey()) {
      if (field !== 'values' || !this.#fields.array(field)) {
        if (field !== 'values') r.skipValue();
        continue;
      }
      // A repeated key replaces the earlier value, as JSON.parse would.
      array = [];
      object = {};
      this.#fields.path.push(field);
      const start = r.enterArray();
      for (let i = 0; r.nextElement(); i++) {
        if (!context.takeElement()) {
          r.skipRest(start);
          break;
        }
        this.#fields.path.push(i);
        if (keyed) this.#decodeListEntry(object, depth + 1);
        else array.push(this.#decodeAnyValue(depth + 1) ?? null);
        this.#fields.path.pop();
      }
      this.#fields.path.pop();
    }
    this.#fields.path.pop();
    return keyed ? object : array;
  }

  /** One KeyValue of a key-value list value; values that carry nothing are left out. */
  #decodeListEntry(target: Record<string, unknown>, depth: number): void {
    const r = this.#fields.reader;
    if (r.kind() !== 'object') this.#fields.fail(undefined, 'must be an object');
    r.enterObject();
    let key = '';
    let value: unknown;
    for (let name = r.nextKey(); name !== undefined; name = r.nextKey()) {
      if (name === 'key') key = this.#fields.string(name);
      else if (name === 'value') {
        this.#fields.path.push(name);
        value = this.#decodeAnyValue(depth);
        this.#fields.path.pop();
      } else r.skipValue();
    }
    if (value === undefined) return;
    this.#context.charge(Cost.PROPERTY + Cost.STRING + key.length);
    setOwn(target, key, value);
  }
}
