// Any undici header shape as one record with lower-case names.

type Headers = Record<string, string>;

/** Header bytes as HTTP reads them (one character per byte), without copying them first. */
function latin1(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('latin1');
}

function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => String(item)).join(', ');
  if (value instanceof Uint8Array) return latin1(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Any undici header shape (flat array, pairs, iterable, object) as a record with lower-case
 * names; repeated headers are joined with `, `.
 *
 * @example
 * headerRecord(['Content-Type', 'application/json']); // { 'content-type': 'application/json' }
 */
export function headerRecord(headers: unknown): Headers {
  const record: Headers = {};
  const add = (name: unknown, value: unknown): void => {
    const text = headerValue(value);
    if (text === undefined) return;
    const key = (name instanceof Uint8Array ? latin1(name) : String(name)).toLowerCase();
    record[key] = record[key] === undefined ? text : `${record[key]}, ${text}`;
  };
  if (headers === null || headers === undefined) return record;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown[][]) add(pair[0], pair[1]);
    } else {
      for (let index = 0; index + 1 < headers.length; index += 2) add(headers[index], headers[index + 1]);
    }
    return record;
  }
  if (typeof headers === 'object' && Symbol.iterator in headers) {
    for (const pair of headers as Iterable<unknown[]>) add(pair[0], pair[1]);
    return record;
  }
  if (typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  return record;
}
