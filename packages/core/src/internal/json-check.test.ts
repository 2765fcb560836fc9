// The WebAssembly filter of the one-scan check (json-check.wat) against the regular expressions it
// stands in front of: at every position of a text where the `json-or-text` trigger or the
// embedded-document search matches, the filter must stop, or the check would clear a text the
// rules change. The texts are built to hit every alternative of the trigger, in many contexts and
// at every offset against the filter's sixteen- and sixty-four-byte steps.
import { createHash } from 'node:crypto';
import { isStringOneByteRepresentation } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { RandomPicks } from '../__fixtures__/random-picks.js';
import { BUILT_IN_RULES_ONLY } from '../__fixtures__/rule-set-options.js';
import { FORMAT_SECRETS } from '../__fixtures__/secrets.js';
import { SECRET_JSON_KEY_FRAGMENTS, SECRET_JSON_KEYS } from '../secret-names.js';
import { JSON_CHECK_WASM } from './json-check-wasm.js';
import { JSON_CHECK_MAX_CHARS, JsonCheck } from './json-check.js';
import { redactEmbeddedText } from './json-scanner.js';
import { RuleSet } from './rule-set.js';
import { Tally } from './tally.js';
import { BUILT_IN_PATTERNS, SECRET_WORD_PROBES, SECRET_WORDS, triggerSource } from './value-patterns.js';

