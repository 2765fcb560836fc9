// Redaction of headers, JSON, NDJSON, server-sent events, URLs, free text and span attributes.
import { isNormalizedHeaderRecord, readHeaders } from './header-record.js';
import { Buffer } from 'node:buffer';
import { REDACTED } from './attributes.js';
import { InvalidArgumentError } from './errors.js';
import { looksLikeJson, redactEmbeddedText, redactJsonPrefix, redactJsonText } from './internal/json-scanner.js';
import { RuleSet } from './internal/rule-set.js';
import { Tally } from './internal/tally.js';
import { Limits } from './limits.js';
import { truncateBytes } from './truncate-bytes.js';

/** A user-supplied value pattern. */
export interface RedactionPattern {
  /** Rule name, reported as `pattern:<name>` in {@link RedactionResult.rules}. */
  readonly name: string;
  /**
   * What to mask. The `g` flag is added when missing. The whole match is replaced by
   * `[REDACTED]`, or only the named group `secret` when the expression has one (a named group
   * `pre` is then kept in front of the placeholder).
   */
  readonly pattern: RegExp;
}

/** Options of {@link Redactor}. Every list adds to the built-in rules; none replaces them. */
export interface RedactorOptions {
  /** More header names whose values are masked (case-insensitive, exact). Default: none. */
  readonly extraHeaderNames?: readonly string[];
  /**
   * Header names never masked by the name rules (case-insensitive, exact); value patterns still
   * apply to them. Default: none (rate-limit headers are always visible).
   */
  readonly allowedHeaderNames?: readonly string[];
  /**
   * More JSON keys whose values are masked whole. Compared ignoring case, `_`, `-` and `.`,
   * so `sessionKey` also matches `session_key`. Default: none.
   */
  readonly extraJsonKeys?: readonly string[];
  /**
   * JSON keys never masked by the built-in key rules (compared like {@link extraJsonKeys});
   * their values are still scanned by the value patterns, and `extraJsonKeys` still apply.
   * Use it for known over-masking, for example `['token']` to keep OpenAI logprobs'
   * `choices[].logprobs.content[].token` (model output) visible — at the price of a plain
   * `"token"` credential field no longer being masked by name. Default: none.
   */
  readonly allowedJsonKeys?: readonly string[];
  /** More URL query parameter names whose values are masked (compared like JSON keys). Default: none. */
  readonly extraQueryParams?: readonly string[];
  /**
   * More value patterns for free text and JSON strings. Default: none. Note that each one is
   * run over every string, so keep them few and cheap.
   */
  readonly extraPatterns?: readonly RedactionPattern[];
  /** Values never masked, compared exactly (for example a well-known test key). Default: none. */
  readonly allowedValues?: readonly string[];
}

/** The result of every redaction method. */
export interface RedactionResult<T> {
  /** The redacted value (a new object; the input is never mutated). */
  readonly value: T;
  /** How many values were masked. */
  readonly maskedCount: number;
  /** The ids of the rules that fired (for example `header:authorization`), never a secret. */
  readonly rules: readonly string[];
}

/** How {@link Redactor.redactBody} treated a body. */
export type BodyKind = 'empty' | 'json' | 'ndjson' | 'event-stream' | 'form' | 'text' | 'binary';

/** The result of {@link Redactor.redactBody}. */
export interface BodyRedactionResult extends RedactionResult<string> {
  /**
   * Whether `value` is a cut prefix ending with the truncation marker (when `maxBytes` can hold
   * one): the redacted text was longer than `maxBytes`, or the input was itself only a prefix
   * (`truncatedInput`; not for a placeholder or a binary description).
   */
  readonly truncated: boolean;
  /** Size of the body in bytes: as given, or {@link RedactBodyOptions.originalBytes} when set. */
  readonly originalBytes: number;
  /** How the body was treated. */
  readonly kind: BodyKind;
}

