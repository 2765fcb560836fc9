// The WebAssembly filter of the one-scan check (json-check.wat): where in a text the
// `json-or-text` trigger or the embedded-document search may match (and so the free-text trigger,
// whose matches are among that trigger's), sixteen characters at a time.
import { Buffer } from 'node:buffer';
import * as v8 from 'node:v8';
import { JSON_CHECK_WASM } from './json-check-wasm.js';
import { LOWER_BY_FREQUENCY, SECRET_WORD_PROBES, jsonCheckFingerprints } from './value-patterns.js';

// The module's memory layout (json-check.wat).
const FLAGS = 0;
const LO = 256;
const HI = 272;
const RULES = 288;
const CLASS = 512;
const B2 = 1024;
const B3 = 5120;
const A2 = 9216;
const A3 = 13312;
const WT = 17408;
const MASKS = 21504;
const OUT = 24576;
/** The most positions one call of `collect` writes to OUT. */
const OUT_MAX = 1024;
/**
 * The positions the first call for a text asks for: a caller that stops at the first hit (is
 * there anything to redact?) should not have the whole text read for it. Each call after asks
 * for twice as many, up to {@link OUT_MAX}.
 */
const FIRST_BATCH = 8;
const TEXT = 32768;
/** Zero bytes after the text, which the checks around a byte read as its end. */
const TRAILING_ZEROS = 16;
/** Bytes past the text's end that the sixteen-byte steps may load (whatever they hold is ignored). */
const OVERRUN = 64;
const PAGE = 65_536;
/**
 * Texts at least this long are compared with the clean texts remembered (see {@link JsonCheck}),
 * and remembered when clean: below it the comparison and the copy cost about what they save.
 */
const BASE_MIN_CHARS = 1024;
/** How many texts are remembered (by default). */
const BASE_SLOTS = 4;
/** Texts with more positions than this are not remembered (each is kept with its positions). */
const BASE_MAX_POSITIONS = 4096;
const NO_POSITIONS: Int32Array = new Int32Array(0);
/** Characters the memory holds a text for at first; it grows (doubling) for a longer one. */
const FIRST_CAPACITY = 16_384;
/** Longer texts are left to the regular expressions (the memory would stay that large). */
export const JSON_CHECK_MAX_CHARS = 1024 * 1024;

/** What a character may start, by table (json-check.wat's FLAGS). */
const Flag = { Behind2: 1, Behind3: 2, Ahead2: 4, Ahead3: 8, Assignment: 16, Call: 32, Embedded: 64 } as const;

/**
 * json-check.wat's CLASS: a name character, white space, a character a key may be split by, a
 * character that may stand right before a call's `,` or an embedded `{` or `[`.
 */
const CharClass = { Name: 1, Space: 2, KeySplit: 4, BeforeSite: 8 } as const;

/** The two-character index (json-check.wat's H2). */
function h2(a: number, b: number): number {
  return ((a << 7) | b) & 32767;
}

/** The three-character hash (json-check.wat's H3). */
function h3(a: number, b: number, c: number): number {
  return (Math.imul(a, 1129) ^ Math.imul(b, 37) ^ c) & 32767;
}

function codes(text: string): number[] {
  const result: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 127) throw new Error(`json-check: fingerprint ${JSON.stringify(text)} is not ASCII`);
    result.push(code);
  }
  return result;
}

/** JavaScript's `\s` among ASCII characters. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Whether V8 holds `text` a byte per character (Latin-1), by Node's `v8.isStringOneByteRepresentation`
 * (Node 22.15 and later; false where it is missing, which only costs the UTF-16 copy). It reads
 * the string's representation, not its characters.
 */
const isOneByte: (text: string) => boolean =
  typeof (v8 as { isStringOneByteRepresentation?: unknown }).isStringOneByteRepresentation === 'function'
    ? (text) => v8.isStringOneByteRepresentation(text)
    : () => false;

