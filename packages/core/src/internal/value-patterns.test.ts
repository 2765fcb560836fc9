// Context rules (a credential known by what surrounds it) and what must stay visible.
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '@runtrace/testkit';
import { defaultRedactor } from '../redactor.js';
import { ALNUM, BASE64, HEX, LOWER } from './credential-rules.js';
import { looksGenerated } from './value-patterns.js';

const random = createSeededRandom(7);
function fill(alphabet: string, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += alphabet.charAt(Math.floor(random() * alphabet.length));
  return out;
}
/** A password-like value: mixed case and digits, so it looks generated. */
function password(): string {
  return `Pw${fill(ALNUM, 10)}7`;
}

function redacted(text: string): string {
  return defaultRedactor.redactText(text).value;
}

describe('context rules', () => {
  it('masks a whole value that holds a # in free text, and keeps a URL fragment', () => {
    const tail = fill(ALNUM, 10);
    expect(redacted(`DB_PASSWORD=Xk9#${tail}`)).toBe('DB_PASSWORD=[REDACTED]');
    expect(redacted(`user=ann&password=ab#${tail}&next=1`)).toBe('user=ann&password=[REDACTED]&next=1');
    expect(redacted(`see https://x.example/cb?token=${tail}#section now`)).toBe('see https://x.example/cb?token=[REDACTED]#section now');
    // A parameter after the `#` is a parameter of its own.
    expect(redacted(`next=/home#sig=${tail}`)).toBe('next=/home#sig=[REDACTED]');
    expect(redacted(`state=1#X-Amz-Signature=${tail}`)).toBe('state=1#X-Amz-Signature=[REDACTED]');
  });

  it('masks credentials given to curl, wget and HTTPie on a command line', () => {
    const secret = password();
    for (const line of [
      `curl -u admin:${secret} https://api.example.com/v1`,
      `curl --user 'admin:${secret}' https://api.example.com/v1`,
      `curl -s --user=admin:${secret} https://api.example.com/v1`,
      `wget --http-password=${secret} https://files.example.com/a.tar`,
      `http -a admin:${secret} POST api.example.com/v1`,
    ]) {
      const out = redacted(line);
      expect(out, line).not.toContain(secret);
      expect(out).toContain('[REDACTED]');
    }
  });

  it('still masks what only looks like a reference or a template at first sight', () => {
    const secret = password();
    for (const line of [
      // A secret-named query parameter holding a JSON object is masked whole, by its name.
      `https://h.example.com/cb?token=${encodeURIComponent(JSON.stringify({ session: secret }))}`,
      // A password next to a variable user name, and a generated API key given as the user.
      `curl -u "$USER:${secret}" https://h.example.com/`,
      `curl -u ${secret}${secret}: https://h.example.com/`,
      // A value that merely ends like a member of another name.
      `session_token = ${secret}.other_token`,
    ]) {
      expect(redacted(line), line).not.toContain(secret);
    }
  });

  it('leaves -u alone outside a command that takes credentials', () => {
    expect(redacted('git add -u src/index.ts')).toBe('git add -u src/index.ts');
  });

  it('masks an AWS secret access key on the same line as its key id, before or after it', () => {
    const id = `AKIA${fill('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
    const secret = `${fill(BASE64, 19)}Ab${fill(BASE64, 19)}`;
    for (const line of [`aws configure set ${id} ${secret}`, `creds ${secret} for ${id}`]) {
      const out = redacted(line);
      expect(out).not.toContain(secret);
      expect(out).not.toContain(id);
    }
  });

  it('keeps a 40-character hex digest next to a key id (not mixed-case base64)', () => {
    const id = `AKIA${fill('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
    const digest = fill(HEX, 40);
    expect(redacted(`${id} commit ${digest}`)).toBe(`[REDACTED] commit ${digest}`);
  });

  it('masks a PGP private key block', () => {
    const body = fill(BASE64, 64);
    const block = `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n=${fill(BASE64, 4)}\n-----END PGP PRIVATE KEY BLOCK-----`;
    const { value, rules } = defaultRedactor.redactText(`key:\n${block}\nend`);
    expect(value).toBe('key:\n[REDACTED]\nend');
    expect(rules).toEqual(['pattern:private-key']);
  });

  it('masks Token, Basic and Bearer auth schemes', () => {
    const token = fill(ALNUM, 30);
    expect(redacted(`Authorization: Token ${token}`)).toBe('Authorization: Token [REDACTED]');
    expect(redacted(`sent header Token ${token}`)).toBe('sent header Token [REDACTED]');
    const basic = Buffer.from(`admin:${password()}`).toString('base64');
    expect(redacted(`retrying with Basic ${basic}`)).toBe('retrying with Basic [REDACTED]');
  });

  it('keeps "token" and "basic" as words', () => {
    for (const text of ['the token limit was reached after 4096 tokens', 'a basic example follows', 'Basic information about tokenization']) {
      expect(redacted(text)).toBe(text);
    }
  });

  it('masks assignments whose name holds a secret word anywhere', () => {
    const secret = password();
    for (const line of [
      `some_api_token_123 = "${secret}"`,
      `creds = ${secret}`,
      `"user_auth": "${secret}"`,
      `getenv("api_token", "${secret}")`,
      `config.set('db_password', '${secret}')`,
      `export STRIPE_SECRET_KEY=${secret}`,
      `DATABASE_PASSWORD=${secret}\nDEBUG=true`,
    ]) {
      expect(redacted(line), line).not.toContain(secret);
    }
  });

  it('keeps counters and settings whose name only mentions a secret word', () => {
    for (const line of ['token_count = 12', 'auth_mode: strict', 'max_tokens: 300', 'author: Jane', 'tokens_used=44', 'the monkey: banana']) {
      expect(redacted(line)).toBe(line);
    }
  });

  it('masks the password of every common database and broker connection string', () => {
    const secret = password();
    for (const url of [
      `postgres://app:${secret}@db.internal:5432/main`,
      `postgresql://app:${secret}@db.internal/main?sslmode=require`,
      `mysql://root:${secret}@127.0.0.1:3306/shop`,
      `mongodb+srv://app:${secret}@cluster0.example.net/test?retryWrites=true`,
      `redis://:${secret}@cache:6379/0`,
      `rediss://default:${secret}@cache:6380`,
      `amqp://guest:${secret}@rabbit:5672/vhost`,
      `jdbc:postgresql://db:5432/main?user=app&password=${secret}`,
      `jdbc:mysql://db:3306/shop?user=root&password=${secret}`,
      `jdbc:sqlserver://db:1433;databaseName=main;user=sa;password=${secret};encrypt=true`,
      `Server=db;Database=main;User Id=sa;Password=${secret};`,
      `jdbc:oracle:thin:scott/${secret}@db:1521/ORCL`,
    ]) {
      expect(redacted(`connecting to ${url} failed`), url).not.toContain(secret);
    }
  });
});

describe('decoding before scanning', () => {
  it('percent-decodes query values, masks inside, and writes the value back encoded', () => {
    const key = `sk-ant-api03-${fill(ALNUM, 40)}`;
    const out = defaultRedactor.redactUrl(`https://h.example/search?q=key%20is%20${key}&page=2`).value;
    expect(out).toBe('https://h.example/search?q=key%20is%20%5BREDACTED%5D&page=2');
    expect(new URL(out).searchParams.get('q')).toBe('key is [REDACTED]');
  });

  it('decodes a connection string hidden in a query value', () => {
    const secret = password();
    const encoded = encodeURIComponent(`mongodb://app:${secret}@h/db`);
    const out = defaultRedactor.redactUrl(`https://h.example/debug?dsn=${encoded}&x=1`).value;
    expect(out).not.toContain(secret);
    expect(new URL(out).searchParams.get('dsn')).toBe('mongodb://h/db');
  });

  it('decodes form bodies, with + as a space, and keeps their encoding style', () => {
    const token = `hf_${fill('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34)}`;
    const { value, kind } = defaultRedactor.redactBody(`a=1&note=use+${token}+now`, 'application/x-www-form-urlencoded');
    expect(kind).toBe('form');
    expect(value).toBe('a=1&note=use+%5BREDACTED%5D+now');
  });

  it('decodes JSON string escapes that spell a token', () => {
    const rest = fill(LOWER, 30);
    const { value } = defaultRedactor.redactJson(`{"note":"gl\\u0070at-${rest}"}`);
    expect(value).toBe('{"note":"[REDACTED]"}');
  });

  it('leaves encoded text that decodes to nothing secret byte-identical', () => {
    const url = 'https://h.example/search?q=caf%C3%A9%20au%20lait&tags=a+b';
    expect(defaultRedactor.redactUrl(url).value).toBe(url);
  });
});

describe('over-redaction', () => {
  it('keeps prose, code, UUIDs, hashes, model names and scanner false-positive shapes visible', () => {
    const texts = [
      'The risk-free task-list of the desk-lamp vendor was a key-value store.',
      'model gpt-4o-2024-08-06, claude-3-5-sonnet-20241022, gemini-1.5-pro-002, mistral-large-latest',
      'request id 123e4567-e89b-12d3-a456-426614174000, trace 4bf92f3577b34da6a3ce929d0e0e4736',
      'commit 3f786850e387550fdab836ed7e6dc881de23001b, sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'const apiKeyName = process.env.API_KEY_NAME; function getToken() { return cache.get(key); }',
      'pdf_file, self_hosted, github_actions, npm_install, sk_learn, hf_transfer, xoxo-hugs, api_org_chart',
      'see https://docs.example.com/v1/auth?lang=en#tokens and https://github.com/org/repo/pull/12',
      'The ABSK team met the AKIA group; SKU SK-1234 and EAAC rules; LTAI is not a key; dapi docs.',
      'password: ${DB_PASSWORD}, token: <your-token-here>, api_key = os.environ["OPENAI_API_KEY"]',
    ];
    for (const text of texts) expect(redacted(text), text).toBe(text);
  });

  it('keeps code where a value would stand: comparisons, arrows, types, await, calls and members of settings', () => {
    const lines = [
      "if (token === undefined || secret == null) return tokens.filter((token) => token !== '');",
      'export function verifyToken(token: string, secret?: Buffer): boolean {',
      'password: str, api_key: int | None = None',
      'authorization: string | undefined; keys: string[];',
      'const token = await getAccessToken(config);',
      'const token = getToken(); const secret = crypto.randomBytes(32).toString("hex");',
      'auth = HTTPBasicAuth(user, password); password = input("Password: ")',
      'const authorization = call.metadata.get("authorization")[0];',
      'token = self._token; apiKey = options.apiKey; secret = config.client_secret',
      'const key = new Map(); const secretKey = typeof value;',
    ];
    for (const line of lines) expect(redacted(line), line).toBe(line);
  });

  it('still masks values that only sit next to code shapes', () => {
    const rest = fill(ALNUM, 24);
    const cases: [string, string][] = [
      ['password = Summer(2024)', 'password = [REDACTED]'],
      ['password = Summer2024(x)', 'password = [REDACTED]'],
      ['password = dKCrvNAdpTh(x)', 'password = [REDACTED]'],
      ['password=x', `password=[REDACTED]`],
      ['password=!^*~', `password=[REDACTED]`],
      ['db_password = letmein', `db_password = [REDACTED]`],
      ['api_key: stringly', `api_key: [REDACTED]`],
      ['token = awaited', `token = [REDACTED]`],
      [`secret = self${rest}`, `secret = [REDACTED]`],
      [`token: ${rest}(x)`, `token: [REDACTED]`],
    ];
    for (const [input, output] of cases) expect(redacted(input), input).toBe(output);
  });

  it('judges a value generated only when it mixes character kinds', () => {
    expect(looksGenerated('strict')).toBe(false);
    expect(looksGenerated('12345678')).toBe(false);
    expect(looksGenerated('Ab12Cd34Ef')).toBe(true);
  });
});
