// Built-in value patterns for free text: the credential table, context rules (curl flags, a key
// id's secret, connection strings, auth schemes, assignments), and the quick trigger built from them.
import { Buffer } from 'node:buffer';
import { CREDENTIAL_RULES } from './credential-rules.js';

/**
 * A value pattern. When the regular expression has a named group `secret`, only that group is
 * replaced (the `pre` group, if any, is kept in front of the placeholder); otherwise the whole
 * match is.
 */
export interface CompiledPattern {
  /** Rule id reported when the pattern fires, `pattern:<name>`. */
  readonly rule: string;
  /** Global regular expression. */
  readonly regex: RegExp;
  /** Cheap test run before the regular expression; skip the pattern when it returns false. */
  readonly hint?: (text: string) => boolean;
  /**
   * A last check of a match (its `secret` group, or the whole match), with the named groups:
   * false leaves it as it was. For rules whose context alone is not proof enough.
   */
  readonly accept?: (secret: string, groups: Readonly<Record<string, string | undefined>>) => boolean;
  /** Which trigger hits make this pattern worth running (see {@link TriggerHits}); user patterns always run. */
  readonly family: number;
}

/** Bits telling which kinds of trigger a text hit, so only the rules that can fire are run. */
export const TriggerHits = {
  /** A literal of the credential table or of a context rule (`sk-`, `glpat-`, `-----BEGIN`, `--user`). */
  FORMAT: 1,
  /** An auth scheme followed by a space: `Bearer `, `Basic `, `Token `. */
  BEARER: 2,
  URL: 4,
  /** A secret-ish word followed by `:`, `=`, or a quote and `,` (a call's arguments). */
  ASSIGNMENT: 8,
  /** Every built-in kind. */
  ALL: 15,
  /** User patterns: they have no trigger, so they always run. */
  USER: 16,
  /** A `\\u` escape in raw JSON: the decoded text must be checked again. */
  ESCAPE: 32,
} as const;

/**
 * The trigger-hit bit of a trigger match. Single characters are literal hits (`:`, `=` and `,`
 * end an assignment, anything else is a format literal's key character); longer matches are
 * URLs (`:` first), escapes (`\`) or auth schemes.
 */
export function triggerHit(match: string): number {
  const first = match.charCodeAt(0);
  if (match.length === 1) {
    return first === 0x3a /* : */ || first === 0x3d /* = */ || first === 0x2c /* , */ ? TriggerHits.ASSIGNMENT : TriggerHits.FORMAT;
  }
  if (first === 0x3a /* : */) return TriggerHits.URL;
  if (first === 0x5c /* \\ */) return TriggerHits.ESCAPE;
  return TriggerHits.BEARER;
}

// Key words of a name whose value is secret (`DB_PASSWORD`, `aws_secret_access_key`,
// `GITHUB_TOKEN`, `user_auth`, `creds`, `_authToken`). Each starts a segment of the name; the
// long words may also end a camelCase one (`dbPassword`, `clientSecret`).
const ASSIGNMENT_WORDS =
  '(?:[A-Za-z0-9]*(?:password|passwd|passphrase|secrets?|credentials?)|(?:(?:api|access|secret|private|auth|client)[_-]?)key|(?:(?:api|access|auth|refresh|session|bearer|id|client)[_-]?)?token|apikey|creds?|pwd|auth|authorization)';

/**
 * Whether a value looks generated rather than written: at least 8 characters, not a number,
 * mixing two of lower case, upper case and digits. Used where the name alone is weak evidence
 * (`token_count = 12`, `auth_mode: strict` stay visible).
 */
export function looksGenerated(value: string): boolean {
  if (value.length < 8 || /^[\d.,_-]+$/.test(value)) return false;
  const classes = Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/\d/.test(value));
  return classes >= 2;
}

/**
 * Whether a command line's `user:password` (or a password flag's value) holds a credential: a
 * password written out, or a user name alone that looks generated (an API key given as the
 * user). A user name alone (`-u alice`, `--user a@example.com`), an empty pair (`-u :`) and
 * passwords that name where the secret lives (`$PASS`, `${{ secrets.X }}`, `$(cat pw.txt)`,
 * `{{ .Values.password }}`, `<password>`, `[PASSWORD]`) stay visible.
 */
