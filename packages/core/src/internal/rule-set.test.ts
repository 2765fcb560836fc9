// RuleSet.mayContainSecret's memo of short texts the trigger does not match: it must answer as
// the trigger does for every text, whatever it remembered before, and keep no longer string alive.
import { Buffer } from 'node:buffer';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { BUILT_IN_RULES_ONLY } from '../__fixtures__/rule-set-options.js';
import { FORMAT_SECRETS } from '../__fixtures__/secrets.js';
import { RuleSet } from './rule-set.js';
import { Tally } from './tally.js';
import { triggerSource } from './value-patterns.js';

const TRIGGER = new RegExp(triggerSource('text', []));

/** The most characters a remembered text has (SHORT_CLEAN_MAX_CHARS in rule-set.ts). */
const SHORT = 64;

/**
 * A text the trigger does not match with the length of `text` and its first, middle and last
 * characters, so that the memo puts both in one slot.
 */
function twinOf(text: string): string {
  const chars = [...'x'.repeat(text.length)];
  for (const index of [0, text.length >> 1, text.length - 1]) chars[index] = text.charAt(index);
  return chars.join('');
}

/** A new string object with the same characters (not the one the memo may hold). */
function rebuilt(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** A text the trigger matches (a URL) and no rule changes. */
const HARMLESS_URL = ' see https://example.com/docs?page=2 ';

/**
 * Bytes of V8's heap freed once a string of `megabytes` is dropped, after `remember` was handed
 * it and where {@link HARMLESS_URL} stands in it, to hand on a part of it long enough for V8 to
 * keep as a view of it (13 characters or more). The part is not kept here.
 */
function releasedAfter(megabytes: number, remember: (whole: string, at: number) => void): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const filler = 'q'.repeat(megabytes * 1024 * 1024);
  // Made by concatenation (V8's heap, not memory outside it as Buffer's strings may be); flat once sliced.
  const held: { whole?: string } = { whole: `${filler}${HARMLESS_URL}${filler}` };
  remember(held.whole!, filler.length);
  gc();
  const holding = getHeapStatistics().used_heap_size;
  delete held.whole;
  gc();
  return holding - getHeapStatistics().used_heap_size;
}

describe('RuleSet.mayContainSecret', () => {
  const secrets = FORMAT_SECRETS.map(({ secret }) => secret).filter((secret) => secret.length <= SHORT);

  it('still finds a secret in the slot of a text it remembered clean, and the reverse', () => {
    expect(secrets.length).toBeGreaterThan(10);
    const rules = new RuleSet(BUILT_IN_RULES_ONLY);
    for (const secret of secrets) {
      const twin = twinOf(secret);
      expect(TRIGGER.test(twin), twin).toBe(false);
      expect(TRIGGER.test(secret), secret).toBe(true);
      for (let round = 0; round < 3; round++) {
        expect(rules.mayContainSecret(rebuilt(twin))).toBe(false);
        expect(rules.mayContainSecret(twin)).toBe(false);
        expect(rules.mayContainSecret(rebuilt(secret)), secret).toBe(true);
        expect(rules.mayContainSecret(secret), secret).toBe(true);
      }
    }
  });

  it('answers as the trigger does over texts that repeat and share slots', () => {
    const random = createSeededRandom(0x73686f72);
    const pool: string[] = [];
    for (const secret of secrets) pool.push(secret, twinOf(secret), secret.slice(0, 12), secret.slice(-20));
    for (const word of ['gpt-4o', 'openai', 'completed', 'in_progress', 'chat gpt-4o', 'Bearer', 'token=', 'sk-', 'a:b', '', ' ']) pool.push(word);
    // Texts of every length up to the limit and one past it, some with a secret's start.
    for (let length = 0; length <= SHORT + 1; length++) {
      pool.push('q'.repeat(length));
      pool.push(`ghp_${'Ab3'.repeat(length)}`.slice(0, Math.max(length, 4)));
    }
    const rules = new RuleSet(BUILT_IN_RULES_ONLY);
    let hits = 0;
    let clean = 0;
    for (let round = 0; round < 20_000; round++) {
      const picked = pool[Math.floor(random() * pool.length)]!;
      const text = random() < 0.5 ? picked : rebuilt(picked);
      const expected = TRIGGER.test(text);
      expect(rules.mayContainSecret(text), JSON.stringify(text)).toBe(expected);
      if (expected) hits += 1;
      else clean += 1;
    }
    expect(hits).toBeGreaterThan(2_000);
    expect(clean).toBeGreaterThan(2_000);
  });

  it('keeps no longer string alive through a part of it that it remembered', () => {
    const rules = new RuleSet(BUILT_IN_RULES_ONLY);
    const megabytes = 64;
    const freed = (megabytes / 2) * 1024 * 1024;
    // The memo of texts the trigger does not match.
    const clean = releasedAfter(megabytes, (whole, at) => {
      expect(rules.mayContainSecret(whole.slice(at - 30, at))).toBe(false);
    });
    expect(clean).toBeGreaterThan(freed);
    expect(rules.mayContainSecret('q'.repeat(30))).toBe(false);
    // The memo of texts the trigger matches but no rule changes.
    expect(TRIGGER.test(HARMLESS_URL)).toBe(true);
    const harmless = releasedAfter(megabytes, (whole, at) => {
      const part = whole.slice(at, at + HARMLESS_URL.length);
      expect(rules.redactText(part, new Tally())).toBe(part);
    });
    expect(harmless).toBeGreaterThan(freed);
    expect(rules.redactText(HARMLESS_URL, new Tally())).toBe(HARMLESS_URL);
  });
});