const TRIGGER_AT = new RegExp(triggerSource('json-or-text', []), 'y');
const TEXT_TRIGGER_AT = new RegExp(triggerSource('text', []), 'y');
const RAW_JSON_TRIGGER_AT = new RegExp(triggerSource('raw-json', []), 'y');
const EMBEDDED_AT = /[{[](?<="(?: |\\[nrt])*.)/y;

function matchesOneAt(regex: RegExp, text: string, at: number): boolean {
  regex.lastIndex = at;
  return regex.test(text);
}

function matchesAt(text: string, at: number): boolean {
  return matchesOneAt(TRIGGER_AT, text, at) || matchesOneAt(EMBEDDED_AT, text, at);
}

function candidates(check: JsonCheck, text: string): Set<number> {
  expect(check.load(text)).toBe(true);
  const found = new Set<number>();
  for (let at = check.next(0); at !== -1; at = check.next(at + 1)) {
    expect(at).toBeGreaterThan(Math.max(-1, ...found));
    found.add(at);
  }
  return found;
}

/** The literals of the format rules, which the trigger's literal alternatives are made from. */
const LITERALS = BUILT_IN_PATTERNS.flatMap((pattern) => (pattern as { prefixes?: readonly string[] }).prefixes ?? []);
const SECRET_NAMES = [...SECRET_JSON_KEYS, ...SECRET_JSON_KEY_FRAGMENTS, 'user_auth', 'dbCreds', 'api_token_2', 'my_pwd', 'connection string', 'set-cookie', 'sessionToken'];
const NEAR_MISSES = ['author', 'max_tokens', 'keyword', 'signal', 'design', 'passengers', 'monkey', 'cookbook', 'connection', 'credit', 'oracle'];
const BENIGN = ['role', 'content', 'type', 'text', 'parts', 'name', 'arguments', 'id', 'model', 'data', 'the', 'report', 'shows'];
/**
 * Characters every alternative starts on or looks at, structure, and a little else: past ASCII,
 * white space to the regular expressions (U+00A0, U+2028, U+3000), the Kelvin sign, and letters.
 */
const PALETTE = '-_.~:=,{}[]"\'\\/ \n\tpadAKkBbRZSGTtoOeEuxyz0123456789\u00a0\u2028\u3000\u212aé東';
const SPLITS = ['-', '_', '.', ' ', '\\n', '\\t', '\\r', '\\f', '\n', '\t', '\u00a0', '\u2028'];

class Texts extends RandomPicks {
  /** A name in any case, at times split by what the key rules drop, or escaped. */
  spelt(name: string): string {
    let out = '';
    for (const char of name) {
      if (out !== '' && this.chance(0.12)) out += this.pick(SPLITS);
      if (char === 'k' && this.chance(0.1)) out += '\u212a';
      else out += this.chance(0.3) ? char.toUpperCase() : char;
    }
    return out;
  }

  noise(length: number): string {
    let out = '';
    for (let index = 0; index < length; index++) out += PALETTE.charAt(this.int(PALETTE.length));
    return out;
  }

  quote(): string {
    return this.pick(['"', "'", '\\"', '']);
  }

  gap(): string {
    return this.pick(['', '', ' ', '  ', '\\n', '\\t ', '\n', '\\r\\n', '\u00a0', '\u2028 ']);
  }

  /** One piece aimed at an alternative of the trigger, or at none. */
  piece(): string {
    switch (this.int(12)) {
      case 0:
        return this.pick(LITERALS);
      case 1:
        return this.pick(FORMAT_SECRETS).secret;
      case 2: {
        const name = this.spelt(this.pick([...SECRET_NAMES, ...NEAR_MISSES, ...BENIGN]));
        return `"${name}"${this.gap()}${this.pick([':', '=', ','])}${this.gap()}"v"`;
      }
      case 3: {
        const name = this.pick([...SECRET_NAMES, ...NEAR_MISSES]).replace(/ /g, '_');
        return `${this.chance(0.5) ? name : name.toUpperCase()}${this.quote()}${this.gap()}${this.pick([':', '=', ','])}${this.gap()}x`;
      }
      case 4:
        return `${this.pick(['getenv', 'get', 'f'])}(${this.quote()}${this.pick([...SECRET_NAMES, ...BENIGN])}${this.quote()}${this.gap()},${this.gap()}"d")`;
      case 5:
        return this.pick(['https://u:p@h/x', 'http://h/?a=b', ':\\/\\/u:p@h', 'jdbc:oracle:thin:u/p@h', 'mongodb+srv://u:s3cr3t@h', 'ftp://h']);
      case 6:
        return this.pick(['\\u0041', '\\u212A', 'Bearer abc', 'BASIC dXNlcjpwYXNz', 'basic\\nx', 'token abc', 'TOKEN\\tz', 'Token x', 'tokenize']);
      case 7:
        return this.pick(['"{\\"a\\":1}"', '" [1]', '"\\n{', '"\\r\\t[', '"  {', '"x{', '[{', '{"a":[{"b":"c"}]}']);
      case 8:
        return this.spelt(this.pick(Object.keys(SECRET_WORD_PROBES)));
      case 9:
        return `"${this.spelt(this.pick(SECRET_NAMES))}\\${this.pick(['n', 't', '"', 'u0041'])}x"${this.gap()}:`;
      case 10:
        return this.noise(1 + this.int(24));
      default:
        return this.pick(BENIGN);
    }
  }

  /** A JSON document of ordinary names and prose, which nothing in the rules changes. */
  clean(): string {
    const items: string[] = [];
    const count = 2 + this.int(8);
    for (let index = 0; index < count; index++) {
      const words = Array.from({ length: 3 + this.int(20) }, () => this.pick([...BENIGN, 'growth,', 'down.', 'north:', 'a-b', 'x_y', 'up']));
      items.push(`{"${this.pick(BENIGN)}":"${words.join(' ')}","${this.pick(BENIGN)}":[${this.int(100)},{"${this.pick(BENIGN)}":"${this.pick(BENIGN)}"}]}`);
    }
    return `[${items.join(',')}]`;
  }

  text(): string {
    if (this.chance(0.15)) return this.clean();
    let out = this.noise(this.int(70));
    const pieces = 1 + this.int(12);
    for (let index = 0; index < pieces; index++) out += this.piece() + this.pick(['', ' ', ',', '\n', this.noise(this.int(40))]);
    return out;
  }
}

/**
 * Random texts (seeded), each checked at every position: where `matches` says a regular expression
 * matches, the filter must stop. Returns the matches, positions and stops counted.
 */
function stopsAtEveryMatch(check: JsonCheck, seed: number, rounds: number, what: string, matches: (text: string, at: number) => boolean): { matches: number; positions: number; stops: number } {
  const texts = new Texts(createSeededRandom(seed));
  const counts = { matches: 0, positions: 0, stops: 0 };
  for (let round = 0; round < rounds; round++) {
    const text = texts.text();
    const found = candidates(check, text);
    for (let at = 0; at < text.length; at++) {
      if (!matches(text, at)) continue;
      counts.matches += 1;
      if (!found.has(at)) expect.fail(`missed a match of ${what} at ${at} of ${JSON.stringify(text)}: ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`);
    }
    counts.positions += text.length;
    counts.stops += found.size;
  }
  return counts;
}

/** Index of the first character below U+0020, or -1. */
function firstControl(text: string): number {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) < 0x20) return index;
  return -1;
}

describe('the WebAssembly filter of the one-scan check', () => {
  const check = JsonCheck.create();

  it('is available on this Node.js', () => {
    expect(check).toBeDefined();
  });

  it('is the module json-check.wat assembles to', async () => {
    // @ts-expect-error -- a script of the repository, without types
    const { assemble } = (await import('../../../../scripts/assemble-wasm.mjs')) as { assemble: () => Promise<string> };
    expect(await assemble()).toBe(JSON_CHECK_WASM);
  });

  it('stops at every position where the trigger or the embedded-document search matches', () => {
    const { matches, positions, stops } = stopsAtEveryMatch(check!, 0x6a736f6e, 4000, 'the trigger or the embedded search', matchesAt);
    // The texts hit the alternatives often, and the filter still leaves most positions out.
    expect(matches).toBeGreaterThan(10_000);
    expect(stops).toBeLessThan(positions / 4);
  });

  it('stops at every position where the free-text trigger matches', () => {
    expect(stopsAtEveryMatch(check!, 0x74657874, 3000, 'the free-text trigger', (text, at) => matchesOneAt(TEXT_TRIGGER_AT, text, at)).matches).toBeGreaterThan(5_000);
  });

  it('stops at every position where the raw-JSON trigger matches', () => {
    expect(stopsAtEveryMatch(check!, 0x72617721, 3000, 'the raw-JSON trigger', (text, at) => matchesOneAt(RAW_JSON_TRIGGER_AT, text, at)).matches).toBeGreaterThan(5_000);
  });

  it('stops at each literal of the format rules and each secret name, wherever it lies against the steps', () => {
    // Assignments and calls match only for the words of the text trigger (not `cookie`).
    const seeds = [
      ...LITERALS,
      ...SECRET_NAMES.map((name) => `"${name}": "v"`),
      ...SECRET_NAMES.filter((name) => SECRET_WORDS.trigger.some((word) => name.toLowerCase().includes(word))).flatMap((name) => [
        `${name.replace(/ /g, '_')} = v`,
        `f("${name.replace(/ /g, '_')}", v)`,
      ]),
    ];
    for (const seed of seeds) {
      for (let offset = 0; offset < 70; offset++) {
        const text = `${'x'.repeat(offset)} ${seed} ${'y'.repeat(70 - offset)}`;
        const found = candidates(check!, text);
        let matched = false;
        for (let at = 0; at < text.length; at++) {
          if (!matchesAt(text, at)) continue;
          matched = true;
          expect(found.has(at), `${JSON.stringify(text)} at ${at}`).toBe(true);
        }
        expect(matched, `${JSON.stringify(seed)} matches nothing`).toBe(true);
      }
    }
  });

  it('leaves a plain JSON document without a stop, and finds a secret key at its end', () => {
    const message = (index: number): string => JSON.stringify({ role: index % 2 === 0 ? 'user' : 'assistant', parts: [{ type: 'text', content: `Paragraph ${index}: the report shows growth, with churn down. `.repeat(4) }] });
    const document = `[${Array.from({ length: 40 }, (_, index) => message(index)).join(',')}]`;
    expect(candidates(check!, document).size).toBe(0);
    const withKey = `${document.slice(0, -1)},{"apiKey":"x"}]`;
    const found = [...candidates(check!, withKey)];
    expect(found).toEqual([withKey.indexOf('":"x"') + 1]);
  });

  it('takes a text of any characters, held one or two bytes each, up to its limit', () => {
    expect(check!.load(`{"a": "${'x'.repeat(JSON_CHECK_MAX_CHARS)}"}`)).toBe(false);
    expect(check!.load(`{"a": "b"}`)).toBe(true);
    // Past ASCII, and two bytes a character: positions stay the text's.
    for (const before of ['café ', '東京 ', '😀 ', '\u00a0']) {
      const text = `{"x": "${before}", "apiKey": "v"}`;
      expect([...candidates(check!, text)]).toEqual([text.indexOf('": "v"') + 1]);
    }
    // A key with the Kelvin sign (`\u212a` lower-cases to `k`), or a non-breaking space inside
    // a word, is one the filter stops at.
    for (const key of ['api\u212aey', 'pass\u00a0word', 'to\u212aen']) {
      const text = `{"${key}": "v"}`;
      expect(candidates(check!, text).has(text.indexOf('":') + 1), key).toBe(true);
    }
  });

  it('reads one text after another, a long one before a short one, without leftovers', () => {
    const long = `"apiKey": ${'z'.repeat(5000)}`;
    const short = 'zzzz';
    expect(candidates(check!, long).size).toBeGreaterThan(0);
    expect(candidates(check!, short).size).toBe(0);
    // The short text's end lies where the long one's bytes were: nothing of them is read.
    expect(candidates(check!, 'x'.repeat(20)).size).toBe(0);
    // The same text again (the walk after the check), or an equal one built anew: read as it was.
    const again = candidates(check!, long);
    expect(candidates(check!, long)).toEqual(again);
    expect(candidates(check!, `${long.slice(0, 10)}${long.slice(10)}`)).toEqual(again);
    expect(candidates(check!, short).size).toBe(0);
  });

  it('gives the same positions asked in order, out of order, or from anywhere, past many batches', () => {
    // The filter hands its positions over in batches (8 first, then twice as many each time, up
    // to 1024): thousands of stops here, asked for as the callers do and as they might.
    const text = Array.from({ length: 3_000 }, (_, index) => `"apiKey${index % 7 === 0 ? '' : 'x'}": ${index}, "n": "a ${'b'.repeat(index % 40)}"`).join(', ');
    const inOrder = [...candidates(check!, text)];
    expect(inOrder.length).toBeGreaterThan(2_500);
    const firstFrom = (from: number): number => inOrder.find((at) => at >= from) ?? -1;
    const random = createSeededRandom(99);
    for (let round = 0; round < 2_000; round++) {
      const from = Math.floor(random() * (text.length + 1));
      expect(check!.next(from), `from ${from}`).toBe(firstFrom(from));
      // Then on from there, as a caller that goes on reading does.
      const at = check!.next(from);
      if (at !== -1) expect(check!.next(at + 1)).toBe(firstFrom(at + 1));
    }
    // A text loaded again as it was keeps its positions; another text starts anew.
    expect(check!.load(text)).toBe(true);
    expect(check!.next(0)).toBe(inOrder[0]);
    expect(candidates(check!, 'a plain text without a stop, long enough to need a few steps'.repeat(3)).size).toBe(0);
  });

  it('reads a text held a byte per character as it reads the same text held two bytes a character', () => {
    // Held a byte per character the text is copied in as Latin-1, as it is; otherwise as UTF-16
    // and narrowed, every character past ASCII made 128. Both must give the same stops, and
    // stop wherever the regular expressions match.
    const random = createSeededRandom(1208);
    const alphabet = ['a', 'k', 'p', ' ', '"', ':', '=', ',', '{', '\\', 'é', 'µ', '\u00a0', '\u00ff', '\u0080', '-', '_', 'apiKey', 'token', 'sk-'];
    let compared = 0;
    for (let round = 0; round < 200; round++) {
      let text = '';
      const parts = 20 + Math.floor(random() * 200);
      for (let index = 0; index < parts; index++) text += alphabet[Math.floor(random() * alphabet.length)]!;
      const twoBytes = `東${text}`.slice(1);
      expect(isStringOneByteRepresentation(text)).toBe(true);
      expect(isStringOneByteRepresentation(twoBytes)).toBe(false);
      const one = [...candidates(check!, text)];
      expect([...candidates(check!, twoBytes)], text).toEqual(one);
      for (let at = 0; at < text.length; at++) if (matchesAt(text, at)) expect(one, `${at} of ${JSON.stringify(text)}`).toContain(at);
      compared += one.length;
    }
    expect(compared).toBeGreaterThan(1_000);
  });

  it('finds the control characters of the text it holds, at every offset against its steps', () => {
    const random = createSeededRandom(1207);
    const alphabet = ['a', ' ', '"', '\\', 'é', '東', '😀', '\u007f', '\u0080', '\u0100', '\u0120', '\u2028'];
    const controls = ['\u0000', '\t', '\n', '\r', '\u001f', '\u0010'];
    for (let round = 0; round < 300; round++) {
      const length = 1 + Math.floor(random() * 200);
      let text = '';
      for (let index = 0; index < length; index++) {
        text += random() < 0.03 ? controls[Math.floor(random() * controls.length)]! : alphabet[Math.floor(random() * alphabet.length)]!;
      }
      expect(check!.load(text)).toBe(true);
      for (let from = 0; from <= text.length; from++) {
        const expected = firstControl(text.slice(from));
        expect(check!.controlFrom(text, from), `${JSON.stringify(text)} from ${from}`).toBe(expected === -1 ? -1 : from + expected);
      }
    }
    // Only of the text it holds: another one is the caller's to search.
    expect(check!.load('a\tb')).toBe(true);
    expect(check!.controlFrom('a\tb', 0)).toBe(1);
    expect(check!.controlFrom('a\nb', 0)).toBeUndefined();
    // The zero bytes after a text end the search without being taken for one of its characters.
    expect(check!.load('x'.repeat(33))).toBe(true);
    expect(check!.controlFrom('x'.repeat(33), 0)).toBe(-1);
  });

  it('knows every alternative of the trigger that is not a format rule literal', () => {
    // The filter's tables take the literal alternatives from the rules' literals; the others
    // are written into jsonCheckFingerprints and json-check.wat. A change to any of them must
    // change the filter too, then the heads and the digest below.
    const alternatives = topLevelAlternatives(triggerSource('json-or-text', []));
    const others = alternatives.filter((alternative) => !/^(?:\\.|[^\\()[\]{}|^$.*+?])\(\?(?::\(\?<=|<=|=)/.test(alternative));
    expect(others.map((alternative) => alternative.slice(0, 30))).toEqual([
      '[Bb](?:earer|EARER|asic|ASIC)(',
      '(?<=[Tt]o|TO)(?:ken|KEN)(?:\\s|',
      ':(?:(?:\\/\\/|\\\\\\/\\\\\\/)[^\\s"\'<>`',
      '(?:(?<=(?:[pP][aA][sS][sS]|[pP',
      '(?<=(?:[pP][aA][sS][sS]|[pP][w',
      '\\\\u',
    ]);
    expect(createHash('sha256').update(others.join('\n')).digest('hex')).toBe('3f18feb4c6e8a21c9152447415f7b152103f302bcce288788f9e9e79bc1b520b');
  });

  it('has three letters of every word a secret name holds', () => {
    for (const word of [...SECRET_WORDS.key, ...SECRET_WORDS.trigger]) {
      const probe = SECRET_WORD_PROBES[word];
      expect(probe, word).toBeDefined();
      expect(word.includes(probe!), word).toBe(true);
      expect(probe).toHaveLength(3);
    }
  });
});

/** How much of the text it holds last the filter reads. */
function readLength(check: JsonCheck): number {
  return check.readPart.to - check.readPart.from;
}

/** Ordinary JSON and prose of at least `length` characters that the filter finds no position in (or undefined). */
function cleanBase(texts: Texts, reference: JsonCheck, length: number): string | undefined {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const part = texts.pick([
      () => texts.clean(),
      () => `"${texts.pick(BENIGN)}": "${texts.pick(['', ' ', 'é ', '東 ', '\\n', "it's ", 'a\\"b '])}${texts.pick(BENIGN)}", `,
      () => `${texts.pick(BENIGN)} ${texts.pick(['', ' ', '  ', '\n'])}`,
      () => texts.pick(['{', '}', '[', ']', ',', ' ', '"', "'", '\\', '\\n', '=', ':']),
      // Literals one character off, which an edit may complete.
      () => texts.pick(['Bexrer ', 'hxp_', 'h:x/ ', 'AKxA ']),
    ])();
    parts.push(part);
    size += part.length;
  }
  const text = parts.join('');
  return candidates(reference, text).size === 0 ? text : undefined;
}

/** `base` with one to three pieces changed: something written in, taken out, or put in place of a part. */
function edited(texts: Texts, base: string): string {
  let text = base;
  for (let edits = 1 + texts.int(3); edits > 0; edits--) {
    const at = texts.chance(0.2) ? texts.pick([0, text.length]) : texts.int(text.length + 1);
    if (texts.chance(0.3)) {
      // One character put in place of another.
      text = text.slice(0, at) + texts.pick(['a', 'g', '/', 'I', ':', '"', '\\', 'k', ' ']) + text.slice(at + 1);
      continue;
    }
    const cut = texts.chance(0.5) ? 0 : texts.int(24);
    const piece = texts.chance(0.2) ? '' : texts.chance(0.5) ? texts.piece() : texts.pick(['"', '\\', '\\"', ':', ',', "'", ' ', 'k', 'token', 'AKIA', 'sk-', 'auth', '東']);
    text = text.slice(0, at) + piece + text.slice(at + cut);
  }
  return text;
}

describe('the filter with the texts it remembers', () => {
  it('finds in a text that shares a start or an end with one it read every position a full read finds', () => {
    // One filter remembers the texts it read and reads only what a text does not share with one
    // of them; the other reads every text whole. Texts are edits of clean texts (a piece aimed at
    // the trigger written in, a part taken out, a character changed), edited again in turn, stops
    // and all.
    const remembering = JsonCheck.create()!;
    const whole = JsonCheck.create(0)!;
    const texts = new Texts(createSeededRandom(1209));
    const counts = { texts: 0, narrowed: 0, holding: 0, outside: 0, scanned: 0, length: 0 };
    let base: string | undefined;
    for (let round = 0; round < 3_000; round++) {
      if (base === undefined || texts.chance(0.1)) {
        base = cleanBase(texts, whole, 1024 + texts.int(3000));
        if (base === undefined) continue;
        expect(candidates(remembering, base).size).toBe(0);
      }
      const text = edited(texts, base);
      const expected = [...candidates(whole, text)];
      const found = [...candidates(remembering, text)];
      if (found.join() !== expected.join()) {
        expect.fail(`after ${JSON.stringify(base)}\n${JSON.stringify(text)}: found ${found.join()}, a full read finds ${expected.join()}`);
      }
      counts.texts += 1;
      if (expected.length > 0) counts.holding += 1;
      if (readLength(remembering) < text.length) counts.narrowed += 1;
      counts.scanned += readLength(remembering);
      const { from, to } = remembering.readPart;
      if (expected.some((at) => at < from || at >= to)) counts.outside += 1;
      counts.length += text.length;
      // The next edit is of this text, stops and all, most of the time.
      if (text.length >= 1024 && texts.chance(0.8)) base = text;
    }
    // Most texts were read in part, and many of them hold positions.
    expect(counts.texts).toBeGreaterThan(2_000);
    expect(counts.narrowed / counts.texts).toBeGreaterThan(0.9);
    expect(counts.holding / counts.texts).toBeGreaterThan(0.3);
    expect(counts.scanned / counts.length).toBeLessThan(0.5);
    // Many of them with positions in the part not read, given by the text remembered.
    expect(counts.outside / counts.texts).toBeGreaterThan(0.4);
  });

  it('follows a history that grows past the room its slots and its text had, read in part', () => {
    // Each request re-sends the one before it with more at its end (at times a secret); the
    // memory grows past its first size for the text, and its slots grow with the texts.
    const remembering = JsonCheck.create()!;
    const whole = JsonCheck.create(0)!;
    const texts = new Texts(createSeededRandom(1211));
    let history = cleanBase(texts, whole, 1024)!;
    expect(candidates(remembering, history).size).toBe(0);
    let requests = 0;
    let narrowed = 0;
    while (history.length < 300_000) {
      const added = texts.chance(0.2) ? texts.piece() : texts.clean();
      const text = `${history.slice(0, -1)},${added}]`;
      const found = [...candidates(remembering, text)];
      expect(found).toEqual([...candidates(whole, text)]);
      requests += 1;
      if (readLength(remembering) < added.length + 8) narrowed += 1;
      if (found.length === 0) history = text;
      // At times the history grows by much more at once (a long tool result).
      if (texts.chance(0.05)) history = `${history.slice(0, -1)},${Array.from({ length: 20 }, () => texts.clean()).join(',')}]`;
    }
    expect(requests).toBeGreaterThan(150);
    expect(narrowed / requests).toBeGreaterThan(0.8);
  });

  it('does not remember a text whose positions a caller skipped over, or one with too many', () => {
    // A caller that finds a match goes on after it (the next position it asks for is past the
    // match): positions inside were never found, so the text is not remembered, and a text that
    // shares most of it is read whole.
    const remembering = JsonCheck.create()!;
    const whole = JsonCheck.create(0)!;
    const text = `${'the report shows growth, '.repeat(2)}${Array.from({ length: 60 }, (_, index) => `"apiKey${index}": "v", "token": "w"`).join(', ')}`;
    expect(remembering.load(text)).toBe(true);
    let asked = 0;
    for (let at = remembering.next(0); at !== -1; at = remembering.next(at + 12)) asked += 1;
    const all = [...candidates(whole, text)];
    expect(asked).toBeLessThan(all.length);
    const changed = `The${text.slice(3)}`;
    expect([...candidates(remembering, changed)]).toEqual([...candidates(whole, changed)]);
    expect(readLength(remembering)).toBe(changed.length);
    // Read again to its end, one position after another, it is remembered.
    expect([...candidates(remembering, text)]).toEqual(all);
    const again = `THE${text.slice(3)}`;
    expect([...candidates(remembering, again)]).toEqual([...candidates(whole, again)]);
    expect(readLength(remembering)).toBeLessThan(100);
    // A text with more positions than are kept with one is not remembered either.
    const crowded = `"a": 1, ${'"apiKey": 1, '.repeat(5_000)}`;
    expect(candidates(remembering, crowded).size).toBeGreaterThan(4_096);
    const crowdedAgain = `"b"${crowded.slice(3)}`;
    expect([...candidates(remembering, crowdedAgain)]).toEqual([...candidates(whole, crowdedAgain)]);
    expect(readLength(remembering)).toBe(crowdedAgain.length);
  });

  it('keeps a conversation\'s text when a text that shares only its end with it comes between', () => {
    // Requests of two conversations (or a step's input and its output) alternate; each shares a
    // little with the other (the same closing), and most with the one before it of its own kind.
    const remembering = JsonCheck.create()!;
    const closing = ', {"role": "user", "content": "thanks"}]';
    const first = (index: number): string => `[${Array.from({ length: 60 }, (_, item) => `{"role": "user", "content": "first ${item} ${index === item ? 'changed' : 'as it was'}"}`).join(', ')}${closing}`;
    const second = `[${Array.from({ length: 60 }, (_, item) => `{"role": "assistant", "content": "second ${item}"}`).join(', ')}${closing}`;
    expect(candidates(remembering, first(-1)).size).toBe(0);
    expect(candidates(remembering, second).size).toBe(0);
    expect(readLength(remembering)).toBeGreaterThan(second.length / 2);
    expect(candidates(remembering, first(30)).size).toBe(0);
    expect(readLength(remembering)).toBeLessThan(100);
  });

  it('forgets the texts it kept when its memory is laid out anew for a longer text', () => {
    const whole = JsonCheck.create(0)!;
    const texts = new Texts(createSeededRandom(1212));
    /** A clean text of exactly `length` characters. */
    const clean = (length: number): string => {
      for (;;) {
        const text = cleanBase(texts, whole, length)?.slice(0, length);
        if (text !== undefined && candidates(whole, text).size === 0) return text;
      }
    };
    const keep = (check: JsonCheck, kept: readonly string[]): void => {
      for (const text of kept) expect(candidates(check, text).size).toBe(0);
    };
    /** `text` with one character in its middle changed, read as the whole read reads it; returns how much was read. */
    const readChanged = (check: JsonCheck, text: string): number => {
      const middle = text.length >> 1;
      const changed = `${text.slice(0, middle)}~${text.slice(middle + 1)}`;
      expect([...candidates(check, changed)]).toEqual([...candidates(whole, changed)]);
      return readLength(check);
    };
    // Four texts kept, and a change to one of them read in part; then a text longer than the
    // memory had room for, read up to its first position only (of twenty: so not kept): the slots
    // move past it, and what they held is not compared with any more.
    const grown = JsonCheck.create()!;
    const four = [clean(10_000), clean(10_000), clean(10_000), clean(10_000)];
    keep(grown, four);
    expect(readChanged(grown, four[2]!)).toBeLessThan(100);
    keep(grown, four);
    const longer = `${clean(20_000)}${'"apiKey": "v", '.repeat(20)}`;
    expect(grown.load(longer)).toBe(true);
    expect(grown.next(0)).toBe(longer.indexOf('": "v"') + 1);
    expect(readChanged(grown, four[2]!)).toBe(10_000);
    // Four texts kept; then a longer one kept: the slots grow, and hold that one only.
    const resized = JsonCheck.create()!;
    const small = [clean(2_000), clean(2_000), clean(2_000), clean(2_000)];
    keep(resized, small);
    keep(resized, [clean(5_000)]);
    expect(readChanged(resized, small[2]!)).toBe(2_000);
  });

  it('counts the bytes two places share from their start and before their end exactly', () => {
    // The module's own comparisons, on bytes that differ at every offset against their sixteen-byte steps.
    const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: Record<string, unknown> } } }).WebAssembly;
    const exports = new wasm.Instance(new wasm.Module(Buffer.from(JSON_CHECK_WASM, 'base64'))).exports as {
      memory: { buffer: ArrayBuffer };
      same: (a: number, b: number, length: number) => number;
      sameBefore: (a: number, b: number, length: number) => number;
    };
    const bytes = new Uint8Array(exports.memory.buffer);
    const random = createSeededRandom(1210);
    const a = 40_000;
    const b = 50_000;
    let checked = 0;
    for (let length = 0; length <= 80; length++) {
      for (let differ = 0; differ <= length; differ++) {
        // Equal bytes (a few values, as text has), then one that differs at `differ` (none when it is `length`).
        for (let index = -16; index < length + 16; index++) {
          const value = 32 + Math.floor(random() * 4);
          bytes[a + index] = value;
          bytes[b + index] = index === differ || index === length - 1 - differ ? value + 1 : value;
        }
        let start = 0;
        while (start < length && bytes[a + start] === bytes[b + start]) start++;
        let end = 0;
        while (end < length && bytes[a + length - 1 - end] === bytes[b + length - 1 - end]) end++;
        expect(exports.same(a, b, length), `same, ${length} bytes`).toBe(start);
        expect(exports.sameBefore(a + length, b + length, length), `sameBefore, ${length} bytes`).toBe(end);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(3_000);
  });

  it('reads a key whose start changed back to its opening quote, and a literal whose end changed', () => {
    const remembering = JsonCheck.create()!;
    const whole = JsonCheck.create(0)!;
    const filler = JSON.stringify(Array.from({ length: 30 }, (_, index) => ({ role: 'user', content: `note ${index}: the report shows growth` })));
    const before = `{"messages": ${filler}, "xxxxx_name": "v", "model": "m", "history": ${filler}}`;
    // Each change is read in part (the text shares most of itself with `before`), and gives the
    // positions a full read gives, among them the one the change made.
    const changed = (text: string, made: number): void => {
      expect(candidates(remembering, before).size).toBe(0);
      const found = [...candidates(remembering, text)];
      expect(found).toEqual([...candidates(whole, text)]);
      expect(found).toContain(made);
      expect(readLength(remembering)).toBeLessThan(text.length / 4);
    };
    // A key changed at its start: its closing quote, and the `:` after it, lie in the shared end.
    const key = before.replace('xxxxx_name', 'passw_name');
    changed(key, key.indexOf('": "v"') + 1);
    // A literal changed at its third character, which the filter reads at its first.
    const plain = before.replace('"model": "m"', '"model": "Bexrer abc"');
    expect(candidates(whole, plain).size).toBe(0);
    const literal = plain.replace('Bexrer', 'Bearer');
    expect(candidates(remembering, plain).size).toBe(0);
    const found = [...candidates(remembering, literal)];
    expect(found).toEqual([literal.indexOf('Bearer')]);
    expect(readLength(remembering)).toBeLessThan(literal.length / 4);
  });
});