/** The little of WebAssembly's JavaScript API used here (the project's `lib` has no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: unknown };
}

interface Exports {
  readonly memory: WasmMemory;
  readonly narrow: (source: number, length: number) => void;
  readonly collect: (length: number, from: number, max: number) => number;
  readonly control: (length: number, from: number) => number;
  readonly same: (a: number, b: number, length: number) => number;
  readonly sameBefore: (a: number, b: number, length: number) => number;
}

/** The index of the first of `sorted[low..high)` at or after `value` (`high` when there is none). */
function firstAtOrAfter(sorted: Int32Array, value: number, from = 0, to = sorted.length): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * One instance serves the process (its tables come from the built-in rules only). {@link load}
 * copies a text in; {@link next} then returns the positions, in order, where a match may start.
 * Not re-entrant: one text at a time.
 *
 * It remembers the last few texts of {@link BASE_MIN_CHARS} or more whose every position it
 * found (a caller read them all), as bytes in its memory, with those positions. A text loaded
 * later is compared with them (sixteen bytes at a time): where it shares a start and an end with
 * one, only the part between needs reading, as an agent's requests re-send the history before
 * them; the positions in the shared start and end are the remembered text's. Whether a byte is a
 * position depends on the bytes around it only: from the two after it back to, at most, the second
 * quote before it (a quoted key or name ends at the first quote it meets going back, and a check
 * passes over at most the one quote it starts at). So a byte two or more before the end of the
 * shared start, or after the second quote of the shared end (and so two or more bytes into it),
 * reads the same bytes in both texts, and is a position in one when it is in the other.
 */
export class JsonCheck {
  readonly #exports: Exports;
  #bytes: Uint8Array;
  /** The memory as a Buffer, to write UTF-16 into. */
  #buffer: Buffer;
  /** The memory as 32-bit integers, to read the positions `collect` wrote from. */
  #positions: Int32Array;
  #length = 0;
  /**
   * The positions `collect` found last, in #positions from OUT on: every one in the loaded
   * text from #batchFrom up to #batchEnd (the end of the part read when the last call found
   * fewer than it was asked for; -1 before the first call for a text), #batchCount of them.
   */
  #batchFrom = 0;
  #batchEnd = -1;
  #batchCount = 0;
  #batchSize = FIRST_BATCH;
  /** Where the last {@link next} found its answer in the batch: callers ask in order. */
  #batchIndex = 0;
  /**
   * The text loaded last. The walk of a document loads the text the one-scan check loaded just
   * before; it is not copied in twice. (Its bytes stay in the module's memory anyway.)
   */
  #loaded: string | undefined;
  /** The part of the loaded text the filter reads: the positions outside it are known. */
  #scanFrom = 0;
  #scanTo = 0;
  /**
   * The positions of the remembered text the loaded one is read against: those before
   * #knownBefore are its positions before #scanFrom, those from #knownAfter on stand for its
   * positions from #scanTo on (add #shift). (Indexes, not `subarray`s: a view costs an allocation.)
   */
  #known: Int32Array = NO_POSITIONS;
  #knownBefore = 0;
  #knownAfter = 0;
  #shift = 0;
  /**
   * Positions the filter found from #scanFrom on, in order, every one up to #foundTo: -1 once a
   * call skipped some, once there are too many to remember, and for a text too short to remember.
   */
  readonly #found: number[] = [];
  #foundTo = 0;
  /** Every position of the loaded text, once known. */
  #complete: Int32Array | undefined;
  /** The slot of the remembered text the loaded one follows (shares half of itself with), or -1. */
  #reference = -1;
  /** The longest text the memory holds (as UTF-16, while it is made bytes); the slots lie after it. */
  #capacity = FIRST_CAPACITY;
  /** Bytes per slot (0 before the first text is remembered). */
  #slotBytes = 0;
  /** Length of the text each slot holds (0: none), its positions, and when it was last used. */
  readonly #baseLengths: number[];
  readonly #basePositions: Int32Array[];
  readonly #baseUses: number[];
  #uses = 0;
  /** The slot a text was last compared with best. */
  #lastReference = 0;