function isCommandLineCredential(value: string, flag: string): boolean {
  // Wholly a placeholder: `<user:password>`, `[credentials]`.
  if (/^(?:<[^>]*>|\[[^\]]*\])$/.test(value)) return false;
  const passwordOnly = flag === '--password' || flag === '--http-password';
  const colon = value.indexOf(':');
  const user = passwordOnly ? '' : colon === -1 ? value : value.slice(0, colon);
  const password = passwordOnly ? value : colon === -1 ? '' : value.slice(colon + 1);
  if (password !== '') return !isReferenceOrPlaceholder(password);
  return !isReferenceOrPlaceholder(user) && user.length >= 16 && looksGenerated(user);
}

/** A reference to where a value lives, or a placeholder for it: not the value. */
function isReferenceOrPlaceholder(value: string): boolean {
  return /^(?:\$|%[A-Za-z_]|\{\{|<[^>]*>?$|\[[^\]]*\]?$)/.test(value);
}

/** Whether a `Basic` credential decodes to `user:password`, so a base64 word that is not one stays. */
function isBasicCredential(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  // eslint-disable-next-line no-control-regex
  return decoded.includes(':') && !/[\u0000-\u001f\u007f-\u009f]/.test(decoded);
}

/** One built-in pattern with the literals its trigger is built from. */
interface BuiltInPattern extends CompiledPattern {
  /** Literals every match contains (FORMAT rules only): the trigger and the hint come from them. */
  readonly prefixes?: readonly string[];
}

const AWS_KEY_ID = '(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}';
const AWS_SECRET = '(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])';
const AWS_KEY_PREFIXES = ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'];

function formatPattern(rule: string, prefixes: readonly string[], regex: RegExp, accept?: CompiledPattern['accept']): BuiltInPattern {
  return { rule: `pattern:${rule}`, family: TriggerHits.FORMAT, regex, prefixes, ...(accept === undefined ? {} : { accept }) };
}

/** Built-in patterns, in the order they run (specific formats before generic ones). */
const PATTERNS: readonly BuiltInPattern[] = [
  // PEM keys and PGP private key blocks; a block cut short (no END line) is masked to the end of the text.
  formatPattern(
    'private-key',
    ['-----BEGIN'],
    /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  ),
  // An AWS secret access key on the same line as its key id (before or after it). Runs before
  // the key id is masked, which would hide the context. Secrets are mixed-case base64, so a
  // 40-character hex digest on that line stays.
  formatPattern(
    'aws-secret-key',
    AWS_KEY_PREFIXES,
    // The secret's shape is matched first, so the look around it runs only where one stands.
    new RegExp(`${AWS_SECRET}(?:(?<=${AWS_KEY_ID}[^\\n]{0,200}?[A-Za-z0-9/+]{40})|(?=[^\\n]{0,200}?${AWS_KEY_ID}))`, 'g'),
    (secret) => /[a-z]/.test(secret) && /[A-Z]/.test(secret),
  ),
  ...CREDENTIAL_RULES.map((entry) => formatPattern(entry.family, entry.prefixes, entry.regex, entry.accept === undefined ? undefined : (secret) => entry.accept!(secret))),
  // Credentials given to curl, wget, HTTPie or xh on a command line: `curl -u user:pass`, `--user 'u:p'`.
  formatPattern(
    'command-line-credentials',
    ['-u', '-a', '--user', '--password', '--proxy-user', '--http-user', '--http-password', '--auth'],
    /(?<=(?<![A-Za-z0-9_-])(?:curl|wget|https?|xh)(?:\s[^\n]*?)?\s(?<flag>-u|-a|--user|--password|--proxy-user|--http-user|--http-password|--auth)(?:\s+|=)(?:\\?["'])?)[^\s"'\\]+/g,
    (value, groups) => isCommandLineCredential(value, groups.flag ?? ''),
  ),
  {
    // Oracle's JDBC URL carries `user/password@host` without a scheme's `//`; the trigger's URL
    // alternative fires on its `jdbc:oracle:`.
    rule: 'pattern:connection-string',
    family: TriggerHits.URL,
    regex: /(?<=jdbc:oracle:[a-z]+:[^\s/:@"']+\/)[^\s@"'/]+(?=@)/g,
    hint: (text) => text.includes('jdbc:oracle:'),
  },
  {
    rule: 'pattern:bearer',
    family: TriggerHits.BEARER,
    // `Token` is also an English word, so its value must look generated.
    regex: /(?<![A-Za-z0-9])(?<pre>(?<scheme>bearer|token)\s+)(?<secret>[A-Za-z0-9\-._~+/]{8,}=*)/gi,
    hint: (text) => /earer|EARER|oken|OKEN/.test(text),
    accept: (secret, groups) => groups.scheme?.toLowerCase() !== 'token' || (secret.length >= 16 && looksGenerated(secret)),
  },
  {
    rule: 'pattern:basic-auth',
    family: TriggerHits.BEARER,
    // Decoded to check it: only a base64 `user:password` is a Basic credential.
    regex: /(?<![A-Za-z0-9])(?<pre>basic\s+)(?<secret>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
    hint: (text) => /asic|ASIC/.test(text),
    accept: (secret) => isBasicCredential(secret),
  },
  {
    rule: 'pattern:assignment',
    family: TriggerHits.ASSIGNMENT,
    // `password=…`, `api_key: …`, `"client_secret": "…"`, `some_api_token_123 = "…"`,
    // `Authorization: Basic …` in free text and `.env` lines. The match starts at `:` or `=`
    // (the name is looked behind for), which keeps it fast. When the word is not the name's
    // last segment (`token_count`), the value must look generated.
    regex: new RegExp(
      `(?<=(?<![A-Za-z0-9])(?<name>(?:[A-Za-z0-9]+[_.-])*${ASSIGNMENT_WORDS}(?<tail>(?:[_.-][A-Za-z0-9]+)*))(?:\\\\?["'])?\\s*)(?<pre>[:=]\\s*(?:\\\\?["'])?(?:(?:bearer|basic|token|digest)\\s+)?)(?<secret>[^\\s"'\`,;&<>\\\\]+)`,
      'gi',
    ),
    hint: (text) => text.includes(':') || text.includes('='),
    accept: (secret, groups) =>
      !isSelfReference(secret, groups.name) &&
      !isNextAssignment(secret, groups.pre) &&
      !isCodeValue(secret, groups.pre) &&
      ((groups.tail ?? '') === '' || looksGenerated(secret)),
  },
  {
    rule: 'pattern:assignment',
    family: TriggerHits.ASSIGNMENT,
    // A call given a secret's name and a value: `getenv("api_token", "…")`, `set('password', '…')`.
    regex: new RegExp(
      `(?<=(?<![A-Za-z0-9])(?:[A-Za-z0-9]+[_.-])*${ASSIGNMENT_WORDS}(?<tail>(?:[_.-][A-Za-z0-9]+)*)\\\\?["'])(?<pre>\\s*,\\s*\\\\?["'])(?<secret>[^\\s"'\`\\\\]+)`,
      'gi',
    ),
    hint: (text) => text.includes(','),
    accept: (secret, groups) => (groups.tail ?? '') === '' || looksGenerated(secret),
  },
];

export const BUILT_IN_PATTERNS: readonly CompiledPattern[] = PATTERNS;

/**
 * A reference to where a secret lives, not the secret: `${DB_PASSWORD}`, `$TOKEN`, `%API_KEY%`,
 * `$(cat token.txt)`, `{{ .Values.password }}`, `{base64(user:pass)}`, `os.environ[…]`,
 * `process.env.…`. Masking it would hide code, not a credential.
 */
const SECRET_REFERENCE = /^(?:\$\{?[A-Za-z_]|\$\(|\{\{|\{[A-Za-z_][\w.]*[(}]|%[A-Za-z_][A-Za-z0-9_]*%$|(?:os\.environ|os\.getenv|process\.env|import\.meta\.env)(?![A-Za-z0-9_]))/;

/** An auth scheme's name standing where a value would (`Authorization: Bearer <token>`), and flags of one or two digits. */
const PLAIN_WORD = /^(?:bearer|basic|digest|token|negotiate|\d{1,2})$/i;

/**
 * An empty assignment followed, on the next line, by the next one (`API_KEY=` then
 * `OTHER_KEY=`): the "value" found after the line break is the next name.
 */
function isNextAssignment(value: string, pre: string | undefined): boolean {
  return pre !== undefined && pre.includes('\n') && /[:=]$/.test(value);
}

/**
 * A value that names the same thing as the name it is given to, a member of some module:
 * `key_length = XSalsa20.key_length`, `KeyPair = X25519.KeyPair`.
 */
function isSelfReference(value: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  const dot = value.lastIndexOf('.');
  return dot > 0 && value.length - dot - 1 === name.length && value.slice(dot + 1).toLowerCase() === name.toLowerCase();
}

/** Type names that stand after a `:` in a declaration (TypeScript, Python), not values. */
const TYPE_NAME =
  /^(?:string|number|boolean|bigint|symbol|object|unknown|any|never|void|str|int|float|bool|bytes|dict|list|tuple|Buffer|String|Number|Boolean|Uint8Array)(?:\[\])*(?:\|[A-Za-z_$][\w$]*(?:\[\])*)*[?)\]:]*$/;

/**
 * A member of an object code reads a setting from, where a value would stand (`self._token`,
 * `options.apiKey`, `config.secret`): a name, not the secret.
 */
const MEMBER = /^(?:self|this|cls|ctx|context|options|opts|config|cfg|settings|params|args|kwargs|props|req|request|res|response|state)(?:\.[A-Za-z_$][\w$]*)+[?)\]:;]*$/;

/** Keywords that stand where a value would, before an expression: `const token = await fetchToken()`. */
const VALUE_KEYWORD = /^(?:await|new|typeof|yield|function|lambda)$/;

/** A method called on a dotted path, with anything after: `call.metadata.get(`, `crypto.randomBytes(32).toString(`. */
const METHOD_CALL = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\(/;

/**
 * A function called with nothing or with a name (`getToken()`, `HTTPBasicAuth(user`, `input(`),
 * whose name is made of words: lower case or snake case, camel case, or Pascal case after an
 * acronym. A generated value followed by `(` mixes digits or runs of capitals in, so
 * `Summer2024(x)` and `dKCrvNAdpTh(x)` are values.
 */
const FUNCTION_CALL = /^(?:[a-z]+(?:[A-Z][a-z]+|_[a-z]+)*|[A-Z]*[A-Z][a-z]+(?:[A-Z][a-z]+)*)\((?:\)|[A-Za-z_$][\w$.]*\)?)?$/;

/**
 * Code that the assignment rule would read as a name given a value:
 * - a comparison or an arrow (`token === undefined`, `token => …`): the "value" begins with the
 *   operator's second character;
 * - brackets and stops alone (`)` after `input("Password: "`); other symbols may be a password;
 * - a type name after `:` (`password: string`, `token: str`);
 * - a keyword that begins an expression (`await`, `new`);
 * - a call ({@link METHOD_CALL}, {@link FUNCTION_CALL}), or a member of a settings object
 *   ({@link MEMBER}).
 * A plain word is still masked, however short (`password=changeme`, `password=x` may be the
 * password).
 */
function isCodeValue(value: string, pre: string | undefined): boolean {
  if (CODE_VALUE.test(value)) return true;
  return pre?.startsWith(':') === true && TYPE_NAME.test(value);
}

/**
 * The kinds of {@link isCodeValue} that need no context, as one expression: a match is tried
 * for every name the assignment rule finds, and in source code that is every other line.
 */
const CODE_VALUE = new RegExp(
  `^(?:[=>]|[()[\\]{}.:;]+$|${[VALUE_KEYWORD, METHOD_CALL, FUNCTION_CALL, MEMBER].map((regex) => `(?:${regex.source.slice(1)})`).join('|')})`,
);

/** A value written as a mask: one character repeated (`********`, `xxxxxxxx`), which no credential is. */
const MASK_RUN = /^([*xX•.#])\1{2,}$/;

/** Values the assignment rule leaves alone: already masked, a reference to a secret, or not a value at all. */
export function isInertValue(value: string): boolean {
  return (
    value.startsWith('[REDACTED') ||
    SECRET_REFERENCE.test(value) ||
    PLAIN_WORD.test(value) ||
    MASK_RUN.test(value) ||
    value === 'null' ||
    value === 'undefined' ||
    value === 'true' ||
    value === 'false' ||
    value === '{' ||
    value === '['
  );
}

/**
 * URLs inside text that could need a change: from `://` (also JSON-escaped `:\/\/`) up to
 * whitespace or a quote, holding an `@` (userinfo) or an `=` (parameters). The scheme is not
 * part of the match, which keeps the scan fast.
 */
export const URL_IN_TEXT = /:(?:\/\/|\\\/\\\/)[^\s"'<>`@=]*[@=][^\s"'<>`]*/g;

/** `name=value` after `?`, `&`, `;`, `#` or at the start of text: query strings and form bodies. */
export const QUERY_PARAM_IN_TEXT = /(^|[?&;#])([^=&\s#?;"'<>]{1,128})=([^&\s#"'<>]*)/g;

/**
 * The same in free text, where a `#` belongs to the value (`DB_PASSWORD=Xk9#mP2vL` in an `.env`
 * line) unless what follows it is another parameter (`next=/home#sig=…`, an OAuth fragment's
 * `#access_token=…`). In a URL or a bare query string a `#` begins the fragment; URLs in free
 * text are redacted before this pass.
 */
export const QUERY_PARAM_IN_FREE_TEXT = /(^|[?&;#])([^=&\s#?;"'<>]{1,128})=([^&\s#"'<>]*(?:#(?![^&\s#"'<>]*=)[^&\s#"'<>]*)*)/g;

/** A case-insensitive spelling of a lower-case word without the `i` flag (which would slow the trigger down). */
function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (char) => `[${char}${char.toUpperCase()}]`);
}

const TRIGGER_WORD_LIST = ['pass', 'pwd', 'secret', 'cred', 'key', 'token', 'auth', 'sig'];
const TRIGGER_WORDS = `(?:${TRIGGER_WORD_LIST.map(anyCase).join('|')})`;

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Separators inside token prefixes (`glpat-`, `hf_`, `hvs.`), rarer in prose than letters. */
const SEPARATORS = new Set(['-', '_', '.']);
/** Characters the trigger may not key a literal on: they mark assignments, URLs and escapes. */
const RESERVED_KEYS = new Set([':', '=', ',', '\\', '%']);

interface TrieNode {
  end: boolean;
  readonly next: Map<string, TrieNode>;
}

/**
 * A regular expression matching any of `words`, factored on shared beginnings (or, with
 * `fromEnd`, shared endings, for a lookbehind): each step is then one character test.
 */
function trieSource(words: readonly string[], fromEnd: boolean): string {
  const root: TrieNode = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const char of fromEnd ? [...word].reverse() : word) {
      let child = node.next.get(char);
      if (child === undefined) node.next.set(char, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const emit = (node: TrieNode): string => {
    // A shorter word ending here already decides; longer ones need not be told apart.
    if (node.end) return '';
    const branches = [...node.next].map(([char, child]) => (fromEnd ? `${emit(child)}${escapeLiteral(char)}` : `${escapeLiteral(char)}${emit(child)}`));
    return branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`;
  };
  return emit(root);
}

// Rough frequency of lower-case letters in prose and code, most common first.
export const LOWER_BY_FREQUENCY = 'etaoinsrhldcumfpgwybvkxjqz';

/** How often a character is met in text, roughly: upper-case letters are rarer than lower-case ones. */
function characterCost(char: string): number {
  const lower = LOWER_BY_FREQUENCY.indexOf(char);
  if (lower !== -1) return 30 - lower;
  const upper = LOWER_BY_FREQUENCY.indexOf(char.toLowerCase());
  if (upper !== -1) return (30 - upper) / 8;
  return char >= '0' && char <= '9' ? 5 : 3;
}

/**
 * The character a literal is keyed on in the trigger: its first separator (`glpat-` on `-`);
 * else its first `A`, which most upper-case key ids hold (`AKIA`, `LTAI`, `EAAC`), so they share
 * one alternative; else its rarest character after the first (`dapi` on `p`).
 */
function keyIndex(literal: string): number {
  for (let index = 0; index < literal.length; index++) {
    if (SEPARATORS.has(literal.charAt(index))) return index;
  }
  const a = literal.indexOf('A');
  if (a !== -1) return a;
  let key = -1;
  for (let index = 1; index < literal.length; index++) {
    const char = literal.charAt(index);
    if (RESERVED_KEYS.has(char)) continue;
    if (key === -1 || characterCost(char) < characterCost(literal.charAt(key))) key = index;
  }
  return key;
}

/**
 * Most top-level alternatives the trigger may have: past fifteen, V8's regular expression
 * engine stops skipping ahead over characters no alternative starts with, and the scan gets
 * about three times slower. A test holds the built-in trigger to it.
 */
export const MAX_TRIGGER_ALTERNATIVES = 15;

/**
 * The trigger alternatives for the literals of the FORMAT rules, one per key character (see
 * {@link keyIndex}): the key, then a trie of what precedes it in each literal keyed there, read
 * backwards (`-(?<=…glpat-)`), or of what follows it when it opens the literal (`A(?=KIA|…)`).
 * The trigger may fire on a literal's beginning only (`glpat` before `-`): the rules check the
 * whole shape.
 */
function literalAlternatives(): string[] {
  const groups = new Map<string, { behind: Set<string>; ahead: Set<string> }>();
  for (const [index, pattern] of PATTERNS.entries()) {
    for (const literal of pattern.prefixes ?? []) {
      const key = keyIndex(literal);
      if (literal.length < 2 || key === -1) throw new Error(`no trigger key in literal ${literal}`);
      const char = literal.charAt(key);
      let entries = LITERALS_BY_KEY.get(char);
      if (entries === undefined) LITERALS_BY_KEY.set(char, (entries = []));
      entries.push({ literal, offset: key, pattern: index });
      let group = groups.get(char);
      if (group === undefined) groups.set(char, (group = { behind: new Set(), ahead: new Set() }));
      if (key === 0) group.ahead.add(literal.slice(1));
      else group.behind.add(literal.slice(0, key + 1));
    }
  }
  const alternatives: string[] = [];
  for (const [char, { behind, ahead }] of groups) {
    const checks: string[] = [];
    if (behind.size > 0) checks.push(`(?<=${trieSource([...behind], true)})`);
    if (ahead.size > 0) checks.push(`(?=${trieSource([...ahead], false)})`);
    alternatives.push(`${escapeLiteral(char)}${checks.length === 1 ? (checks[0] as string) : `(?:${checks.join('|')})`}`);
  }
  return alternatives;
}

/** A literal of a FORMAT rule, where its key character sits in it, and the rule's index. */
interface LiteralEntry {
  readonly literal: string;
  readonly offset: number;
  readonly pattern: number;
}

const LITERALS_BY_KEY = new Map<string, LiteralEntry[]>();
const LITERAL_ALTERNATIVES = literalAlternatives();
const LITERAL_TRIGGER = new RegExp(LITERAL_ALTERNATIVES.join('|'), 'g');

/**
 * Which FORMAT rules can fire on a text: one scan for the key characters of their literals,
 * then a look at the few literals keyed on each character found. Far cheaper than asking every
 * rule whether its literal occurs (one search of the whole text per literal).
 * Returns one flag per built-in pattern, by index.
 */
export function formatPatternsIn(text: string): Uint8Array {
  const found = new Uint8Array(PATTERNS.length);
  const trigger = LITERAL_TRIGGER;
  trigger.lastIndex = 0;
  for (let match = trigger.exec(text); match !== null; match = trigger.exec(text)) {
    for (const entry of LITERALS_BY_KEY.get(match[0]) ?? []) {
      if (found[entry.pattern] === 0 && text.startsWith(entry.literal, match.index - entry.offset)) found[entry.pattern] = 1;
    }
  }
  return found;
}

/**
 * Where a trigger runs: over `text` (one string as it reads), over the raw text of a JSON
 * document (`raw-json`, whose hits tell the JSON scanner which strings need the rules), or over
 * a JSON-looking text to learn whether it can come back unchanged at all (`json-or-text`: hits
 * wherever either of the others does, and on every key a JSON key rule could mask).
 */
export type TriggerMode = 'text' | 'raw-json' | 'json-or-text';

/** Characters a JSON key's words may be split by and still be one word to the key rules (`normalizeKey` drops them). */
const KEY_SPLIT = '[-_.\\s]*';

/**
 * A word as the JSON key rules see it: each letter upper or lower case (`k` also as `K`, the
 * Kelvin sign, which lower-cases to `k`), split anywhere by {@link KEY_SPLIT}.
 */
function keyWord(word: string): string {
  return [...word].map((char) => (char === 'k' ? '[kK\\u212A]' : `[${char}${char.toUpperCase()}]`)).join(KEY_SPLIT);
}

const SECRET_KEY_WORDS = ['pass', 'pwd', 'secret', 'cred', 'key', 'token', 'auth', 'sig', 'cookie', 'connectionstring'];

/**
 * The words, grouped by their last letter: a look behind reads from the end, so each position
 * then costs one test per last letter rather than one per word.
 */
function keyWordsByLastLetter(words: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const word of words) {
    const last = word.slice(-1);
    let group = groups.get(last);
    if (group === undefined) groups.set(last, (group = []));
    group.push(word.slice(0, -1));
  }
  return [...groups].map(([last, starts]) => `(?:${starts.map(keyWord).join('|')})${KEY_SPLIT}${keyWord(last)}`).join('|');
}

/**
 * Behind a `:` or `=`, the end of a JSON key holding a word a key rule masks on (see
 * `secretJsonKeyRule`: every secret key name holds one of these once normalized), or holding a
 * whitespace escape (`\n`, `\t`), which the key rules read as a separator inside a word. The
 * words include every one of {@link TRIGGER_WORDS}, so this also finds what the text trigger's
 * quoted names do (`password":`, `token"=`). Lazy: the words are tried nearest the quote first.
 */
const SECRET_KEY_BEHIND = `(?<=(?:${keyWordsByLastLetter(SECRET_KEY_WORDS)}|\\\\[nrtf])[^"]*?"\\s*)`;

/**
 * Three letters of each word a secret name holds, found together in every spelling the rules
 * mask ({@link SECRET_KEY_WORDS}, once the characters a key may be split by are left out; the
 * words of {@link TRIGGER_WORDS} are among them), chosen rare in the names of ordinary JSON
 * (`con` would be in every `content`).
 */
export const SECRET_WORD_PROBES: Readonly<Record<string, string>> = {
  pass: 'pas',
  pwd: 'pwd',
  secret: 'ecr',
  cred: 'cre',
  key: 'key',
  token: 'tok',
  auth: 'aut',
  sig: 'sig',
  cookie: 'oki',
  connectionstring: 'nne',
};

/** The words {@link SECRET_WORD_PROBES} covers: the key rules' and the trigger's. */
export const SECRET_WORDS = { key: SECRET_KEY_WORDS, trigger: TRIGGER_WORD_LIST } as const;

/**
 * What the `json-or-text` trigger needs around its first character, for the WebAssembly filter
 * that finds where it may match (json-check.wat): for each alternative keyed on a character, the
 * two or three characters ending there (`behind`) or starting there (`ahead`) in every text it
 * matches. The alternatives keyed on `:`, `=`, `,` (names holding a secret word) and the search
 * for embedded documents are written into the filter itself.
 */
export interface JsonCheckFingerprints {
  readonly behind2: readonly string[];
  readonly behind3: readonly string[];
  readonly ahead2: readonly string[];
  readonly ahead3: readonly string[];
}

export function jsonCheckFingerprints(): JsonCheckFingerprints {
  const behind2: string[] = [];
  const behind3: string[] = [];
  const ahead2: string[] = [];
  const ahead3: string[] = [];
  for (const entries of LITERALS_BY_KEY.values()) {
    for (const { literal, offset } of entries) {
      if (offset === 0) (literal.length === 2 ? ahead2 : ahead3).push(literal.slice(0, 3));
      else if (offset === 1) behind2.push(literal.slice(0, 2));
      else behind3.push(literal.slice(offset - 2, offset + 1));
    }
  }
  // `[Bb](?:earer|EARER|asic|ASIC)`
  for (const first of ['B', 'b']) for (const rest of ['ea', 'EA', 'as', 'AS']) ahead3.push(first + rest);
  // `(?<=[Tt]o|TO)(?:ken|KEN)`
  for (const before of ['To', 'to', 'TO']) for (const k of ['k', 'K']) behind3.push(before + k);
  // A URL's `://` (or `:\/\/`), and `jdbc:oracle:`.
  ahead2.push(':/', ':\\');
  behind3.push('le:');
  // `\u` in raw JSON.
  ahead2.push('\\u');
  return { behind2, behind3, ahead2, ahead3 };
}

/**
 * Source of the quick trigger: text matching none of these alternatives cannot be changed by
 * any built-in rule, so it is returned as is. Every alternative starts on a rarely seen
 * character (looking behind and ahead for the rest), which keeps the scan fast. In raw JSON,
 * a bare quote before `:` is structure (`"max_tokens":`), not content, so only an escaped quote
 * counts there.
 */
export function triggerSource(mode: TriggerMode, extraNames: readonly string[]): string {
  const raw = mode !== 'text';
  // In `json-or-text`, a quoted name before `:` or `=` is found by SECRET_KEY_BEHIND, at less cost.
  const quote = mode === 'text' ? `(?:\\\\"|["'])?` : `(?:\\\\"|')?`;
  const callQuote = mode === 'raw-json' ? `(?:\\\\"|')` : `(?:\\\\"|["'])`;
  // In raw JSON, whitespace inside a string may be written as an escape (\n, \t, \r).
  const space = raw ? '(?:\\s|\\\\[ntr])' : '\\s';
  // An assignment (`name: value`, `name=value`, or a query parameter the options name), and a
  // call's argument (`"name", value`), looked behind for from the separator.
  // Lazy (`*?`): read from the separator back, the words are then tried nearest first, which
  // costs fewer steps over names without them; what matches is the same.
  const assignment = [`${TRIGGER_WORDS}[\\w.-]*?${quote}${space}*${extraNames.length > 0 ? `|(?:${extraNames.join('|')})(?==)` : ''}`, `${TRIGGER_WORDS}[\\w.-]*?${callQuote}${space}*`];
  const alternatives = [
    ...LITERAL_ALTERNATIVES,
    `[Bb](?:earer|EARER|asic|ASIC)${space}`,
    // Keyed on `k`, far rarer than `t`.
    `(?<=[Tt]o|TO)(?:ken|KEN)${space}`,
    // A URL matters only with userinfo (`@`) or parameters (`=`); Oracle's JDBC URL has neither.
    ':(?:(?:\\/\\/|\\\\\\/\\\\\\/)[^\\s"\'<>`@=]*[@=]|(?<=jdbc:oracle:)[a-z])',
    // One alternative for both looks behind a separator: past fifteen the scan slows down.
    mode === 'json-or-text' ? `(?:(?<=${assignment[0] as string})|${SECRET_KEY_BEHIND})[:=]` : `(?<=${assignment[0] as string})[:=]`,
    `(?<=${assignment[1] as string}),`,
  ];
  // A \u escape in raw JSON may spell any of the above.
  if (raw) alternatives.push('\\\\u');
  return alternatives.join('|');
}