/** Options of {@link Redactor.redactBody}. */
export interface RedactBodyOptions {
  /** UTF-8 bytes kept after redaction, marker included. Default: {@link Limits.BODY_BYTES} (50,000). */
  readonly maxBytes?: number;
  /**
   * The body is only the first bytes of a larger one (captured up to a byte cap), so its end is
   * a cut, not the end of the document. JSON is then redacted as a prefix of a document: a
   * document already invalid before the cut still becomes the invalid-JSON placeholder, the
   * string, number or literal the cut fell inside is dropped (a key format cut in half could
   * not be recognised), and a secret key's value cut short is masked. NDJSON drops its partial
   * last line, an event stream its partial last event, text and forms their partial last word
   * or parameter. The result always ends with the truncation marker. Default: `false`.
   */
  readonly truncatedInput?: boolean;
  /**
   * Size of the whole body in bytes, recorded in the marker, the placeholders and the result.
   * Must not be smaller than `body`. Default: the size of `body`.
   */
  readonly originalBytes?: number;
}

/** A header value as found in Node's and undici's header objects. */
export type HeaderValue = string | number | readonly string[] | undefined;

/**
 * Headers in any of the shapes Node and undici use: a plain object, a `Headers`, an iterable
 * of `[name, value]` pairs, or undici's flat raw array `[name, value, name, value, …]`.
 */
export type HeadersInput =
  | Readonly<Record<string, HeaderValue>>
  | Iterable<readonly [string, string]>
  | readonly (string | Uint8Array)[]
  | { forEach(callback: (value: string, name: string) => void): void }
  | null
  | undefined;

const NO_RULES: readonly string[] = Object.freeze([]);

const URL_KEYS = new Set(['url.full', 'http.url', 'url.original', 'url', 'http.target', 'url.template']);
const QUERY_KEYS = new Set(['url.query', 'http.query']);

/** How an attribute is redacted, by its key; `secret` carries the rule id reported when it is masked. */
type AttributeClass = { readonly kind: 'url' | 'query' | 'headers' | 'other' } | { readonly kind: 'secret'; readonly rule: string };

const URL_ATTRIBUTE: AttributeClass = { kind: 'url' };
const QUERY_ATTRIBUTE: AttributeClass = { kind: 'query' };
const HEADERS_ATTRIBUTE: AttributeClass = { kind: 'headers' };
const OTHER_ATTRIBUTE: AttributeClass = { kind: 'other' };
const ATTRIBUTE_CACHE_LIMIT = 4096;

const BINARY_TYPES = /^(?:image|audio|video|font)\/|^application\/(?:octet-stream|pdf|zip|gzip|x-gzip|x-tar|x-7z-compressed|x-protobuf|protobuf|x-google-protobuf|grpc|vnd\.google\.protobuf|wasm|x-msgpack|msgpack|cbor)(?:$|\+)/;

/** Header names whose last clean value a redactor keeps. */
const CLEAN_HEADER_NAMES = 256;
/** Longer header values (a large cookie, say) are not kept. */
const CLEAN_HEADER_MAX_LENGTH = 2_048;

/**
 * Masks secrets in headers, bodies, URLs, free text and span attributes. It fails closed: a
 * body that claims to be JSON but does not parse becomes a placeholder, never raw bytes.
 * Every method returns the redacted value, how many values were masked, and which rules fired.
 *
 * @example
 * const redactor = new Redactor({ extraJsonKeys: ['session_key'], allowedValues: ['sk-test-placeholder'] });
 * redactor.redactJson('{"api_key":"abc","max_tokens":5}').value; // '{"api_key":"[REDACTED]","max_tokens":5}'
 * redactor.redactHeaders({ Authorization: 'Bearer abc' }).value; // { authorization: '[REDACTED]' }
 */
export class Redactor {
  readonly #rules: RuleSet;
  readonly #attributeClasses = new Map<string, AttributeClass>();
  /**
   * The last value {@link redactHeaders} found clean under each header name: a client sends the
   * same headers with every request, and a server answers with mostly the same ones, so most
   * values are compared rather than scanned again. (A header value's redaction depends on its
   * name and value only.) Values that were masked are not kept, so no secret is held here.
   */
  readonly #cleanHeaders = new Map<string, string>();

