// Built-in value patterns for free text: credential formats, bearer tokens, JWTs, private keys.

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
  /** Which trigger hits make this pattern worth running (see {@link TriggerHits}); user patterns always run. */
  readonly family: number;
}

/** Bits telling which kinds of trigger a text hit, so only the rules that can fire are run. */
export const TriggerHits = {
  /** A credential format: `sk-`, `xox?-`, `-----BEGIN`, `AIza`, `AKIA`, `gh?_`, `eyJ`. */
  FORMAT: 1,
  BEARER: 2,
  URL: 4,
  /** A secret-ish word followed by `:` or `=`. */
  ASSIGNMENT: 8,
  /** Every built-in kind. */
  ALL: 15,
  /** User patterns: they have no trigger, so they always run. */
  USER: 16,
  /** A `\\u` escape in raw JSON: the decoded text must be checked again. */
  ESCAPE: 32,
} as const;

/** The trigger-hit bit of a trigger match. */
export function triggerHit(match: string): number {
  const first = match.charCodeAt(0);
  if (first === 0x3a /* : */) return match.length > 1 ? TriggerHits.URL : TriggerHits.ASSIGNMENT;
  if (first === 0x3d /* = */) return TriggerHits.ASSIGNMENT;
  if (first === 0x42 || first === 0x62 /* B b */) return TriggerHits.BEARER;
  if (first === 0x5c /* \\ */) return TriggerHits.ESCAPE;
  return TriggerHits.FORMAT;
}

// Key words that end a name whose value is secret (`DB_PASSWORD`, `aws_secret_access_key`, `GITHUB_TOKEN`).
const ASSIGNMENT_WORDS =
  '(?:password|passwd|passphrase|pwd|secrets?|credentials?|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|token|authorization)';

const GITHUB_HINT = /gh[pousr]_|github_pat_/;

/** Built-in patterns, in the order they run (specific formats before generic ones). */
export const BUILT_IN_PATTERNS: readonly CompiledPattern[] = [
  {
    rule: 'pattern:private-key',
    family: TriggerHits.FORMAT,
    // A block cut short (no END line) is masked to the end of the text.
    regex: /-----BEGIN[ A-Z0-9]*PRIVATE KEY-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY-----|$)/g,
    hint: (text) => text.includes('PRIVATE KEY'),
  },
  {
    rule: 'pattern:anthropic-key',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{16,}/g,
    hint: (text) => text.includes('sk-ant-'),
  },
  {
    rule: 'pattern:openai-key',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g,
    hint: (text) => text.includes('sk-'),
  },
  {
    rule: 'pattern:google-api-key',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/g,
    hint: (text) => text.includes('AIza'),
  },
  {
    rule: 'pattern:aws-access-key',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])/g,
    hint: (text) => text.includes('AKIA') || text.includes('ASIA'),
  },
  {
    rule: 'pattern:github-token',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
    hint: (text) => GITHUB_HINT.test(text),
  },
  {
    rule: 'pattern:slack-token',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}/g,
    hint: (text) => text.includes('xox'),
  },
  {
    rule: 'pattern:jwt',
    family: TriggerHits.FORMAT,
    regex: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
    hint: (text) => text.includes('eyJ'),
  },
  {
    rule: 'pattern:bearer',
    family: TriggerHits.BEARER,
    regex: /(?<![A-Za-z0-9])(?<pre>bearer\s+)(?<secret>[A-Za-z0-9\-._~+/]{8,}=*)/gi,
    hint: (text) => text.includes('earer') || text.includes('EARER'),
  },
  {
    rule: 'pattern:assignment',
    family: TriggerHits.ASSIGNMENT,
    // `password=…`, `api_key: …`, `"client_secret": "…"`, `Authorization: Basic …` in free text.
    // The match starts at `:` or `=` (the key word is looked behind for), which keeps it fast.
    regex: new RegExp(
      `(?<=(?<![A-Za-z0-9])(?:[A-Za-z0-9]+[_-])*${ASSIGNMENT_WORDS}(?:\\\\?["'])?\\s*)(?<pre>[:=]\\s*(?:\\\\?["'])?(?:(?:bearer|basic|token|digest)\\s+)?)(?<secret>[^\\s"'\`,;&<>\\\\]+)`,
      'gi',
    ),
    hint: (text) => text.includes(':') || text.includes('='),
  },
];

/** Values the assignment rule leaves alone: already masked, or not a value at all. */
export function isInertValue(value: string): boolean {
  return (
    value.startsWith('[REDACTED') ||
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

/** A case-insensitive spelling of a lower-case word without the `i` flag (which would slow the trigger down). */
function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (char) => `[${char}${char.toUpperCase()}]`);
}

const TRIGGER_WORDS = `(?:${['pass', 'pwd', 'secret', 'credential', 'key', 'token', 'auth', 'sig'].map(anyCase).join('|')})`;

/**
 * Source of the quick trigger: text matching none of these alternatives cannot be changed by
 * any built-in rule, so it is returned as is. Every alternative starts on a rarely seen
 * character (looking behind for the rest), which keeps the scan fast. In raw JSON
 * (`inRawJson`), a bare quote before `:` is structure (`"max_tokens":`), not content, so only
 * an escaped quote counts there.
 */
export function triggerSource(inRawJson: boolean, extraNames: readonly string[]): string {
  const quote = inRawJson ? `(?:\\\\"|')?` : `(?:\\\\"|["'])?`;
  // In raw JSON, whitespace inside a string may be written as an escape (\n, \t, \r).
  const space = inRawJson ? '(?:\\s|\\\\[ntr])' : '\\s';
  const alternatives = [
    '(?<=sk|xox[abprs])-',
    '-----BEGIN',
    '(?<=AI)za',
    '(?<=A[KS]I)A',
    '(?<=gh[pousr]|github_pat)_',
    '(?<=ey)J',
    `[Bb](?:earer|EARER)${space}`,
    // A URL matters only with userinfo (`@`) or parameters (`=`).
    ':(?:\\/\\/|\\\\\\/\\\\\\/)[^\\s"\'<>`@=]*[@=]',
    `(?<=${TRIGGER_WORDS}[\\w.-]*${quote}${space}*)[:=]`,
  ];
  if (extraNames.length > 0) alternatives.push(`(?<=${extraNames.join('|')})=`);
  // A \u escape in raw JSON may spell any of the above.
  if (inRawJson) alternatives.push('\\\\u');
  return alternatives.join('|');
}
