// The one-scan check that lets a JSON-looking text skip the walk through its structure
// (`RuleSet.jsonMayChange`) against the rules without it: on every text, valid JSON or not, the
// output is the same, and whatever the rules change is flagged. The texts aim at the check's
// edges: secret key names spelt in any case, split by separators or escapes, with the Kelvin
// sign; documents embedded in strings; texts that start like JSON but do not parse.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { RandomPicks } from '../__fixtures__/random-picks.js';
import { BUILT_IN_RULES_ONLY } from '../__fixtures__/rule-set-options.js';
import { FORMAT_SECRETS } from '../__fixtures__/secrets.js';
import { SECRET_JSON_KEY_FRAGMENTS, SECRET_JSON_KEYS } from '../secret-names.js';
import { redactEmbeddedText } from './json-scanner.js';
import { RuleSet } from './rule-set.js';
import { Tally } from './tally.js';

const fast = new RuleSet(BUILT_IN_RULES_ONLY);
const walked = new RuleSet({ ...BUILT_IN_RULES_ONLY, jsonFastPath: false });

const redactFast = (text: string): string => redactEmbeddedText(text, fast, new Tally(), 0);
const redactWalked = (text: string): string => redactEmbeddedText(text, walked, new Tally(), 0);

const SECRET_KEY_NAMES = [...SECRET_JSON_KEYS, 'user_auth', 'dbCreds', 'api_token_2', 'my_pwd', 'Connection String', 'set cookie', 'sessionToken', 'clientSecret'];
// Names that hold a secret word's letters but are not secret, or are counters.
const NEAR_MISS_NAMES = ['author', 'max_tokens', 'keyword', 'signal', 'design', 'tokens_used', 'passengers', 'monkey', 'cookbook', 'connection', 'credit', 'auth_mode'];
const BENIGN_NAMES = ['role', 'content', 'type', 'text', 'parts', 'name', 'arguments', 'id', 'model', 'data'];
const WORDS = ['the', 'report', 'shows', 'growth', 'key', 'token', 'Bearer', 'basic', 'password', 'sk', 'ghp', 'https://example.com/a', 'x=1', 'a,', 'b:', 'café', '東京', '"q"', 'line\nbreak'];
const SEPARATORS = ['-', '_', '.', ' ', '\\n', '\\t', '\\r', '\\f'];

class Texts extends RandomPicks {
  /** A key name as raw JSON string content: letters in any case, split or escaped at random. */
  spelt(name: string): string {
    let out = '';
    for (const char of name) {
      if (out !== '' && this.chance(0.1)) out += this.pick(SEPARATORS);
      if (char === 'k' && this.chance(0.15)) out += this.chance(0.5) ? '\u212A' : '\\u212A';
      else out += this.chance(0.3) ? char.toUpperCase() : char;
    }
    return out;
  }

  space(): string {
    return this.chance(0.8) ? '' : this.pick([' ', '\n', '\t', '  ']);
  }

  prose(): string {
    const words: string[] = [];
    const count = 1 + Math.floor(this.random() * 8);
    for (let index = 0; index < count; index++) words.push(this.pick(WORDS));
    if (this.chance(0.1)) words.push(this.pick(FORMAT_SECRETS).secret);
    return words.join(' ');
  }

  /** A raw JSON value. */
  value(depth: number): string {
    const choice = this.random();
    if (depth >= 4 || choice < 0.4) {
      const leaf = this.random();
      if (leaf < 0.6) return JSON.stringify(this.prose());
      if (leaf < 0.75) return JSON.stringify(`${this.pick(['', ' ', '\n'])}${this.object(depth + 1)}`); // a document in a string
      if (leaf < 0.85) return String(Math.floor(this.random() * 1e6));
      return this.pick(['true', 'false', 'null']);
    }
    if (choice < 0.6) {
      const items: string[] = [];
      const count = Math.floor(this.random() * 4);
      for (let index = 0; index < count; index++) items.push(this.value(depth + 1));
      return `[${items.join(`,${this.space()}`)}]`;
    }
    return this.object(depth);
  }

  object(depth: number): string {
    const entries: string[] = [];
    const count = Math.floor(this.random() * 5);
    for (let index = 0; index < count; index++) {
      const kind = this.random();
      const name = kind < 0.25 ? this.pick(SECRET_KEY_NAMES) : kind < 0.5 ? this.pick(NEAR_MISS_NAMES) : this.pick(BENIGN_NAMES);
      entries.push(`"${this.spelt(name)}"${this.space()}:${this.space()}${this.value(depth + 1)}`);
    }
    return `{${entries.join(`,${this.space()}`)}}`;
  }

