// Over-redaction at scale: thousands of generated texts that hold no credential — identifiers,
// digests, model names, numbers under secret-sounding names, code, prose about keys and tokens,
// inline images — go through the default redactor as free text, as a chat message in JSON and as
// tool-call arguments. None may change. The counts per kind are reported in the core README.
import { createSeededRandom } from '@runtrace/testkit';
import { describe, expect, it } from 'vitest';
import { defaultRedactor } from '../redactor.js';

type Random = () => number;

const HEX = '0123456789abcdef';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64 = `${ALNUM}+/`;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function chars(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

const uuid = (random: Random): string =>
  `${chars(random, HEX, 8)}-${chars(random, HEX, 4)}-4${chars(random, HEX, 3)}-${pick(random, ['8', '9', 'a', 'b'])}${chars(random, HEX, 3)}-${chars(random, HEX, 12)}`;

const WORDS =
  'the model answered with a short summary of the build log and then listed every failing test in the nightly run including retries timeouts and error handling for each call please keep the answer brief'.split(' ');
const prose = (random: Random, length: number): string => Array.from({ length }, () => pick(random, WORDS)).join(' ');

const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'claude-sonnet-4-5', 'claude-3-5-haiku', 'gemini-2.5-flash', 'mistral-large', 'llama-3.3-70b-instruct', 'deepseek-chat', 'grok-4'];
const SECRET_WORDS = ['token', 'key', 'secret', 'password', 'auth', 'credential', 'api_key', 'access_token', 'session'];
const PLAIN_VALUES = ['true', 'false', 'null', 'none', 'strict', 'bearer', 'required', 'disabled', 'rotate weekly', 'see the vault', '300', '4096', '0.7'];

/** Each kind: a name and a generator of one text that holds no credential. */
const KINDS: readonly (readonly [string, (random: Random) => string])[] = [
  ['UUIDs', (random) => `request ${uuid(random)} failed, retried as ${uuid(random)}`],
  ['trace and span ids', (random) => `trace_id=${chars(random, HEX, 32)} span_id=${chars(random, HEX, 16)}`],
  ['git commits', (random) => `fixed in commit ${chars(random, HEX, 40)} (short ${chars(random, HEX, 7)})`],
  ['SHA-256 and MD5 digests', (random) => `sha256:${chars(random, HEX, 64)} md5 ${chars(random, HEX, 32)}`],
  ['model names with dates', (random) => `${pick(random, MODELS)}-20${10 + int(random, 16)}-${String(1 + int(random, 12)).padStart(2, '0')}-${String(1 + int(random, 28)).padStart(2, '0')} answered`],
  ['versions, dates and addresses', (random) => `v${int(random, 20)}.${int(random, 50)}.${int(random, 100)} released 2026-${String(1 + int(random, 12)).padStart(2, '0')}-0${1 + int(random, 9)}T12:${10 + int(random, 49)}:00Z from 10.${int(random, 255)}.${int(random, 255)}.${int(random, 255)}:${1024 + int(random, 60000)}`],
  ['secret-sounding names with plain values', (random) => `${pick(random, SECRET_WORDS)}_${pick(random, ['count', 'limit', 'mode', 'type', 'ttl', 'enabled', 'used'])} = ${pick(random, PLAIN_VALUES)}`],
  ['prose about keys and tokens', (random) => `The ${pick(random, SECRET_WORDS)} expired, so ${prose(random, 8)}; the ${pick(random, ['token limit', 'key rotation', 'password policy', 'auth flow'])} is documented.`],
  ['code with secret-sounding identifiers', (random) => `const ${pick(random, ['apiKey', 'authToken', 'secretName', 'passwordField'])}${int(random, 99)} = process.env.${pick(random, ['OPENAI_API_KEY', 'DB_PASSWORD', 'AUTH_TOKEN'])}; if (!${pick(random, ['hasToken', 'isAuthorized'])}()) throw new Error("missing");`],
  ['file paths and URLs without credentials', (random) => `open /home/${pick(random, ['ada', 'lin', 'sam'])}/src/${chars(random, 'abcdefgh', 6)}_${int(random, 99)}.ts and https://docs.example.com/${chars(random, 'abcdefgh', 5)}/${int(random, 999)}?page=${int(random, 9)}#section-${int(random, 9)}`],
  ['inline images (data URLs)', (random) => `data:image/png;base64,iVBORw0KGgo${chars(random, B64, 200 + int(random, 400))}==`],
  ['hex colours and CSS', (random) => `color: #${chars(random, HEX, 6)}; background: #${chars(random, HEX, 3)}; width: ${int(random, 900)}px`],
  ['public keys (SSH, PEM)', (random) => pick(random, [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${chars(random, B64, 43)} ada@laptop`, `-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${chars(random, B64, 64)}\n${chars(random, B64, 64)}\n-----END PUBLIC KEY-----`])],
  // A word assigned to a secret name (`password=changeme`, `password=your-api-key-here`) is masked
  // on purpose: it may be the password. References, masks and bracketed placeholders are not.
  ['references, masks and bracketed placeholders', (random) => `${pick(random, ['OPENAI_API_KEY', 'api_key', 'token', 'password'])}${pick(random, ['=', ': ', ' = '])}${pick(random, ['<your-api-key>', 'xxxxxxxxxxxxxxxx', '********', '${API_KEY}', '$DB_PASSWORD', '%TOKEN%', 'process.env.API_KEY', '[REDACTED]'])}`],
  ['snake_case identifiers with prefixes', (random) => `${pick(random, ['pdf', 'npm', 'hf', 'sk', 'gh', 'ak', 'xox'])}_${pick(random, ['file', 'install', 'transfer', 'learn', 'pages', 'runner', 'o'])}_${int(random, 50)}`],
];

const PER_KIND = 300;

describe('over-redaction: generated texts with no credential stay byte-identical', () => {
  const random = createSeededRandom(0x5eed);
  const changed = new Map<string, string[]>();
  for (const [kind, generate] of KINDS) {
    const examples: string[] = [];
    for (let index = 0; index < PER_KIND; index++) {
      const text = generate(random);
      const asText = defaultRedactor.redactText(text).value;
      const message = JSON.stringify({ role: 'user', content: text });
      const asMessage = defaultRedactor.redactJson(message).value;
      const argumentsJson = JSON.stringify({ query: text, limit: 20 });
      const asArguments = defaultRedactor.redactAttribute('gen_ai.tool.call.arguments', argumentsJson).value;
      if (asText !== text || asMessage !== message || asArguments !== argumentsJson) examples.push(text);
    }
    changed.set(kind, examples);
  }

  it('the check sees a change: the same three contexts with a provider key planted change every time', () => {
    const control = createSeededRandom(7);
    for (let index = 0; index < 50; index++) {
      const text = `${prose(control, 5)} ${['sk', 'proj', chars(control, ALNUM, 48)].join('-')} ${prose(control, 3)}`;
      const message = JSON.stringify({ role: 'user', content: text });
      expect(defaultRedactor.redactText(text).value).not.toBe(text);
      expect(defaultRedactor.redactJson(message).value).not.toBe(message);
      expect(defaultRedactor.redactAttribute('gen_ai.tool.call.arguments', JSON.stringify({ query: text })).value).not.toContain('sk-proj-');
    }
  });

  for (const [kind] of KINDS) {
    it(`${PER_KIND} ${kind}: none changed, as text, in a chat message or in tool-call arguments`, () => {
      expect(changed.get(kind)!.slice(0, 3)).toEqual([]);
    });
  }
});
