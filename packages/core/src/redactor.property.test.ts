// Property: random JSON documents with secrets planted at random depths under secret keys come
// back with no secret value anywhere in the output, whatever the formatting.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { FORMAT_SECRETS } from './__fixtures__/secrets.js';
import { defaultRedactor } from './redactor.js';
import { NEVER_SECRET_JSON_KEYS, SECRET_JSON_KEYS } from './secret-names.js';

const BENIGN_KEYS = ['role', 'content', 'model', 'id', 'type', 'text', 'items', 'data', 'name', 'arguments', 'metadata', ...NEVER_SECRET_JSON_KEYS];
const SECRET_KEYS = [
  ...SECRET_JSON_KEYS,
  'apiKey',
  'accessToken',
  'clientSecret',
  'refreshToken',
  'privateKey',
  'dbPassword',
  'awsCredentials',
  'x_app_secret',
  'GITHUB_TOKEN',
];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

class Generator {
  readonly planted: string[] = [];
  private counter = 0;

  constructor(private readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A unique secret value that cannot occur by accident. */
  secret(): string {
    let out = `S${this.counter++}x`;
    const length = 12 + Math.floor(this.random() * 20);
    while (out.length < length) out += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
    this.planted.push(out);
    return out;
  }

  /** What goes under a secret key: a string, a number-like string, an object or an array. */
  secretValue(depth: number): unknown {
    const choice = this.random();
    if (choice < 0.5) return this.secret();
    if (choice < 0.65) return [this.secret(), this.secret()];
    if (choice < 0.8) return { user: this.secret(), nested: { value: this.secret() } };
    return this.value(depth + 1, true);
  }

  benignString(): string {
    const choice = this.random();
    if (choice < 0.08) {
      // A credential pasted into free text.
      const secret = this.pick(FORMAT_SECRETS).secret;
      this.planted.push(secret);
      return `please use ${secret} for this`;
    }
    if (choice < 0.12) {
      // JSON embedded in a string, like tool-call arguments.
      return JSON.stringify({ path: '/tmp/x', [this.pick(SECRET_KEYS)]: this.secret() });
    }
    if (choice < 0.15) return `https://user:${this.secret()}@example.com/p?api_key=${this.secret()}&page=2`;
    let text = '';
    const words = 1 + Math.floor(this.random() * 8);
    for (let index = 0; index < words; index++) text += `${this.pick(['hello', 'tokens', 'max', 'café', '東京', '"quoted"', 'line\nbreak', 'tab\there', '😀'])} `;
    return text;
  }

  value(depth: number, mustHoldSecret = false): unknown {
    const choice = this.random();
    if (depth >= 6 || (!mustHoldSecret && choice < 0.35)) {
      const leaf = this.random();
      if (leaf < 0.4) return this.benignString();
      if (leaf < 0.7) return Math.floor(this.random() * 1e6) / (this.random() < 0.5 ? 1 : 100);
      if (leaf < 0.8) return this.random() < 0.5;
      if (leaf < 0.9) return null;
      return mustHoldSecret ? { [this.pick(SECRET_KEYS)]: this.secret() } : [];
    }
    if (choice < 0.6) {
      const length = 1 + Math.floor(this.random() * 4);
      const items: unknown[] = [];
      for (let index = 0; index < length; index++) items.push(this.value(depth + 1, mustHoldSecret && index === 0));
      return items;
    }
    const object: Record<string, unknown> = {};
    const size = 1 + Math.floor(this.random() * 5);
    for (let index = 0; index < size; index++) {
      if (this.random() < 0.3 || (mustHoldSecret && index === 0)) {
        object[this.pick(SECRET_KEYS)] = this.secretValue(depth);
      } else {
        object[this.pick(BENIGN_KEYS)] = this.value(depth + 1);
      }
    }
    return object;
  }
}

describe('redactJson property', () => {
  it('leaves no planted secret anywhere in the output of 400 random documents', () => {
    const random = createSeededRandom(0x5eed);
    let totalPlanted = 0;
    for (let documentIndex = 0; documentIndex < 400; documentIndex++) {
      const generator = new Generator(random);
      const document = generator.value(0, true);
      const indent = documentIndex % 3 === 0 ? 2 : undefined;
      const text = JSON.stringify(document, null, indent);
      // A secret planted under a key that a later duplicate key overwrote is not in the text.
      const planted = generator.planted.filter((secret) => text.includes(secret));
      totalPlanted += planted.length;

      const result = defaultRedactor.redactJson(text);
      for (const secret of planted) {
        if (result.value.includes(secret)) {
          throw new Error(`document ${documentIndex}: secret ${secret} survived in ${result.value}`);
        }
      }
      expect(result.rules).not.toContain('invalid-json');
      expect(result.maskedCount).toBeGreaterThan(0);
      // The output is still one valid JSON document, and agrees with redacting the parsed value.
      const parsed: unknown = JSON.parse(result.value);
      expect(parsed).toEqual(defaultRedactor.redactValue(document).value);
      expect(result.rules.join(' ')).not.toMatch(/S\d+x/);
    }
    expect(totalPlanted).toBeGreaterThan(1000);
  });
});

/** Every run of `length` characters in `text`. */
function fragments(text: string, length: number): Set<string> {
  const out = new Set<string>();
  for (let index = 0; index + length <= text.length; index++) out.add(text.slice(index, index + length));
  return out;
}

describe('redactBody property: JSON cut at a random byte (truncatedInput)', () => {
  it('leaves no planted secret, nor any 8-character piece of one, in prefixes of 150 random documents cut at random bytes', () => {
    const random = createSeededRandom(0xc0ffee);
    const marker = (bytes: number) => `…[truncated, ${bytes} bytes]`;
    const REDACTED_JSON = '"[REDACTED]"';
    let outputs = 0;
    let endsMasked = 0;
    for (let documentIndex = 0; documentIndex < 150; documentIndex++) {
      const generator = new Generator(random);
      const text = JSON.stringify(generator.value(0, true), null, documentIndex % 3 === 0 ? 2 : undefined);
      const bytes = Buffer.from(text);
      const secretPieces = new Set<string>();
      for (const secret of generator.planted) for (const piece of fragments(secret, 8)) secretPieces.add(piece);
      const full = defaultRedactor.redactJson(text).value;

      for (let cutIndex = 0; cutIndex < 8; cutIndex++) {
        const cut = Math.floor(random() * bytes.byteLength);
        // As captured with a cap equal to maxBytes (the output is then cut again), and with room to spare.
        const maxBytes = cutIndex % 2 === 0 ? Math.max(cut, 64) : 1_000_000;
        const result = defaultRedactor.redactBody(bytes.subarray(0, cut), 'application/json', {
          maxBytes,
          truncatedInput: true,
          originalBytes: bytes.byteLength,
        });
        outputs++;
        const where = `document ${documentIndex}, cut at byte ${cut} of ${bytes.byteLength}, maxBytes ${maxBytes}`;
        expect(result.rules, where).not.toContain('invalid-json');
        expect(result.value.endsWith(marker(bytes.byteLength)), where).toBe(true);
        expect(Buffer.byteLength(result.value), where).toBeLessThanOrEqual(maxBytes);
        for (const piece of fragments(result.value, 8)) {
          if (secretPieces.has(piece)) throw new Error(`${where}: a piece of a secret (${piece}) survived in ${result.value}`);
        }
        const kept = result.value.slice(0, -marker(bytes.byteLength).length);
        // What is kept is the start of the redacted whole document, except that a secret key's
        // value cut short is written as "[REDACTED]" (where the whole document may keep `null`).
        if (maxBytes > cut) {
          const agrees = full.startsWith(kept) || (kept.endsWith(REDACTED_JSON) && full.startsWith(kept.slice(0, -REDACTED_JSON.length)));
          expect(agrees, `${where}: ${kept}`).toBe(true);
        }
        if (kept.endsWith(REDACTED_JSON)) endsMasked++;
        // And it is still a valid JSON prefix.
        expect(defaultRedactor.redactBody(kept, 'application/json', { truncatedInput: true }).rules).not.toContain('invalid-json');
      }
    }
    expect(outputs).toBe(1200);
    // Many cuts fell inside (or right after) a secret key's value.
    expect(endsMasked).toBeGreaterThan(50);
  });
});
