// Headers in any shape undici, fetch or a caller gives them, as one record with lower-case names:
// the one header normalizer of the recorder and the redactor.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Header bytes as text. HTTP carries bytes; a value that is valid UTF-8 (what clients send in
 * practice: `X-Title: Café`) is read as UTF-8, anything else byte for byte (ISO-8859-1, as
 * fetch's \`Headers\` reads every value), so no byte is ever lost or turned into U+FFFD.
 *
 * @example
 * decodeHeaderBytes(Buffer.from('Café', 'utf8')); // 'Café'
 * decodeHeaderBytes(Uint8Array.of(0x43, 0xe9)); // 'Cé' (not UTF-8: one character per byte)
 */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = buffer.toString('latin1');
  // ASCII, the usual case: both readings agree.
  if (!NON_ASCII.test(latin1)) return latin1;
  try {
    return strictUtf8.decode(buffer);
  } catch {
    return latin1;
  }
}

/** One header value as text: bytes decoded, lists joined with `, `, numbers and booleans as written. */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return decodeHeaderBytes(value);
  if (Array.isArray(value)) return value.map((item) => headerText(item) ?? '').join(', ');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * The prototype of the records {@link headerRecord} makes, itself an ordinary object: it marks a
 * record whose names are lower-case and whose values are text, so that a reader such as
 * `Redactor.redactHeaders` can copy it as it is instead of normalizing it again.
 */
const HEADER_RECORD_PROTOTYPE = Object.create(Object.prototype) as object;

/**
 * Whether `value` was made by {@link headerRecord}: lower-case names, text values.
 *
 * @example
 * isNormalizedHeaderRecord(headerRecord({ Accept: 'a' })); // true
 * isNormalizedHeaderRecord({ accept: 'a' }); // false (it may hold anything)
 */
export function isNormalizedHeaderRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === HEADER_RECORD_PROTOTYPE;
}

/**
 * Any header shape — undici's flat raw array (\`[name, value, …]\`, strings or bytes), pairs, a
 * fetch \`Headers\`, any iterable of pairs, or a plain object — as a record with lower-case names;
 * repeated names are joined with \`, \` (each \`set-cookie\` of a \`Headers\` included). The record
 * inherits from an ordinary object through a prototype of its own (see {@link isNormalizedHeaderRecord}).
 *
 * @example
 * headerRecord(['Content-Type', 'application/json', 'X-Id', '1']); // { 'content-type': 'application/json', 'x-id': '1' }
 */
export function headerRecord(headers: unknown): Record<string, string> {
  return readHeaders(headers, Object.create(HEADER_RECORD_PROTOTYPE) as Record<string, string>);
}

/** Adds one header to a record being read (a repeated name is joined with \`, \`). */
function addHeader(record: Record<string, string>, name: unknown, value: unknown): void {
  const text = headerText(value);
  const key = typeof name === 'string' ? name : headerText(name);
  if (text === undefined || key === undefined) return;
  const lower = key.toLowerCase();
  const previous = Object.hasOwn(record, lower) ? record[lower] : undefined;
  const joined = previous === undefined ? text : `${previous}, ${text}`;
  // A header named __proto__ is data, not the record's prototype.
  if (lower === '__proto__') Object.defineProperty(record, lower, { value: joined, enumerable: true, writable: true, configurable: true });
  else record[lower] = joined;
}

/** {@link headerRecord}'s reading, into `record` (an empty object): a plain one gives a plain record. */
export function readHeaders(headers: unknown, record: Record<string, string>): Record<string, string> {
  if (headers === null || headers === undefined || typeof headers !== 'object') return record;
  if (Array.isArray(headers)) {
    const list = headers as readonly unknown[];
    if (list.length > 0 && Array.isArray(list[0])) {
      for (const pair of list as readonly unknown[][]) addHeader(record, pair[0], pair[1]);
    } else {
      for (let index = 0; index + 1 < list.length; index += 2) addHeader(record, list[index], list[index + 1]);
    }
    return record;
  }
  const withCookies = headers as { forEach?: unknown; get?: unknown; getSetCookie?: unknown };
  if (typeof withCookies.forEach === 'function' && typeof withCookies.get === 'function') {
    // A Headers: every set-cookie kept, when the runtime can list them.
    const fetchHeaders = headers as { forEach(callback: (value: string, name: string) => void): void; getSetCookie?: () => string[] };
    const cookies = typeof fetchHeaders.getSetCookie === 'function' ? fetchHeaders.getSetCookie() : undefined;
    fetchHeaders.forEach((value, name) => {
      if (cookies === undefined || name.toLowerCase() !== 'set-cookie') addHeader(record, name, value);
    });
    for (const cookie of cookies ?? []) addHeader(record, 'set-cookie', cookie);
    return record;
  }
  if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<unknown>) if (Array.isArray(pair)) addHeader(record, pair[0], pair[1]);
    return record;
  }
  // A plain record (what fetch hands undici): its names, not a pair per header.
  const plain = headers as Record<string, unknown>;
  const names = Object.keys(plain);
  for (let index = 0; index < names.length; index++) addHeader(record, names[index], plain[names[index] as string]);
  return record;
}
