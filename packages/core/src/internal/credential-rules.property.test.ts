// Property: a random credential of a random family, wrapped in random punctuation inside random
// prose, in a random one of the places a run records text, never comes back.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { defaultRedactor } from '../redactor.js';
import { CREDENTIAL_RULES } from './credential-rules.js';

const WORDS = 'the deploy failed because of an expired credential please rotate it and retry the pipeline résumé 東京 😀'.split(' ');
/** What may stand right before and after a token: never a letter or digit, which would extend it. */
const WRAPPERS: readonly (readonly [string, string])[] = [
  [' ', ' '],
  ['"', '"'],
  ["'", "'"],
  ['(', ')'],
  ['`', '`'],
  ['=', ';'],
  [': ', ','],
  ['\n', '\n'],
  ['<', '>'],
  ['[', ']'],
];

type Context = (text: string) => string;
const CONTEXTS: readonly Context[] = [
  (text) => defaultRedactor.redactText(text).value,
  (text) => defaultRedactor.redactJson(JSON.stringify({ messages: [{ role: 'user', content: text }] })).value,
  (text) => defaultRedactor.redactJson(JSON.stringify({ function: { name: 'f', arguments: JSON.stringify({ input: text }) } })).value,
  (text) => defaultRedactor.redactEventStream(`data: ${JSON.stringify({ delta: text })}\n\n`).value,
  (text) => defaultRedactor.redactAttribute('exception.message', text).value,
  (text) => defaultRedactor.redactUrl(`https://h.example/p?q=${encodeURIComponent(text)}`).value,
  (text) => defaultRedactor.redactHeaders({ 'x-note': text.replace(/\n/g, ' ') }).value['x-note'] ?? '',
  (text) => defaultRedactor.redactBody(`a=1&note=${encodeURIComponent(text).replace(/%20/g, '+')}`, 'application/x-www-form-urlencoded').value,
];

describe('credential property', () => {
  it('leaves no planted credential in 600 random texts and contexts', () => {
    const random = createSeededRandom(99);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const fill = (alphabet: string, length: number): string => {
      let out = '';
      for (let index = 0; index < length; index++) out += alphabet.charAt(Math.floor(random() * alphabet.length));
      return out;
    };
    const failures: string[] = [];
    for (let round = 0; round < 600; round++) {
      const rule = pick(CREDENTIAL_RULES);
      const token = rule.example(fill);
      const secret = token.includes('/hooks.slack.com/') || token.includes('/api/webhooks/') ? token.slice(token.indexOf('/', token.indexOf('.com/') + 5) + 1) : token;
      const [open, close] = pick(WRAPPERS);
      const before = Array.from({ length: Math.floor(random() * 12) }, () => pick(WORDS)).join(' ');
      const after = Array.from({ length: Math.floor(random() * 12) }, () => pick(WORDS)).join(' ');
      const contextIndex = Math.floor(random() * CONTEXTS.length);
      const out = (CONTEXTS[contextIndex] as Context)(`${before}${open}${token}${close}${after}`);
      if (out.includes(secret) || out.includes(encodeURIComponent(secret))) failures.push(`${rule.family} in context ${contextIndex} wrapped ${JSON.stringify(open)}`);
    }
    expect(failures).toEqual([]);
  });
});
