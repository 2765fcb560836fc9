// Every family of the credential table, planted in the seven places a credential turns up in a
// recorded run, comes back masked; a family's literal with too little after it stays visible.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { defaultRedactor } from '../redactor.js';
import { ALNUM, BASE64, CREDENTIAL_RULES, DIGITS, HEX, LETTERS, UPPER, URL_SAFE, type Fill } from './credential-rules.js';
import { MAX_TRIGGER_ALTERNATIVES, triggerSource } from './value-patterns.js';

function seededFill(seed: number): Fill {
  const random = createSeededRandom(seed);
  return (alphabet, length) => {
    let out = '';
    for (let index = 0; index < length; index++) out += alphabet.charAt(Math.floor(random() * alphabet.length));
    return out;
  };
}

/** The seven places: each returns everything the redactor gave back, as one string. */
const CONTEXTS: readonly { readonly name: string; readonly redact: (secret: string) => string }[] = [
  { name: 'free text', redact: (secret) => defaultRedactor.redactText(`please use ${secret} for the deploy`).value },
  {
    name: 'chat message',
    redact: (secret) => defaultRedactor.redactJson(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `my key is ${secret}, keep it` }] })).value,
  },
  {
    name: 'tool-call arguments',
    redact: (secret) =>
      defaultRedactor.redactJson(
        JSON.stringify({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'deploy', arguments: JSON.stringify({ target: 'prod', note: secret }) } }] }),
      ).value,
  },
  {
    name: 'SSE data line',
    redact: (secret) => defaultRedactor.redactEventStream(`event: delta\ndata: ${JSON.stringify({ delta: { text: `use ${secret}` } })}\n\n`).value,
  },
  { name: 'error message', redact: (secret) => defaultRedactor.redactAttribute('exception.message', `Error: upstream rejected ${secret} (401)`).value },
  { name: 'URL query value', redact: (secret) => defaultRedactor.redactUrl(`https://search.example.com/q?q=${encodeURIComponent(`key is ${secret}`)}&page=2`).value },
  { name: 'header value', redact: (secret) => JSON.stringify(defaultRedactor.redactHeaders({ 'x-debug-note': `saw ${secret}` }).value) },
];

describe('credential table', () => {
  it('has one row per family, each with an example its own expression matches whole', () => {
    const families = new Set<string>();
    for (const [index, rule] of CREDENTIAL_RULES.entries()) {
      expect(families.has(rule.family), rule.family).toBe(false);
      families.add(rule.family);
      const example = rule.example(seededFill(index));
      expect(rule.prefixes.some((prefix) => example.includes(prefix)), rule.family).toBe(true);
      rule.regex.lastIndex = 0;
      const match = rule.regex.exec(example);
      rule.regex.lastIndex = 0;
      // The webhook rules mask the path after the host, not the whole URL.
      expect(match !== null && example.endsWith(match[0]), rule.family).toBe(true);
    }
  });

  it('keeps the trigger within the alternatives the regular expression engine scans fast', () => {
    for (const mode of ['text', 'raw-json', 'json-or-text'] as const) {
      const source = triggerSource(mode, ['session']);
      let depth = 0;
      let inClass = false;
      let alternatives = 1;
      for (let index = 0; index < source.length; index++) {
        const char = source.charAt(index);
        if (char === '\\') index++;
        else if (inClass) inClass = char !== ']';
        else if (char === '[') inClass = true;
        else if (char === '(') depth++;
        else if (char === ')') depth--;
        else if (char === '|' && depth === 0) alternatives++;
      }
      expect(alternatives).toBeLessThanOrEqual(MAX_TRIGGER_ALTERNATIVES);
    }
  });

  for (const [index, rule] of CREDENTIAL_RULES.entries()) {
    describe(rule.family, () => {
      const secret = rule.example(seededFill(1000 + index));
      // The part of the example that must go: the whole token, or the path of a webhook URL.
      const hidden = secret.includes('/hooks.slack.com/') || secret.includes('/api/webhooks/') ? secret.slice(secret.lastIndexOf('/', secret.length - 20) + 1) : secret;

      it('is reported under its own rule id', () => {
        expect(defaultRedactor.redactText(`value: ${secret} .`).rules).toContain(`pattern:${rule.family}`);
      });

      for (const context of CONTEXTS) {
        it(`is masked in ${context.name}`, () => {
          const out = context.redact(secret);
          expect(out).not.toContain(hidden);
          expect(out).not.toContain(encodeURIComponent(hidden));
        });
      }

      it('leaves its literal alone when too little follows it', () => {
        const text = `see ${rule.prefixes[0]}x1 here`;
        expect(defaultRedactor.redactText(text).value).toBe(text);
      });
    });
  }
});

describe('credential table, other shapes of a family', () => {
  const fill = seededFill(4242);
  const jwt = `eyJ${fill(URL_SAFE, 20)}.eyJ${fill(URL_SAFE, 40)}.${fill(URL_SAFE, 43)}`;
  const cases: readonly (readonly [string, string])[] = [
    ['github-token', `ghs_${fill(DIGITS, 8)}_${jwt}`],
    ['slack-token', `xoxe.xoxp-1-${fill(ALNUM, 160)}`],
    ['slack-token', `xapp-1-A${fill(UPPER + DIGITS, 10)}-${fill(DIGITS, 13)}-${fill(HEX, 64)}`],
    ['gitlab-token', `glrt-${fill(URL_SAFE, 20)}`],
    ['gitlab-token', `gldt-${fill(URL_SAFE, 20)}`],
    ['stripe-key', `sk_test_${fill(ALNUM, 24)}`],
    ['stripe-key', `rk_prod_${fill(ALNUM, 24)}`],
    ['amazon-bedrock-key', `bedrock-api-key-${fill(BASE64, 120)}`],
    ['huggingface-token', `api_org_${fill(LETTERS, 34)}`],
    ['aws-access-key', `ACCA${fill(UPPER + DIGITS, 16)}`],
    ['aws-access-key', `ASIA${fill(UPPER + DIGITS, 16)}`],
    ['hashicorp-vault-token', `hvb.${fill(URL_SAFE, 140)}`],
    ['shopify-token', `shpss_${fill(HEX, 32)}`],
  ];
  for (const [family, secret] of cases) {
    it(`masks ${secret.slice(0, 10)}… as ${family}`, () => {
      const { value, rules } = defaultRedactor.redactText(`token ${secret} end`);
      expect(value).toBe('token [REDACTED] end');
      expect(rules).toContain(`pattern:${family}`);
    });
  }
});