  constructor(options: RedactorOptions = {}) {
    this.#rules = new RuleSet({
      extraHeaderNames: stringList(options.extraHeaderNames, 'extraHeaderNames'),
      allowedHeaderNames: stringList(options.allowedHeaderNames, 'allowedHeaderNames'),
      extraJsonKeys: stringList(options.extraJsonKeys, 'extraJsonKeys'),
      allowedJsonKeys: stringList(options.allowedJsonKeys, 'allowedJsonKeys'),
      extraQueryParams: stringList(options.extraQueryParams, 'extraQueryParams'),
      extraPatterns: patternList(options.extraPatterns),
      allowedValues: stringList(options.allowedValues, 'allowedValues'),
    });
  }

  /**
   * Redacts headers: names lower-cased, multiple values joined with `", "`, secret headers
   * replaced by `[REDACTED]` (rate-limit headers stay visible), other values pattern-scanned.
   *
   * @example
   * defaultRedactor.redactHeaders([['X-Api-Key', 'k'], ['Accept', 'a']]).value; // { 'x-api-key': '[REDACTED]', accept: 'a' }
   */
  redactHeaders(headers: HeadersInput): RedactionResult<Record<string, string>> {
    const tally = new Tally();
    // A record headerRecord made is already normalized: a shallow copy, which the loop below edits, will do.
    const collected = isNormalizedHeaderRecord(headers) ? { ...headers } : isPlainHeaderRecord(headers) ? lowerCaseRecord(headers) : readHeaders(headers, {});
    for (const name of Object.keys(collected)) {
      const value = collected[name] as string;
      const out = this.#redactRepeatedHeader(name, value, tally);
      if (out !== value) collected[name] = out;
    }
    return result(collected, tally);
  }

  /** {@link #redactHeaderValue}, skipped when the name had this value last time and it was clean. */
  #redactRepeatedHeader(lowerName: string, value: string, tally: Tally): string {
    if (this.#cleanHeaders.get(lowerName) === value) return value;
    const masked = tally.count;
    const out = this.#redactHeaderValue(lowerName, value, tally);
    if (out === value && tally.count === masked && value.length <= CLEAN_HEADER_MAX_LENGTH) {
      // Bounded: a client that sends ever new header names makes the memory start over.
      if (this.#cleanHeaders.size >= CLEAN_HEADER_NAMES && !this.#cleanHeaders.has(lowerName)) this.#cleanHeaders.clear();
      this.#cleanHeaders.set(lowerName, value);
    }
    return out;
  }

  /**
   * Redacts one JSON document by key name and value patterns. Unchanged documents come back
   * byte-identical; invalid JSON (or several documents) becomes `[REDACTED: invalid JSON body, N bytes]`.
   *
   * @example
   * defaultRedactor.redactJson('{"user":{"password":"p"},"max_tokens":9}').value; // '{"user":{"password":"[REDACTED]"},"max_tokens":9}'
   */
  redactJson(text: string): RedactionResult<string> {
    const tally = new Tally();
    return result(this.#jsonOrPlaceholder(text, tally, 'body'), tally);
  }

  /**
   * Redacts an already-parsed JSON value (objects and arrays are copied, never mutated).
   *
   * @example
   * defaultRedactor.redactValue({ headers: { authorization: 'x' } }).value; // { headers: { authorization: '[REDACTED]' } }
   */
  redactValue(value: unknown): RedactionResult<unknown> {
    const tally = new Tally();
    return result(this.#redactParsed(value, tally, new Set()), tally);
  }

  /**
   * Redacts newline-delimited JSON line by line; a line that does not parse becomes a placeholder
   * while its neighbours are still redacted.
   *
   * @example
   * defaultRedactor.redactNdjson('{"token":"a"}\n{oops\n').value; // '{"token":"[REDACTED]"}\n[REDACTED: invalid JSON line, 5 bytes]\n'
   */
  redactNdjson(text: string): RedactionResult<string> {
    const tally = new Tally();
    return result(this.#ndjson(text, tally), tally);
  }

  /**
   * Redacts a server-sent event stream: each `data:` payload as JSON when it is JSON, by value
   * patterns when it is not; `event:`, `id:`, `retry:` and comment lines are kept (pattern-scanned).
   *
   * @example
   * defaultRedactor.redactEventStream('event: x\ndata: {"api_key":"k"}\n\n').value; // 'event: x\ndata: {"api_key":"[REDACTED]"}\n\n'
   */
  redactEventStream(text: string): RedactionResult<string> {
    const tally = new Tally();
    return result(this.#eventStream(text, tally), tally);
  }

  /**
   * Redacts a URL: userinfo removed, sensitive query and fragment parameters masked, value patterns applied.
   *
   * @example
   * defaultRedactor.redactUrl('https://u:p@host/v1?api_key=k&x=1').value; // 'https://host/v1?api_key=[REDACTED]&x=1'
   */
  redactUrl(url: string): RedactionResult<string> {
    const tally = new Tally();
    return result(this.#rules.redactUrl(url, tally), tally);
  }

  /**
   * Redacts free text (error messages, logs) by value patterns, including URLs inside it.
   *
   * @example
   * defaultRedactor.redactText('failed: GET https://h/x?token=t with Bearer abcdefgh123').value;
   * // 'failed: GET https://h/x?token=[REDACTED] with Bearer [REDACTED]'
   */
  redactText(text: string): RedactionResult<string> {
    const tally = new Tally();
    return result(this.#rules.redactText(text, tally), tally);
  }

  /**
   * Redacts a body by its content type, then truncates it to `maxBytes` on a character boundary
   * with a marker recording the original size. JSON (and `+json`), NDJSON, event streams, forms
   * and text are redacted; binary bodies are described (`[binary body: N bytes, type]`), never kept.
   * With `truncatedInput`, the body is the captured start of a larger body and is redacted as a
   * prefix (see {@link RedactBodyOptions.truncatedInput}), still failing closed.
   *
   * @example
   * const { value, truncated, originalBytes } = defaultRedactor.redactBody(bytes, 'application/json', { maxBytes: 50_000 });
   * // The first 50,000 bytes of a 180,000-byte request body:
   * defaultRedactor.redactBody(prefix, 'application/json', { truncatedInput: true, originalBytes: 180_000 }).value;
   * // '{"model":"gpt-4o","api_key":"[REDACTED]","messages":[{"role":"user","content":…[truncated, 180000 bytes]'
   */
  redactBody(body: string | Uint8Array, contentType?: string, options: RedactBodyOptions = {}): BodyRedactionResult {
    const maxBytes = options.maxBytes ?? Limits.BODY_BYTES;
    if (!(Number.isInteger(maxBytes) && maxBytes >= 0) && maxBytes !== Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError('maxBytes', maxBytes, 'a non-negative integer or Infinity');
    }
    const cut = options.truncatedInput === true;
    const givenBytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
    const originalBytes = options.originalBytes ?? givenBytes;
    if (!Number.isSafeInteger(originalBytes) || originalBytes < givenBytes) {
      throw new InvalidArgumentError('originalBytes', options.originalBytes, `an integer not smaller than the body (${givenBytes} bytes)`);
    }
    const tally = new Tally();
    const mediaType = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
    if (originalBytes === 0) return bodyResult('', tally, false, 0, 'empty');

    let kind = bodyKind(mediaType);
    let text: string;
    if (typeof body === 'string') {
      text = body;
    } else if (kind === 'binary') {
      text = '';
    } else {
      // A byte cap may have cut a character in half: its first bytes are dropped, not decoded.
      const bytes = cut ? body.subarray(0, completeUtf8Length(body)) : body;
      const decoded = decodeUtf8(bytes, kind === undefined);
      if (decoded === undefined) {
        kind = 'binary';
        text = '';
      } else {
        text = decoded;
      }
    }
    if (kind === undefined) kind = text.includes('\u0000') ? 'binary' : looksLikeJson(text) ? 'sniffed-json' : 'text';
    if (kind === 'binary') {
      const description = `[binary body: ${originalBytes} bytes, ${mediaType === '' ? 'unknown type' : mediaType}]`;
      return bodyResult(description, tally, false, originalBytes, 'binary');
    }

    if (cut) return this.#bodyPrefix(text, kind, tally, maxBytes, originalBytes);

    let redacted: string;
    let reported: BodyKind;
    switch (kind) {
      case 'json':
        redacted = this.#jsonOrPlaceholder(text, tally, 'body');
        reported = 'json';
        break;
      case 'sniffed-json': {
        // No content type claimed JSON, so text that does not parse is treated as text.
        const json = redactJsonText(text, this.#rules, tally);
        redacted = json ?? this.#rules.redactText(text, tally);
        reported = json === undefined ? 'text' : 'json';
        break;
      }
      case 'ndjson':
        redacted = this.#ndjson(text, tally);
        reported = 'ndjson';
        break;
      case 'event-stream':
        redacted = this.#eventStream(text, tally);
        reported = 'event-stream';
        break;
      case 'form':
        redacted = this.#rules.redactQuery(text, tally);
        reported = 'form';
        break;
      case 'text':
        redacted = this.#rules.redactText(text, tally);
        reported = 'text';
        break;
    }
    const bounded = truncateBytes(redacted, maxBytes, { originalBytes });
    return bodyResult(bounded, tally, bounded !== redacted, originalBytes, reported);
  }

  /** `redactBody` for the captured start of a larger body: only what is complete is redacted and kept. */
  #bodyPrefix(text: string, kind: Exclude<InternalKind, 'binary' | undefined>, tally: Tally, maxBytes: number, originalBytes: number): BodyRedactionResult {
    let redacted: string;
    let reported: BodyKind;
    switch (kind) {
      case 'json':
      case 'sniffed-json': {
        const json = text.trim() === '' ? '' : redactJsonPrefix(text, this.#rules, tally);
        if (json !== undefined) {
          redacted = json;
          reported = 'json';
        } else if (kind === 'json') {
          tally.add('invalid-json');
          return bodyResult(`[REDACTED: invalid JSON body, ${originalBytes} bytes]`, tally, false, originalBytes, 'json');
        } else {
          // No content type claimed JSON, so text that does not parse is treated as text.
          redacted = this.#rules.redactText(completeWords(text), tally);
          reported = 'text';
        }
        break;
      }
      case 'ndjson': {
        // The part after the last line break is a line cut short.
        const end = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
        redacted = this.#ndjson(text.slice(0, end), tally);
        reported = 'ndjson';
        break;
      }
      case 'event-stream':
        redacted = this.#eventStream(text.slice(0, completeEventsLength(text)), tally);
        reported = 'event-stream';
        break;
      case 'form': {
        // The parameter after the last `&` is cut short.
        redacted = this.#rules.redactQuery(text.slice(0, Math.max(0, text.lastIndexOf('&'))), tally);
        reported = 'form';
        break;
      }
      case 'text':
        redacted = this.#rules.redactText(completeWords(text), tally);
        reported = 'text';
        break;
    }
    return bodyResult(truncateBytes(redacted, maxBytes, { originalBytes, incomplete: true }), tally, true, originalBytes, reported);
  }

  /**
   * Redacts one string span attribute, choosing the rules by key and content: URL keys
   * (`url.full`, `http.url`, `*.url`) get URL rules, `url.query` query rules, keys naming a
   * secret header or key (`http.request.header.authorization`) are masked whole, `*headers`
   * JSON objects get header rules, JSON-looking values JSON rules (free text if they do not
   * parse), anything else free-text rules. Cheap for ordinary strings.
   *
   * @example
   * defaultRedactor.redactAttribute('url.full', 'https://h/?key=AIza…').value; // 'https://h/?key=[REDACTED]'
   */
  redactAttribute(key: string, value: string): RedactionResult<string> {
    const attribute = this.#attributeClass(key);
    // A JSON-looking value is checked once, inside redactEmbeddedText, which then walks only
    // what may change; asking attributeUnchanged first would scan it twice.
    if (attribute.kind === 'other' && !looksLikeJson(value) && !this.#rules.mayContainSecret(value)) return { value, maskedCount: 0, rules: NO_RULES };
    const tally = new Tally();
    let out: string;
    switch (attribute.kind) {
      case 'url':
        out = this.#rules.redactUrl(value, tally);
        break;
      case 'query':
        out = this.#rules.redactQuery(value, tally);
        break;
      case 'secret':
        if (value === '' || value === REDACTED || this.#rules.isAllowed(value)) {
          out = value;
        } else {
          out = REDACTED;
          tally.add(attribute.rule);
        }
        break;
      case 'headers':
        out = this.#headersAttribute(value, tally);
        break;
      case 'other':
        out = redactEmbeddedText(value, this.#rules, tally, 0);
        break;
    }
    return result(out, tally);
  }

  /**
   * Whether `redactAttribute(key, value)` returns `value` unchanged by its cheap check alone (an
   * ordinary key, and a value, JSON or not, with nothing any rule could match), with nothing
   * allocated. `false` means the full redaction has to run, not that something will be masked.
   *
   * @example
   * defaultRedactor.attributeUnchanged('gen_ai.request.model', 'gpt-4o-mini'); // true
   */
  attributeUnchanged(key: string, value: string): boolean {
    if (this.#attributeClass(key).kind !== 'other') return false;
    return looksLikeJson(value) ? !this.#rules.jsonMayChange(value) : !this.#rules.mayContainSecret(value);
  }

  #attributeClass(key: string): AttributeClass {
    let found = this.#attributeClasses.get(key);
    if (found !== undefined) return found;
    found = classifyAttributeKey(key, this.#rules);
    if (this.#attributeClasses.size >= ATTRIBUTE_CACHE_LIMIT) this.#attributeClasses.clear();
    this.#attributeClasses.set(key, found);
    return found;
  }

  #headersAttribute(value: string, tally: Tally): string {
    if (looksLikeJson(value)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      if (isHeaderRecord(parsed)) {
        // Every change is counted, so an unchanged count means the value comes back as it was;
        // the copy is built only when something changed (the usual input was redacted before).
        const before = tally.count;
        const names = Object.keys(parsed);
        const outs: (string | string[])[] = new Array<string | string[]>(names.length);
        for (let index = 0; index < names.length; index++) {
          const headerValue = parsed[names[index] as string] as string | string[];
          const lower = (names[index] as string).toLowerCase();
          outs[index] = Array.isArray(headerValue)
            ? headerValue.map((item) => this.#redactHeaderValue(lower, item, tally))
            : this.#redactHeaderValue(lower, headerValue, tally);
        }
        if (tally.count === before) return value;
        const out: Record<string, unknown> = {};
        names.forEach((name, index) => defineField(out, name, outs[index]));
        return JSON.stringify(out);
      }
    }
    return redactEmbeddedText(value, this.#rules, tally, 0);
  }

  #redactHeaderValue(lowerName: string, value: string, tally: Tally): string {
    const rule = this.#rules.headerRule(lowerName);
    if (rule === undefined) return this.#rules.redactText(value, tally);
    if (value === '' || value === REDACTED || this.#rules.isAllowed(value)) return value;
    tally.add(rule);
    return REDACTED;
  }

  #jsonOrPlaceholder(text: string, tally: Tally, what: 'body' | 'line'): string {
    if (text.trim() === '') return text;
    // A byte order mark some servers put in front of a document is kept, not taken as invalid JSON.
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const out = redactJsonText(bom === 0 ? text : text.slice(bom), this.#rules, tally);
    if (out !== undefined) return bom === 0 ? out : `\uFEFF${out}`;
    tally.add('invalid-json');
    return `[REDACTED: invalid JSON ${what}, ${Buffer.byteLength(text, 'utf8')} bytes]`;
  }

  #ndjson(text: string, tally: Tally): string {
    const pieces = text.split(/(\r?\n)/);
    for (let index = 0; index < pieces.length; index += 2) {
      const line = pieces[index] as string;
      pieces[index] = this.#jsonOrPlaceholder(line, tally, 'line');
    }
    return pieces.join('');
  }

  #eventStream(text: string, tally: Tally): string {
    // Even indexes are lines, odd ones their line breaks.
    const pieces = text.split(/(\r\n|\r|\n)/);
    let dataLines: number[] = [];
    for (let index = 0; index < pieces.length; index += 2) {
      const line = pieces[index] as string;
      if (line === '') {
        // A blank line ends an event.
        if (dataLines.length > 0) this.#eventData(pieces, dataLines, tally);
        dataLines = [];
      } else if (line.startsWith('data:')) {
        dataLines.push(index);
      } else {
        pieces[index] = this.#rules.redactText(line, tally);
      }
    }
    if (dataLines.length > 0) this.#eventData(pieces, dataLines, tally);
    return pieces.join('');
  }

  /**
   * The data of one event: its `data:` lines joined with `\n` (as a client sees it), redacted as
   * one JSON document, else line by line as JSON documents, else as text. So a secret key's value
   * on another line than the key, or a private key block spread over lines, is still masked.
   */
  #eventData(pieces: string[], dataLines: readonly number[], tally: Tally): void {
    const leads: string[] = [];
    const payloads: string[] = [];
    for (const index of dataLines) {
      const line = pieces[index] as string;
      const lead = line.charCodeAt(5) === 0x20 ? 6 : 5;
      leads.push(line.slice(0, lead));
      payloads.push(line.slice(lead));
    }
    const joined = payloads.join('\n');
    let out: string[] | undefined;
    const local = new Tally();
    if (looksLikeJson(joined)) out = redactJsonText(joined, this.#rules, local)?.split('\n');
    if (out === undefined && payloads.length > 1) {
      // Several documents, one per line (counted only if every line is one).
      const lineTally = new Tally();
      const lines: string[] = [];
      for (const payload of payloads) {
        const line = looksLikeJson(payload) ? redactJsonText(payload, this.#rules, lineTally) : undefined;
        if (line === undefined) break;
        lines.push(line);
      }
      if (lines.length === payloads.length) {
        out = lines;
        local.merge(lineTally);
      }
    }
    out ??= this.#rules.redactText(joined, local).split('\n');
    tally.merge(local);
    if (local.count === 0) return;
    if (out.length === dataLines.length) {
      for (const [position, index] of dataLines.entries()) pieces[index] = `${leads[position]}${out[position]}`;
      return;
    }
    // Masking a value that spanned lines left fewer lines: they all go where the first one was.
    const first = dataLines[0] as number;
    const lineBreak = pieces[first + 1] ?? '\n';
    pieces[first] = `${leads[0]}${out.join(`${lineBreak}data: `)}`;
    for (const index of dataLines.slice(1)) {
      pieces[index] = '';
      if (index + 1 < pieces.length) pieces[index + 1] = '';
    }
  }

  #redactParsed(value: unknown, tally: Tally, ancestors: Set<object>): unknown {
    if (typeof value === 'string') return redactEmbeddedText(value, this.#rules, tally, 0);
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.has(value)) return '[Circular]';
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function' && !Array.isArray(value)) {
      return this.#redactParsed((toJson as () => unknown).call(value), tally, ancestors);
    }
    ancestors.add(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          const out = this.#redactParsed(item, tally, ancestors);
          if (out !== item) {
            copy ??= value.slice();
            copy[index] = out;
          }
        }
        return copy ?? value;
      }
      let copy: Record<string, unknown> | undefined;
      const entries = Object.entries(value);
      for (const [key, item] of entries) {
        let out: unknown;
        const rule = this.#rules.jsonKeyRule(key);
        if (rule === undefined) {
          out = this.#redactParsed(item, tally, ancestors);
        } else if (item === null || item === undefined || item === '' || item === REDACTED || (typeof item === 'string' && this.#rules.isAllowed(item))) {
          out = item;
        } else {
          out = REDACTED;
          tally.add(rule);
        }
        if (out !== item) {
          if (copy === undefined) {
            copy = {};
            for (const [copyKey, copyValue] of entries) defineField(copy, copyKey, copyValue);
          }
          defineField(copy, key, out);
        }
      }
      return copy ?? value;
    } finally {
      ancestors.delete(value);
    }
  }
}

/**
 * A redactor with the built-in rules only.
 *
 * @example
 * defaultRedactor.redactText('key sk-proj-abcdefghijklmnopqrstuvwx').value; // 'key [REDACTED]'
 */
export const defaultRedactor: Redactor = new Redactor();

function result<T>(value: T, tally: Tally): RedactionResult<T> {
  return { value, maskedCount: tally.count, rules: tally.count === 0 ? NO_RULES : tally.rules };
}

function bodyResult(value: string, tally: Tally, truncated: boolean, originalBytes: number, kind: BodyKind): BodyRedactionResult {
  return { value, maskedCount: tally.count, rules: tally.count === 0 ? NO_RULES : tally.rules, truncated, originalBytes, kind };
}

function defineField(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so a `__proto__` key stays a plain field.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type InternalKind = 'json' | 'ndjson' | 'event-stream' | 'form' | 'text' | 'binary' | 'sniffed-json' | undefined;

function bodyKind(mediaType: string): InternalKind {
  if (mediaType === '') return undefined;
  if (mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json')) return 'json';
  if (
    mediaType === 'application/x-ndjson' ||
    mediaType === 'application/ndjson' ||
    mediaType === 'application/jsonl' ||
    mediaType === 'application/x-jsonlines' ||
    mediaType === 'application/jsonlines' ||
    mediaType === 'application/json-seq'
  ) {
    return 'ndjson';
  }
  if (mediaType === 'text/event-stream') return 'event-stream';
  if (mediaType === 'application/x-www-form-urlencoded') return 'form';
  if (BINARY_TYPES.test(mediaType)) return 'binary';
  if (
    mediaType.startsWith('text/') ||
    mediaType.endsWith('+xml') ||
    mediaType === 'application/xml' ||
    mediaType === 'application/javascript' ||
    mediaType === 'application/graphql' ||
    mediaType === 'application/x-yaml' ||
    mediaType === 'application/yaml'
  ) {
    return 'text';
  }
  return undefined;
}

/** The length of `bytes` without an incomplete UTF-8 sequence at its end. */
function completeUtf8Length(bytes: Uint8Array): number {
  const length = bytes.byteLength;
  for (let index = length - 1; index >= 0 && index >= length - 4; index--) {
    const byte = bytes[index] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return index + width > length ? index : length;
  }
  return length;
}

/** Text without its last word, which a cut may have shortened (a key format cut in half is not recognised). */
function completeWords(text: string): string {
  const match = /\s\S*$/.exec(text);
  return match === null ? '' : text.slice(0, match.index + 1);
}

/** The length of the complete events at the start of a cut event stream (up to the last blank line). */
function completeEventsLength(text: string): number {
  let end = 0;
  const blank = /(?:\r\n|\r|\n)(?:\r\n|\r|\n)/g;
  for (let match = blank.exec(text); match !== null; match = blank.exec(text)) {
    end = match.index + match[0].length;
  }
  return end;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');

function decodeUtf8(bytes: Uint8Array, strict: boolean): string | undefined {
  if (!strict) return lenientDecoder.decode(bytes);
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function classifyAttributeKey(key: string, rules: RuleSet): AttributeClass {
  const lower = key.toLowerCase();
  if (URL_KEYS.has(lower) || lower.endsWith('.url') || lower.endsWith('_url')) return URL_ATTRIBUTE;
  if (QUERY_KEYS.has(lower) || lower.endsWith('.query')) return QUERY_ATTRIBUTE;
  const last = lower.slice(lower.lastIndexOf('.') + 1);
  if (last.endsWith('headers')) return HEADERS_ATTRIBUTE;
  const rule = lower.includes('header')
    ? (rules.headerRule(last) ?? rules.headerRule(last.replace(/_/g, '-')))
    : rules.jsonKeyRule(last);
  return rule === undefined ? OTHER_ATTRIBUTE : { kind: 'secret', rule };
}

function isHeaderRecord(value: unknown): value is Record<string, string | string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const item of Object.values(value)) {
    if (typeof item === 'string') continue;
    if (Array.isArray(item) && item.every((entry) => typeof entry === 'string')) continue;
    return false;
  }
  return true;
}


/** A plain object of string values: the shape most callers pass, read without the generic walk. */
function isPlainHeaderRecord(headers: HeadersInput): headers is Readonly<Record<string, string>> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return false;
  const prototype: unknown = Object.getPrototypeOf(headers);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(headers)) {
    if (typeof (headers as Record<string, unknown>)[key] !== 'string') return false;
  }
  return true;
}

/** A plain record with lower-case names; values of names that differ only in case are joined with `, `. */
function lowerCaseRecord(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    const value = headers[name] as string;
    const previous = Object.hasOwn(out, lower) ? out[lower] : undefined;
    const joined = previous === undefined ? value : `${previous}, ${value}`;
    if (lower === '__proto__') defineField(out, lower, joined);
    else out[lower] = joined;
  }
  return out;
}



function stringList(value: readonly string[] | undefined, parameter: string): readonly string[] {
  if (value === undefined) return [];
  const list: unknown = value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new InvalidArgumentError(parameter, value, 'an array of non-empty strings');
  }
  return value;
}

function patternList(value: readonly RedactionPattern[] | undefined): readonly RedactionPattern[] {
  if (value === undefined) return [];
  const list: unknown = value;
  if (!Array.isArray(list)) throw new InvalidArgumentError('extraPatterns', value, 'an array of { name, pattern }');
  for (const [index, item] of (list as unknown[]).entries()) {
    const entry = item as Partial<RedactionPattern> | null;
    if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string' || entry.name === '' || !(entry.pattern instanceof RegExp)) {
      throw new InvalidArgumentError(`extraPatterns[${index}]`, item, 'an object { name: non-empty string, pattern: RegExp }');
    }
  }
  return value;
}