  private constructor(exports: Exports, remembered: number) {
    this.#exports = exports;
    this.#baseLengths = new Array<number>(remembered).fill(0);
    this.#basePositions = new Array<Int32Array>(remembered).fill(NO_POSITIONS);
    this.#baseUses = new Array<number>(remembered).fill(0);
    this.#bytes = new Uint8Array(exports.memory.buffer);
    this.#buffer = Buffer.from(exports.memory.buffer);
    this.#positions = new Int32Array(exports.memory.buffer);
    this.#fillTables();
    // Room for a text of the first capacity: `load` grows the memory only for a longer one.
    if (!this.#reserve(this.#slotsAt())) throw new Error('json-check: the memory cannot grow');
  }

  /**
   * A filter, or `undefined` where WebAssembly (with SIMD) is not available. `remembered`: how
   * many texts it keeps to compare later ones with (0: none, every text is read whole).
   */
  static create(remembered = BASE_SLOTS): JsonCheck | undefined {
    try {
      const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
      if (wasm === undefined) return undefined;
      const module = new wasm.Module(Buffer.from(JSON_CHECK_WASM, 'base64'));
      const exports = new wasm.Instance(module).exports as Exports;
      return new JsonCheck(exports, remembered);
    } catch {
      return undefined;
    }
  }

  #fillTables(): void {
    const bytes = this.#bytes;
    const set = (table: number, hash: number): void => {
      bytes[table + (hash >> 3)]! |= 1 << (hash & 7);
    };
    const flag = (code: number, value: number): void => {
      bytes[FLAGS + code]! |= value;
    };
    const fingerprints = jsonCheckFingerprints();
    // Per character that starts an alternative: which characters may come before it (`any`, or a set).
    const before = new Map<number, Set<number> | 'any'>();
    const allow = (code: number, previous: readonly number[] | 'any'): void => {
      const known = before.get(code);
      if (previous === 'any' || known === 'any') before.set(code, 'any');
      else before.set(code, new Set([...(known ?? []), ...previous]));
    };
    for (const text of fingerprints.behind2) {
      const [a, b] = codes(text) as [number, number];
      set(B2, h2(a, b));
      flag(b, Flag.Behind2);
      allow(b, [a]);
    }
    for (const text of fingerprints.behind3) {
      const [a, b, c] = codes(text) as [number, number, number];
      set(B3, h3(a, b, c));
      flag(c, Flag.Behind3);
      allow(c, [b]);
    }
    for (const text of fingerprints.ahead2) {
      const [a, b] = codes(text) as [number, number];
      set(A2, h2(a, b));
      flag(a, Flag.Ahead2);
      allow(a, 'any');
    }
    for (const text of fingerprints.ahead3) {
      const [a, b, c] = codes(text) as [number, number, number];
      set(A3, h3(a, b, c));
      flag(a, Flag.Ahead3);
      allow(a, 'any');
    }
    // The sites json-check.wat reads itself: `:` and `=` (a quoted key, an assignment), `,` (a
    // call's argument name), `{` and `[` (an embedded document).
    for (const [chars, value] of [[':=', Flag.Assignment], [',', Flag.Call], ['{[', Flag.Embedded]] as const) {
      for (const char of chars) {
        flag(char.charCodeAt(0), value);
        allow(char.charCodeAt(0), 'any');
      }
    }
    for (const probe of Object.values(SECRET_WORD_PROBES)) {
      const [a, b, c] = codes(probe) as [number, number, number];
      set(WT, h3(a, b, c));
    }
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      let kind = 0;
      if (/[\w.-]/.test(char)) kind |= CharClass.Name;
      if (isSpace(code)) kind |= CharClass.Space;
      if (isSpace(code) || char === '-' || char === '_' || char === '.') kind |= CharClass.KeySplit;
      // White space, a quote, an apostrophe, or the last character of the escapes \n, \t, \r.
      if (isSpace(code) || char === '"' || char === "'" || char === 'n' || char === 't' || char === 'r') kind |= CharClass.BeforeSite;
      bytes[CLASS + code] = kind;
    }
    // Any character past ASCII (a byte of 128 or more): it may be white space to the regular
    // expressions (U+00A0, U+2028, …).
    bytes.fill(CharClass.Space | CharClass.KeySplit | CharClass.BeforeSite, CLASS + 128, CLASS + 256);
    // Vector n keeps the bytes after byte n.
    for (let n = 0; n < 16; n++) bytes.fill(255, MASKS + n * 16 + n + 1, MASKS + n * 16 + 16);
    this.#fillStepTables(before);
  }

  /**
   * The sixteen-byte step's tables: LO and HI hold every character that starts an alternative
   * exactly (a bit per high nibble, set per low nibble). RULES: the two most common lower-case
   * letters that follow one character, in either case, in every alternative (`p` only after `a`,
   * for `dap`; `k` after `o` or `O`, for `tok`), each with that character in lower case; the step
   * leaves them out after anything else.
   */
  #fillStepTables(before: ReadonlyMap<number, Set<number> | 'any'>): void {
    const bytes = this.#bytes;
    for (const code of before.keys()) bytes[LO + (code & 15)]! |= 1 << (code >> 4);
    for (let high = 0; high < 8; high++) bytes[HI + high] = 1 << high;
    // The step compares the character before with 32 set (lower case, for a letter).
    const folded = (code: number): number | undefined => {
      const previous = before.get(code);
      if (previous === undefined || previous === 'any') return undefined;
      const cases = new Set([...previous].map((other) => other | 32));
      return cases.size === 1 ? [...cases][0] : undefined;
    };
    const ruled = [...LOWER_BY_FREQUENCY].map((char) => char.charCodeAt(0)).filter((code) => folded(code) !== undefined);
    // A rule for character 0 takes nothing away: 0 starts no alternative.
    const [first = 0, second = 0] = ruled;
    bytes.set([first, folded(first) ?? 0, second, folded(second) ?? 0], RULES);
  }

  /**
   * Copies `text` in; false when it is longer than {@link JSON_CHECK_MAX_CHARS} (the caller
   * scans it with the regular expressions). A string V8 holds a byte per character is written
   * as Latin-1, as it is (the tables treat every byte past ASCII alike); any other has its UTF-16
   * code units written where the text goes and `narrow` makes each a byte (`Buffer.write` either way;
   * `TextEncoder` goes slowly through a string not held one byte per character, or past ASCII).
   */
  load(text: string): boolean {
    if (text === this.#loaded) return true;
    const length = text.length;
    if (length > JSON_CHECK_MAX_CHARS) return false;
    if (length > this.#capacity) {
      // The slots move past the longer text: what they held is forgotten.
      let capacity = this.#capacity;
      while (capacity < length) capacity *= 2;
      if (!this.#reserve(TEXT + 2 * capacity + OVERRUN + this.#baseLengths.length * this.#slotBytes + OVERRUN)) return false;
      this.#capacity = capacity;
      this.#baseLengths.fill(0);
    }
    if (isOneByte(text)) {
      // V8 holds the string a byte per character: copied as it is, half the bytes of UTF-16
      // and no narrowing, then the zero bytes `narrow` writes after a text.
      this.#buffer.write(text, TEXT, 'latin1');
      this.#bytes.fill(0, TEXT + length, TEXT + length + TRAILING_ZEROS);
    } else {
      // Written where the text goes, and made bytes in place: each step reads its 32 bytes before
      // it writes 16, and never reads where a step before it wrote.
      this.#buffer.write(text, TEXT, 'utf16le');
      this.#exports.narrow(TEXT, length);
    }
    this.#length = length;
    this.#loaded = text;
    this.#batchEnd = -1;
    this.#batchSize = FIRST_BATCH;
    this.#scanFrom = 0;
    this.#scanTo = length;
    this.#known = NO_POSITIONS;
    this.#knownBefore = 0;
    this.#knownAfter = 0;
    this.#shift = 0;
    this.#complete = undefined;
    this.#reference = -1;
    if (length >= BASE_MIN_CHARS && this.#slotBytes > 0) this.#narrowScan(text, length);
    if (this.#found.length !== 0) this.#found.length = 0;
    // Positions are gathered only from a text that may be remembered.
    this.#foundTo = length >= BASE_MIN_CHARS && this.#baseLengths.length > 0 ? this.#scanFrom : -1;
    if (this.#foundTo !== -1 && this.#scanFrom >= this.#scanTo) this.#completed();
    return true;
  }

  /**
   * Narrows the part to scan by the remembered text that leaves the least of it (see the class
   * comment): from two bytes before the end of the start they share to past the second quote of
   * the end they share.
   */
  #narrowScan(text: string, length: number): void {
    const exports = this.#exports;
    const slots = this.#baseLengths.length;
    let best = length;
    let bestSlot = -1;
    // The slot used last first: a text most often follows the one before it in its conversation.
    // A part to read of less than a sixteenth of the text is taken as it is.
    for (let turn = 0; turn < slots && best > length >> 4; turn++) {
      const slot = (this.#lastReference + turn) % slots;
      const baseLength = this.#baseLengths[slot]!;
      if (baseLength === 0) continue;
      const base = this.#slotsAt() + slot * this.#slotBytes;
      const most = Math.min(length, baseLength);
      const start = exports.same(TEXT, base, most);
      const end = exports.sameBefore(TEXT + length, base + baseLength, most - start);
      const from = Math.max(0, start - 2);
      // Past the second quote of the shared end, a position is also two or more bytes into it.
      let to = length;
      if (end > 0) {
        const first = text.indexOf('"', length - end);
        const second = first === -1 ? -1 : text.indexOf('"', first + 1);
        if (second !== -1) to = second + 1;
      }
      const scanned = Math.max(0, to - from);
      if (scanned < best) {
        best = scanned;
        bestSlot = slot;
        this.#scanFrom = from;
        this.#scanTo = Math.max(from, to);
      }
    }
    if (bestSlot === -1) return;
    const positions = this.#basePositions[bestSlot]!;
    this.#known = positions;
    this.#shift = length - this.#baseLengths[bestSlot]!;
    this.#knownBefore = firstAtOrAfter(positions, this.#scanFrom);
    this.#knownAfter = firstAtOrAfter(positions, this.#scanTo - this.#shift);
    this.#baseUses[bestSlot] = ++this.#uses;
    this.#lastReference = bestSlot;
    // A text that shares at least half of itself with that one follows it (the next request of
    // its conversation) and takes its slot once remembered; any other takes the one used longest ago.
    if (best <= length >> 1) this.#reference = bestSlot;
  }

  /**
   * Remembers the loaded text with its positions, all known: in the slot of the text it was
   * compared with (the one it follows, most likely), else in the one used longest ago.
   */
  #remember(positions: Int32Array): void {
    const length = this.#length;
    const slots = this.#baseLengths.length;
    if (slots === 0 || length < BASE_MIN_CHARS || positions.length > BASE_MAX_POSITIONS) return;
    if (length + OVERRUN > this.#slotBytes) {
      // Larger slots, which hold nothing yet: twice as large up to a page, then whole pages (a
      // history grows a little with every request).
      let bytes = Math.max(this.#slotBytes, 2 * BASE_MIN_CHARS);
      while (length + OVERRUN > bytes && bytes < PAGE) bytes *= 2;
      if (length + OVERRUN > bytes) bytes = Math.ceil((length + OVERRUN) / PAGE) * PAGE;
      if (!this.#reserve(this.#slotsAt() + slots * bytes + OVERRUN)) return;
      this.#slotBytes = bytes;
      this.#baseLengths.fill(0);
      this.#reference = -1;
    }
    let slot = this.#reference;
    if (slot === -1) {
      slot = 0;
      for (let other = 1; other < slots; other++) if (this.#baseUses[other]! < this.#baseUses[slot]!) slot = other;
    }
    const base = this.#slotsAt() + slot * this.#slotBytes;
    this.#bytes.copyWithin(base, TEXT, TEXT + length);
    this.#baseLengths[slot] = length;
    this.#basePositions[slot] = positions;
    this.#baseUses[slot] = ++this.#uses;
    this.#lastReference = slot;
  }

  /** Where the slots start: past the longest text the memory holds, as UTF-16. */
  #slotsAt(): number {
    return TEXT + 2 * this.#capacity + OVERRUN;
  }

  /** Grows the memory to at least `bytes`; false when it cannot. */
  #reserve(bytes: number): boolean {
    const memory = this.#exports.memory;
    if (memory.buffer.byteLength >= bytes) return true;
    try {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    } catch {
      return false;
    }
    this.#bytes = new Uint8Array(memory.buffer);
    this.#buffer = Buffer.from(memory.buffer);
    this.#positions = new Int32Array(memory.buffer);
    return true;
  }

  /**
   * The first control character (U+0000 to U+001F) at or after `from` in `text`, or -1; undefined
   * when `text` is not the text loaded last (the caller searches it itself: a text is not copied
   * in for this alone).
   */
  controlFrom(text: string, from: number): number | undefined {
    return text === this.#loaded ? this.#exports.control(this.#length, from) : undefined;
  }

  /**
   * The part of the loaded text the filter reads, `[from, to)`: the positions outside it are those
   * of a remembered text that shares them (see the class comment).
   */
  get readPart(): { readonly from: number; readonly to: number } {
    return { from: this.#scanFrom, to: Math.max(this.#scanFrom, this.#scanTo) };
  }

  /** The first position at or after `from` where a match may start in the loaded text, or -1. */
  next(from: number): number {
    const complete = this.#complete;
    if (complete !== undefined) {
      const index = firstAtOrAfter(complete, from);
      return index < complete.length ? complete[index]! : -1;
    }
    const known = this.#known;
    let at = from;
    if (at < this.#scanFrom) {
      const index = firstAtOrAfter(known, at, 0, this.#knownBefore);
      if (index < this.#knownBefore) return known[index]!;
      at = this.#scanFrom;
    }
    if (at < this.#scanTo) {
      const found = this.#nextRead(at);
      if (found !== -1) return found;
      at = this.#scanTo;
    }
    const index = firstAtOrAfter(known, at - this.#shift, this.#knownAfter);
    return index < known.length ? known[index]! + this.#shift : -1;
  }

  /** {@link next} in the part the filter reads (`from` lies in it): from the batch, or a new one. */
  #nextRead(from: number): number {
    if (from < this.#batchFrom || from >= this.#batchEnd) this.#collect(from);
    // Found in order, so the answer is at or after the last one unless the caller went back.
    const positions = this.#positions;
    const first = OUT >> 2;
    let index = this.#batchIndex;
    if (index > 0 && positions[first + index - 1]! >= from) index = 0;
    while (index < this.#batchCount && positions[first + index]! < from) index++;
    this.#batchIndex = index;
    if (index < this.#batchCount) return positions[first + index]!;
    // Past the batch's last position but before its end: the batch ran to the part's end.
    return -1;
  }

  /**
   * Has the filter find the next positions from `from` on, as many as the batch size allows, up
   * to the end of the part it reads. Positions found from where the ones before ended are kept:
   * once they reach that end, every position of the text is known.
   */
  #collect(from: number): void {
    const size = this.#batchSize;
    const count = this.#exports.collect(this.#scanTo, from, size);
    const positions = this.#positions;
    const first = OUT >> 2;
    this.#batchFrom = from;
    this.#batchCount = count;
    this.#batchIndex = 0;
    // A full batch ends after its last position; the part may hold more.
    this.#batchEnd = count === size ? positions[first + count - 1]! + 1 : this.#scanTo;
    if (size < OUT_MAX) this.#batchSize = size * 2;
    // A caller that skipped a stretch (the rest of a match) leaves positions unknown.
    if (this.#foundTo === -1) return;
    if (from > this.#foundTo) {
      this.#foundTo = -1;
      return;
    }
    for (let index = 0; index < count; index++) {
      const at = positions[first + index]!;
      if (at >= this.#foundTo) this.#found.push(at);
    }
    // Too many to remember: no more are gathered.
    if (this.#found.length > BASE_MAX_POSITIONS) {
      this.#foundTo = -1;
      return;
    }
    this.#foundTo = Math.max(this.#foundTo, this.#batchEnd);
    if (this.#foundTo >= this.#scanTo) this.#completed();
  }

  /** Every position is known: they serve {@link next} from now on, and the text is remembered. */
  #completed(): void {
    const known = this.#known;
    const found = this.#found;
    const before = this.#knownBefore;
    const after = known.length - this.#knownAfter;
    const total = before + found.length + after;
    let complete = NO_POSITIONS;
    if (total > 0) {
      complete = new Int32Array(total);
      for (let index = 0; index < before; index++) complete[index] = known[index]!;
      for (let index = 0; index < found.length; index++) complete[before + index] = found[index]!;
      const base = before + found.length;
      for (let index = 0; index < after; index++) complete[base + index] = known[this.#knownAfter + index]! + this.#shift;
    }
    this.#complete = complete;
    this.#remember(complete);
  }
}
