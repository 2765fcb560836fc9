// The scanner's verdict on random documents, mutated at random, against JSON.parse: strings with
// and without escapes, raw control characters inside and between tokens, cut prefixes; short and
// long documents, with and without characters past U+00FF (long ones are read quote to quote and
// escape to escape, short ones character by character).
import { describe, expect, it, vi } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { BUILT_IN_RULES_ONLY } from '../__fixtures__/rule-set-options.js';
import { redactJsonPrefix, redactJsonText } from './json-scanner.js';
import { RuleSet } from './rule-set.js';
import { Tally } from './tally.js';

const rules = new RuleSet(BUILT_IN_RULES_ONLY);

// No character that starts a credential or an assignment: nothing generated here is a secret.
const PLAIN = 'abcdefghijklmnopqrstuvwxyz 0123456789';
const ODD = ['"', '\\', '\n', '\t', '\r', '\u0000', '\u0001', '\u001f', '\u007f', 'é', '/'];
const WIDE = ['\u2028', '😀', '東'];

let wide = false;

function textOf(random: () => number): string {
  const length = Math.floor(random() * 24);
  let out = '';
  for (let index = 0; index < length; index++) {
    const choice = random();
    if (choice < 0.15) out += ODD[Math.floor(random() * ODD.length)] as string;
    else if (wide && choice < 0.2) out += WIDE[Math.floor(random() * WIDE.length)] as string;
    else out += PLAIN.charAt(Math.floor(random() * PLAIN.length));
  }
  return out;
}

function valueOf(random: () => number, depth: number): unknown {
  const choice = random();
  if (depth > 3 || choice < 0.4) return textOf(random);
  if (choice < 0.5) return Math.floor(random() * 1e6) / 100;
  if (choice < 0.55) return random() < 0.5 ? null : true;
  if (choice < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => valueOf(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let index = Math.floor(random() * 4); index > 0; index--) object[`${textOf(random)}k${index}`] = valueOf(random, depth + 1);
  return object;
}

/**
 * A document, short or past 2 KB, with or without characters past U+00FF, sometimes
 * pretty-printed (control characters between tokens), sometimes damaged at one place.
 */
function documentOf(random: () => number): string {
  wide = random() < 0.3;
  const items: unknown[] = [];
  const long = random() < 0.5;
  let text: string;
  do {
    items.push(random() < 0.5 ? valueOf(random, 0) : { role: 'user', content: valueOf(random, 0) });
    text = JSON.stringify(items, null, random() < 0.3 ? 2 : undefined);
  } while (long && text.length < 2_100);
  if (random() < 0.5) {
    const at = Math.floor(random() * text.length);
    const insert = random() < 0.5 ? (ODD[Math.floor(random() * ODD.length)] as string) : '';
    text = `${text.slice(0, at)}${insert}${text.slice(at + (random() < 0.5 ? 1 : 0))}`;
  }
  return text;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('the JSON scanner against JSON.parse', () => {
  it('accepts exactly the documents JSON.parse accepts, and returns each unchanged', () => {
    const random = createSeededRandom(20261206);
    let valid = 0;
    let invalid = 0;
    for (let round = 0; round < 6_000; round++) {
      const text = documentOf(random);
      const tally = new Tally();
      const out = redactJsonText(text, rules, tally);
      if (parses(text)) {
        valid++;
        expect(out, text).toBe(text);
        expect(tally.count).toBe(0);
      } else {
        invalid++;
        expect(out, text).toBeUndefined();
      }
    }
    // Both kinds were met often enough to mean something.
    expect(valid).toBeGreaterThan(1_500);
    expect(invalid).toBeGreaterThan(1_000);
  });

  it('reads a valid document cut anywhere as a prefix that ends at its last whole token', () => {
    const random = createSeededRandom(7);
    for (let round = 0; round < 1_500; round++) {
      wide = random() < 0.3;
      const long = random() < 0.5;
      const items: unknown[] = [];
      let text: string;
      do {
        items.push({ role: 'user', content: valueOf(random, 0), more: [textOf(random), textOf(random)] });
        text = JSON.stringify(items, null, random() < 0.3 ? 2 : undefined);
      } while (long && text.length < 2_100);
      const cut = text.slice(0, Math.floor(random() * (text.length + 1)));
      const out = redactJsonPrefix(cut, rules, new Tally());
      expect(out, cut).toBeDefined();
      expect(cut.startsWith(out as string), cut).toBe(true);
    }
  });

  it('finds control characters after an embedded document took the filter over', () => {
    // A long document's control characters are found by the filter while it holds the
    // document's text. An embedded document is loaded into the filter in its place halfway
    // through the walk; the rest of the outer one is then searched without it. Pretty-printed,
    // so the search runs again after every line.
    const embedded = JSON.stringify({ items: Array.from({ length: 60 }, (_, index) => ({ name: `item ${index} 東`, note: 'a "quoted" word\n' })) });
    const before = Array.from({ length: 30 }, (_, index) => `line ${index}: "x"\n 😀`);
    const after = Array.from({ length: 30 }, (_, index) => `row ${index}\t東`);
    const document = JSON.stringify({ before, embedded, after }, null, 2);
    const searches = vi.spyOn(RuleSet.prototype, 'controlFrom');
    try {
      expect(redactJsonText(document, rules, new Tally())).toBe(document);
      const found = searches.mock.results.map((result) => (result.type === 'return' ? result.value : undefined));
      // Both ways were taken: by the filter before the embedded document, without it after.
      expect(found.filter((at) => at !== undefined).length).toBeGreaterThan(10);
      expect(found.filter((at) => at === undefined).length).toBeGreaterThan(10);
      // A raw tab in the last string: not JSON.
      const broken = `${document.slice(0, -10)}\t${document.slice(-10)}`;
      expect(() => {
        JSON.parse(broken);
      }).toThrow();
      expect(redactJsonText(broken, rules, new Tally())).toBeUndefined();
    } finally {
      searches.mockRestore();
    }
  });
});