describe('RuleSet.jsonChangeFrom with and without the filter', () => {
  const filtered = new RuleSet(BUILT_IN_RULES_ONLY);
  const scanned = new RuleSet({ ...BUILT_IN_RULES_ONLY, jsonCheckFilter: false });

  it('answers the same on every text', () => {
    const texts = new Texts(createSeededRandom(0x72756c65));
    let cleared = 0;
    let flagged = 0;
    for (let round = 0; round < 3000; round++) {
      // Long enough for the filter, JSON-looking or not; some not all ASCII.
      let text = texts.text();
      while (text.length < 300) text += texts.text();
      if (texts.chance(0.1)) text = `${text}😀`;
      const expected = scanned.jsonChangeFrom(text);
      expect(filtered.jsonChangeFrom(text), JSON.stringify(text)).toBe(expected);
      if (expected === -1) cleared += 1;
      else flagged += 1;
    }
    expect(cleared).toBeGreaterThan(100);
    expect(flagged).toBeGreaterThan(1000);
  });

  it('redacts free text the same, and says the same of whether it may hold a secret', () => {
    const texts = new Texts(createSeededRandom(0x66726565));
    let changed = 0;
    let clean = 0;
    for (let round = 0; round < 3000; round++) {
      let text = texts.text();
      while (text.length < 200) text += texts.text();
      if (texts.chance(0.1)) text = `${text}😀`;
      const tallies = [new Tally(), new Tally()] as const;
      const expected = scanned.redactText(text, tallies[0]);
      expect(filtered.redactText(text, tallies[1]), JSON.stringify(text)).toBe(expected);
      expect(tallies[1]).toEqual(tallies[0]);
      expect(filtered.mayContainSecret(text)).toBe(scanned.mayContainSecret(text));
      if (expected !== text) changed += 1;
      if (!scanned.mayContainSecret(text)) clean += 1;
    }
    expect(changed).toBeGreaterThan(500);
    expect(clean).toBeGreaterThan(100);
  });

  it('finds the same raw-JSON trigger hits, and redacts JSON the same', () => {
    const texts = new Texts(createSeededRandom(0x6a736f6f));
    let changed = 0;
    for (let round = 0; round < 3000; round++) {
      // A document most of the time (the scanner's input), any text at times.
      let text = texts.chance(0.8) ? texts.clean() : texts.text();
      if (texts.chance(0.7)) text = `${text.slice(0, -1)},${JSON.stringify({ [texts.pick([...SECRET_NAMES, ...NEAR_MISSES, ...BENIGN])]: texts.piece() })}]`;
      const from = texts.int(40);
      const hits = [[], [], [], []] as [number[], number[], number[], number[]];
      filtered.rawJsonTriggerHits(text, from, hits[0], hits[1]);
      scanned.rawJsonTriggerHits(text, from, hits[2], hits[3]);
      expect(hits[0], JSON.stringify(text)).toEqual(hits[2]);
      expect(hits[1]).toEqual(hits[3]);
      const tallies = [new Tally(), new Tally()] as const;
      const expected = redactEmbeddedText(text, scanned, tallies[0], 0);
      expect(redactEmbeddedText(text, filtered, tallies[1], 0), JSON.stringify(text)).toBe(expected);
      expect(tallies[1]).toEqual(tallies[0]);
      if (expected !== text) changed += 1;
    }
    expect(changed).toBeGreaterThan(500);
  });

  it('answers the same on a history of edits, which the filter reads in part', () => {
    // Long texts, each an edit of one before it, so the filter reads most of them against one it
    // remembers: every answer and every redaction must be what the regular expressions give.
    const texts = new Texts(createSeededRandom(0x68697374));
    const whole = JsonCheck.create(0)!;
    let base = cleanBase(texts, whole, 2000)!;
    let changed = 0;
    for (let round = 0; round < 1500; round++) {
      const text = edited(texts, base);
      expect(filtered.jsonChangeFrom(text), JSON.stringify(text)).toBe(scanned.jsonChangeFrom(text));
      expect(filtered.mayContainSecret(text)).toBe(scanned.mayContainSecret(text));
      const tallies = [new Tally(), new Tally(), new Tally(), new Tally()] as const;
      const expected = scanned.redactText(text, tallies[0]);
      expect(filtered.redactText(text, tallies[1]), JSON.stringify(text)).toBe(expected);
      expect(tallies[1]).toEqual(tallies[0]);
      const document = redactEmbeddedText(text, scanned, tallies[2], 0);
      expect(redactEmbeddedText(text, filtered, tallies[3], 0), JSON.stringify(text)).toBe(document);
      if (expected !== text || document !== text) changed += 1;
      if (texts.chance(0.1)) base = cleanBase(texts, whole, 1024 + texts.int(3000)) ?? base;
      else if (text.length >= 1024 && texts.chance(0.8)) base = text;
    }
    expect(changed).toBeGreaterThan(300);
  });

  it('is not used with query parameters of the options, which the filter does not know', () => {
    const withParameter = new RuleSet({ ...BUILT_IN_RULES_ONLY, extraQueryParams: ['sessionid'] });
    const text = `{"url": "https://h/x?a=1", "note": "${'z'.repeat(300)} sessionid=abc"}`;
    expect(withParameter.jsonChangeFrom(text)).toBe(new RuleSet({ ...BUILT_IN_RULES_ONLY, extraQueryParams: ['sessionid'], jsonCheckFilter: false }).jsonChangeFrom(text));
    expect(withParameter.jsonChangeFrom(text)).not.toBe(-1);
  });
});

/** The top-level alternatives of a regular expression's source. */
function topLevelAlternatives(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let current = '';
  for (let index = 0; index < source.length; index++) {
    const char = source.charAt(index);
    if (char === '\\') {
      current += char + source.charAt(index + 1);
      index += 1;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') inClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}