  /** A document, or something that starts like one and does not parse. */
  text(): string {
    const document = this.chance(0.5) ? this.object(0) : `[${this.value(1)}]`;
    const damage = this.random();
    if (damage < 0.7) return document;
    if (damage < 0.8) return document.slice(0, 1 + Math.floor(this.random() * document.length));
    if (damage < 0.9) return `[INFO] ${this.prose()} ${this.spelt(this.pick(SECRET_KEY_NAMES))}": "${this.prose()}"`;
    const at = Math.floor(this.random() * document.length);
    return `${document.slice(0, at)}"${document.slice(at + 1)}`;
  }
}

describe('RuleSet.jsonMayChange', () => {
  it('flags every text the rules change, in 3,000 random JSON-looking texts, and lets most clean ones skip the walk', () => {
    const texts = new Texts(createSeededRandom(20261207));
    let changed = 0;
    let skipped = 0;
    for (let index = 0; index < 3_000; index++) {
      const text = texts.text();
      const expected = redactWalked(text);
      expect(redactFast(text), text).toBe(expected);
      const mayChange = fast.jsonMayChange(text);
      if (expected !== text) {
        changed += 1;
        expect(mayChange, text).toBe(true);
      }
      if (!mayChange) skipped += 1;
    }
    // Both sides of the check are exercised: texts that change, and clean texts it clears.
    expect(changed).toBeGreaterThan(500);
    expect(skipped).toBeGreaterThan(300);
  });

  it.each([
    ['a key split by a dot', '{"se.cret": "v4lue-that-goes"}'],
    ['a key in words', '{"Pass Word": "v4lue-that-goes"}'],
    ['a key split by an escaped newline', '{"pass\\nword": "v4lue-that-goes"}'],
    ['a key with the Kelvin sign', '{"api\u212Aey": "v4lue-that-goes"}'],
    ['a key with an escape', '{"p\\u0061ssword": "v4lue-that-goes"}'],
    ['a cookie', '{"Set Cookie": "v4lue-that-goes"}'],
    ['a connection string', '{"Connection String": "v4lue-that-goes"}'],
    ['a last word', '{"user_auth": "v4lue-that-goes"}'],
    ['space before the colon', '{"password"\n : "v4lue-that-goes"}'],
    ['a document in a string', '{"arguments": "{\\"password\\": \\"v4lue-that-goes\\"}"}'],
    ['a document in a string after an escape', '{"arguments": "\\n [{\\"password\\": \\"v4lue-that-goes\\"}]"}'],
    ['a document in a string, with an escaped escape', '{"arguments": "{\\"a\\": \\"Bearer\\\\nabcdefghijklmnopqrstuvwxyz0123\\"}"}'],
    ['a call in text that starts like JSON', '[1, getenv("db_pwd", "Zk3x9Qw8Lm2Np7Rt")]'],
    ['an assignment in text that starts like JSON', '{"a": 1} db_pwd"= "Zk3x9Qw8Lm2Np7Rt"'],
    ['a bearer token', '{"content": "use Bearer abcdefghijklmnopqrstuvwxyz0123"}'],
  ])('flags %s, which the rules change', (_name, text) => {
    expect(redactWalked(text)).not.toBe(text);
    expect(fast.jsonMayChange(text)).toBe(true);
    expect(redactFast(text)).toBe(redactWalked(text));
  });

  // The check's key words are written apart from the key rules' tables: a name added to a table
  // with a word the check does not know would let a secret through the shortcut.
  it('flags a key for every name and fragment of the key rules, and for each last word they mask on', () => {
    const names = [...SECRET_JSON_KEYS, ...SECRET_JSON_KEY_FRAGMENTS, 'user_auth', 'my_creds', 'aws_cred', 'db_pwd', 'github_token', 'refresh_token_2'];
    for (const name of names) {
      const text = JSON.stringify({ [name]: 'v4lue-that-goes' });
      expect(redactWalked(text), name).not.toBe(text);
      expect(fast.jsonMayChange(text), name).toBe(true);
    }
  });

  it('clears a clean document, its keys included, with one scan', () => {
    const document = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'the quarterly report, in short: growth' }] }, { model: 'gpt-4o', temperature: 0.2 }]);
    expect(fast.jsonMayChange(document)).toBe(false);
    // A key holding a secret word's letters is walked, though no key rule masks it.
    expect(fast.jsonMayChange(JSON.stringify({ author: 'x', max_tokens: 5 }))).toBe(true);
    expect(walked.jsonMayChange(document)).toBe(true);
  });
});
