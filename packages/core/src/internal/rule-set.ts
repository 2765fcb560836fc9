// The compiled redaction rules of one Redactor: name rules, value patterns, URLs, allowlist.
import { REDACTED } from '../attributes.js';
import {
  normalizeKey,
  secretHeaderRule,
  secretJsonKeyRule,
  secretQueryParamRule,
} from '../secret-names.js';
import type { Tally } from './tally.js';
import {
  BUILT_IN_PATTERNS,
  formatPatternsIn,
  QUERY_PARAM_IN_FREE_TEXT,
  QUERY_PARAM_IN_TEXT,
  triggerSource,
  TriggerHits,
  triggerHit,
  URL_IN_TEXT,
  isInertValue,
  type CompiledPattern,
} from './value-patterns.js';
import { JsonCheck } from './json-check.js';

/** Options a RuleSet is compiled from (validated by the Redactor). */
export interface RuleSetOptions {
  readonly extraHeaderNames: readonly string[];
  readonly allowedHeaderNames: readonly string[];
  readonly extraJsonKeys: readonly string[];
  readonly allowedJsonKeys: readonly string[];
  readonly extraQueryParams: readonly string[];
  readonly extraPatterns: readonly { readonly name: string; readonly pattern: RegExp }[];
  readonly allowedValues: readonly string[];
  /** Whether {@link RuleSet.jsonMayChange} may answer false (default true); off, every JSON text is walked. */
  readonly jsonFastPath?: boolean;
  /**
   * Whether that check and the free-text trigger may run through the WebAssembly filter (default
   * true; see json-check.ts); off, their regular expressions scan every text. The answers are the
   * same either way.
   */
  readonly jsonCheckFilter?: boolean;
}

const KEY_CACHE_LIMIT = 4096;
/** How many JSON keys {@link RuleSet.jsonKeyRuleAt} remembers without a lookup (a power of two). */
const RECENT_KEYS = 128;
/**
 * A JSON string whose text opens a document (`"{`, `" [`, `"\\n{`), which the JSON rules redact as
 * a document of its own. In valid JSON a closing quote is never followed by `{` or `[`. Keyed on
 * the bracket, far rarer than the quote, and looking behind it.
 */
const EMBEDDED_DOCUMENT = /[{[](?<="(?: |\\[nrt])*.)/;
/** {@link EMBEDDED_DOCUMENT} at one position. */
const EMBEDDED_DOCUMENT_AT = new RegExp(EMBEDDED_DOCUMENT.source, 'y');

/**
 * Texts shorter than this are checked by the regular expressions alone: copying them into the
 * filter and calling it costs more than it saves.
 */
const FILTER_MIN_CHARS = 128;
/** The filter, shared by every rule set (its tables come from the built-in rules only); made on first use. */
let sharedJsonCheck: JsonCheck | null | undefined;
function jsonCheck(): JsonCheck | undefined {
  if (sharedJsonCheck === undefined) sharedJsonCheck = JsonCheck.create() ?? null;
  return sharedJsonCheck ?? undefined;
}

/** Texts at most this long that the trigger matches but no rule changes are remembered (header values and URLs repeat on every call). */
const CLEAN_TEXT_MAX_CHARS = 512;
const CLEAN_TEXT_LIMIT = 4096;
/**
 * Texts at most this long that the trigger does not match at all are remembered too, one per
 * slot ({@link RuleSet.mayContainSecret}): span attributes repeat a few short values over and
 * over (a model, a provider, a status), and finding one in its slot costs a fraction of the
 * trigger's scan.
 */
const SHORT_CLEAN_MAX_CHARS = 64;
/** Slots of that memo (a power of two). */
const SHORT_CLEAN_SLOTS = 256;
/**
 * V8 keeps a part of a longer string this long or longer as a view of that string (a sliced
 * string), which would keep the longer one alive for as long as the part is remembered.
 */
const SLICE_MIN_CHARS = 13;

/**
 * `text`, or a copy of it that holds its characters only: what a memo may keep without keeping a
 * longer string alive (a response body a value was cut from).
 */
function detached(text: string): string {
  return text.length < SLICE_MIN_CHARS ? text : (text + ' ').slice(0, text.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * {@link RuleSet.jsonChangeFrom} through the filter: the trigger (`trigger`, sticky) and the
 * embedded-document search run only where the filter says they may match, in order, so the
 * first hit is the one a scan of the whole text finds.
 */
function filteredChangeFrom(check: JsonCheck, trigger: RegExp, text: string): number {
  let embedded = false;
  for (let at = check.next(0); at !== -1; at = check.next(at + 1)) {
    trigger.lastIndex = at;
    if (trigger.test(text)) return at;
    if (!embedded) {
      EMBEDDED_DOCUMENT_AT.lastIndex = at;
      embedded = EMBEDDED_DOCUMENT_AT.test(text);
    }
  }
  return embedded ? text.length : -1;
}

/**
 * The matches of `trigger` (sticky) in `text` from `from` on, as its global scan finds them,
 * through the filter: each next one is at the first stop, at or after where the one before ended,
 * where the trigger matches (every alternative takes at least one character). `visit` returns
 * false to stop there.
 */
function forEachFilteredMatch(check: JsonCheck, trigger: RegExp, text: string, from: number, visit: (at: number, match: string) => boolean): void {
  let next = from;
  for (let at = check.next(next); at !== -1; at = check.next(next)) {
    trigger.lastIndex = at;
    const match = trigger.exec(text);
    if (match === null) {
      next = at + 1;
      continue;
    }
    if (!visit(at, match[0])) return;
    next = at + match[0].length;
  }
}

/**
 * The kinds of trigger hit (see {@link TriggerHits}) the free-text trigger finds in `text`,
 * through the filter. `first`: stop at the first match.
 */
function filteredHits(check: JsonCheck, trigger: RegExp, text: string, first: boolean): number {
  let hits = 0;
  forEachFilteredMatch(check, trigger, text, 0, (_at, match) => {
    hits |= triggerHit(match);
    return !first && hits !== TriggerHits.ALL;
  });
  return hits;
}

/** Compiled rules; one instance per Redactor, shared by all its calls. */
export class RuleSet {
  readonly allowedValues: ReadonlySet<string>;
  /** True when user patterns exist: they have no cheap trigger, so every string is scanned. */
  readonly scanEveryString: boolean;
  /** Non-global trigger for one string (free text). */
  readonly #trigger: RegExp;
  /** Global trigger for raw JSON text (also fires on `\u` escapes, which may hide a trigger); see {@link rawJsonTriggerHits}. */
  readonly #rawJsonTrigger: RegExp;
  /** Global trigger for one string, to learn which kinds of rule can fire. */
  readonly #textTrigger: RegExp;
  /** Non-global trigger for a JSON-looking text, read either way (see {@link jsonMayChange}). */
  readonly #jsonOrTextTrigger: RegExp;
  /** Whether {@link jsonMayChange} may answer false: not with user patterns or extra JSON keys, which its trigger does not know. */
  readonly #jsonFastPath: boolean;
  /** {@link #jsonOrTextTrigger} at one position, for the filter's candidates; undefined without the filter. */
  readonly #jsonOrTextAt: RegExp | undefined;
  /**
   * The free-text trigger at one position, for the same filter: every text it matches the
   * `json-or-text` trigger matches at the same position, so the filter stops there too.
   */
  readonly #textAt: RegExp | undefined;
  /** The raw-JSON trigger at one position, for the same filter (its matches are among the `json-or-text` trigger's too). */
  readonly #rawJsonAt: RegExp | undefined;

  readonly #extraHeaders: ReadonlyMap<string, string>;
  readonly #allowedHeaders: ReadonlySet<string>;
  readonly #extraJsonKeys: ReadonlyMap<string, string>;
  readonly #allowedJsonKeys: ReadonlySet<string>;
  readonly #extraQueryParams: ReadonlyMap<string, string>;
  readonly #patterns: readonly CompiledPattern[];
  readonly #jsonKeyCache = new Map<string, string | null>();
  readonly #headerCache = new Map<string, string | null>();
  /** The JSON keys met last and their rules, for {@link jsonKeyRuleAt}. */
  readonly #recentKeys = new Array<string | undefined>(RECENT_KEYS).fill(undefined);
  readonly #recentKeyRules = new Array<string | undefined>(RECENT_KEYS).fill(undefined);
  /**
   * Short texts the trigger matches but no rule changes (a user agent, a URL with harmless
   * parameters): they come back on every call, and the rules cost far more than the trigger.
   */
  readonly #cleanTexts = new Set<string>();
  /** Short texts the trigger does not match, by slot (see {@link SHORT_CLEAN_MAX_CHARS}). */
  readonly #shortClean = new Array<string | undefined>(SHORT_CLEAN_SLOTS).fill(undefined);

  constructor(options: RuleSetOptions) {
    this.allowedValues = new Set(options.allowedValues);
    this.#extraHeaders = new Map(options.extraHeaderNames.map((name) => [name.toLowerCase(), `header:${name.toLowerCase()}`]));
    this.#allowedHeaders = new Set(options.allowedHeaderNames.map((name) => name.toLowerCase()));
    this.#extraJsonKeys = new Map(options.extraJsonKeys.map((key) => [normalizeKey(key), `json-key:${key}`]));
    this.#allowedJsonKeys = new Set(options.allowedJsonKeys.map(normalizeKey));
    this.#extraQueryParams = new Map(options.extraQueryParams.map((name) => [normalizeKey(name), `url-query:${name}`]));
    const extra: CompiledPattern[] = options.extraPatterns.map(({ name, pattern }) => ({
      rule: `pattern:${name}`,
      family: TriggerHits.USER,
      regex: new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`),
    }));
    this.#patterns = [...BUILT_IN_PATTERNS, ...extra];
    this.scanEveryString = extra.length > 0;
    const extraNames = options.extraQueryParams.map(escapeRegExp);
    this.#trigger = new RegExp(triggerSource('text', extraNames));
    this.#rawJsonTrigger = new RegExp(triggerSource('raw-json', extraNames), 'g');
    this.#jsonOrTextTrigger = new RegExp(triggerSource('json-or-text', extraNames));
    this.#jsonFastPath = options.jsonFastPath !== false && !this.scanEveryString && this.#extraJsonKeys.size === 0;
    // The filter knows the built-in trigger only: not the query parameters the options add.
    const filtered = options.jsonCheckFilter !== false && extraNames.length === 0;
    this.#jsonOrTextAt = filtered ? new RegExp(this.#jsonOrTextTrigger.source, 'y') : undefined;
    this.#textAt = filtered ? new RegExp(this.#trigger.source, 'y') : undefined;
    this.#rawJsonAt = filtered ? new RegExp(this.#rawJsonTrigger.source, 'y') : undefined;
    this.#textTrigger = new RegExp(this.#trigger.source, 'g');
  }

  isAllowed(value: string): boolean {
    return this.allowedValues.size > 0 && this.allowedValues.has(value);
  }

  /** Rule id masking a header by name (lower-cased), or undefined. */
  headerRule(lowerName: string): string | undefined {
    const cached = this.#headerCache.get(lowerName);
    if (cached !== undefined) return cached ?? undefined;
    let rule: string | undefined = this.#extraHeaders.get(lowerName);
    if (rule === undefined && !this.#allowedHeaders.has(lowerName)) rule = secretHeaderRule(lowerName);
    remember(this.#headerCache, lowerName, rule);
    return rule;
  }

  /** Rule id masking a JSON key's value, or undefined. */
  jsonKeyRule(key: string): string | undefined {
    const cached = this.#jsonKeyCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const normalized = normalizeKey(key);
    const rule = this.#extraJsonKeys.get(normalized) ?? (this.#allowedJsonKeys.has(normalized) ? undefined : secretJsonKeyRule(key));
    remember(this.#jsonKeyCache, key, rule);
    return rule;
  }

  /**
   * {@link jsonKeyRule} of the key `text.slice(start, end)` (written without escapes), without
   * building that string when the key was met lately.
   */
  jsonKeyRuleAt(text: string, start: number, end: number): string | undefined {
    const length = end - start;
    // One slot per length, first and last character: one comparison finds a key met before.
    const slot = length === 0 ? 0 : (length * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1)) & (RECENT_KEYS - 1);
    const known = this.#recentKeys[slot];
    if (known !== undefined && known.length === length && text.startsWith(known, start)) return this.#recentKeyRules[slot];
    const key = text.slice(start, end);
    const rule = this.jsonKeyRule(key);
    this.#recentKeys[slot] = key;
    this.#recentKeyRules[slot] = rule;
    return rule;
  }

  /** Rule id masking a query parameter's value, or undefined. */
  queryParamRule(name: string): string | undefined {
    return this.#extraQueryParams.get(normalizeKey(name)) ?? secretQueryParamRule(name);
  }

  /**
   * The raw-JSON trigger's matches in `text` from `from` on, as its global scan finds them: each
   * one's position into `positions` and its kind of hit (see {@link TriggerHits}) into `kinds`.
   * Through the filter when it stands in front of the triggers.
   */
  rawJsonTriggerHits(text: string, from: number, positions: number[], kinds: number[]): void {
    const check = this.#filterFor(text);
    if (check !== undefined) {
      forEachFilteredMatch(check, this.#rawJsonAt!, text, from, (at, match) => {
        positions.push(at);
        kinds.push(triggerHit(match));
        return true;
      });
      return;
    }
    const trigger = this.#rawJsonTrigger;
    trigger.lastIndex = from;
    for (let match = trigger.exec(text); match !== null; match = trigger.exec(text)) {
      positions.push(match.index);
      kinds.push(triggerHit(match[0]));
      if (match[0].length === 0) trigger.lastIndex++;
    }
  }

  /**
   * The first control character at or after `from` in `text`, or -1, found by the filter when
   * it holds that text already; undefined otherwise.
   */
  controlFrom(text: string, from: number): number | undefined {
    return this.#textAt === undefined ? undefined : jsonCheck()?.controlFrom(text, from);
  }

  /**
   * Whether any rule could change this text (cheap; false means "leave it as is"). A short text
   * the trigger does not match is remembered in a slot of its own, so that the next equal text
   * costs one comparison.
   */
  mayContainSecret(text: string): boolean {
    if (this.scanEveryString) return true;
    const length = text.length;
    if (length <= SHORT_CLEAN_MAX_CHARS) {
      // One slot per length, first, middle and last character: one comparison finds a text met before.
      const slot =
        length === 0 ? 0 : (length * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(length >> 1) * 3 + text.charCodeAt(length - 1)) & (SHORT_CLEAN_SLOTS - 1);
      if (this.#shortClean[slot] === text) return false;
      if (this.#trigger.test(text)) return !this.#knownClean(text);
      this.#shortClean[slot] = detached(text);
      return false;
    }
    const check = this.#filterFor(text);
    const hit = check === undefined ? this.#trigger.test(text) : filteredHits(check, this.#textAt!, text, true) !== 0;
    return hit && !this.#knownClean(text);
  }

  /** The filter with `text` loaded, when it may stand in front of the triggers for it. */
  #filterFor(text: string): JsonCheck | undefined {
    if (this.#textAt === undefined || text.length < FILTER_MIN_CHARS) return undefined;
    const check = jsonCheck();
    return check?.load(text) === true ? check : undefined;
  }

  /**
   * Whether a JSON-looking text could come out of the JSON rules, or of the free-text rules when
   * it does not parse, changed. One scan, so a document without secrets skips the walk through
   * its structure. False is exact: every change either path makes starts at a hit of the
   * `json-or-text` trigger (a rule's literal, an assignment, a URL, an escape, a key a JSON key
   * rule masks) or inside a string that holds a JSON document of its own.
   */
  jsonMayChange(text: string): boolean {
    return this.jsonChangeFrom(text) !== -1;
  }

  /**
   * {@link jsonMayChange} with where to start: -1 when the text comes back unchanged, else the
   * index from which the raw-JSON trigger has to look (0 when the check is off). That trigger's
   * alternatives are the `json-or-text` trigger's, narrower, so it cannot hit before that
   * trigger's first hit; with only an embedded document found, it has nothing to find at all
   * (the text's length). So a text with something to mask is not scanned twice over.
   */
  jsonChangeFrom(text: string): number {
    if (!this.#jsonFastPath) return 0;
    const check = this.#filterFor(text);
    if (check !== undefined) return filteredChangeFrom(check, this.#jsonOrTextAt!, text);
    const hit = this.#jsonOrTextTrigger.exec(text);
    if (hit !== null) return hit.index;
    return EMBEDDED_DOCUMENT.test(text) ? text.length : -1;
  }

  /**
   * Free text: URLs (userinfo, query), query-like pairs, then value patterns. `knownHits` are
   * the trigger hits when the caller already knows them (from the raw JSON pass).
   */
  redactText(text: string, tally: Tally, knownHits?: number): string {
    const hits = knownHits ?? this.#triggerHits(text);
    if (hits === 0 && !this.scanEveryString) return text;
    if (knownHits === undefined && this.#knownClean(text)) return text;
    let out = text;
    if ((hits & TriggerHits.URL) !== 0) {
      out = out.replace(URL_IN_TEXT, (url) => this.#redactUrlStructure(url, tally));
    }
    if ((hits & TriggerHits.ASSIGNMENT) !== 0) out = this.#redactQueryPairs(out, tally, QUERY_PARAM_IN_FREE_TEXT);
    out = this.#applyPatterns(out, tally, hits);
    // A short text the trigger hits but every rule left alone is remembered (header values such
    // as a user agent come back on every call). Only when the hits were this scan's own: hits a
    // caller passed in describe another text (the raw JSON it came from).
    if (out === text && knownHits === undefined && !this.scanEveryString) this.#rememberClean(text);
    return out;
  }

  /**
   * Whether a short text is remembered as one the rules leave alone. Asked only after the trigger
   * hit: V8 computes a string's hash from every character (about 2 ns each) the first time it is
   * used as a key, so for a new string object the lookup costs more than the trigger's scan
   * (165 ns against 53 for 16 characters, 968 against 144 for 512), and pays only where it
   * saves the rules' work.
   */
  #knownClean(text: string): boolean {
    return text.length <= CLEAN_TEXT_MAX_CHARS && this.#cleanTexts.has(text);
  }

  /** Remembers a short text that the trigger hits but no rule changes. */
  #rememberClean(text: string): void {
    if (text.length > CLEAN_TEXT_MAX_CHARS) return;
    if (this.#cleanTexts.size >= CLEAN_TEXT_LIMIT) this.#cleanTexts.clear();
    this.#cleanTexts.add(detached(text));
  }

  /** One pass of the trigger over the text: which kinds of rule could fire. */
  #triggerHits(text: string): number {
    const check = this.#filterFor(text);
    if (check !== undefined) return filteredHits(check, this.#textAt!, text, false);
    const trigger = this.#textTrigger;
    trigger.lastIndex = 0;
    let hits = 0;
    for (let match = trigger.exec(text); match !== null; match = trigger.exec(text)) {
      hits |= triggerHit(match[0]);
      if (hits === TriggerHits.ALL) break;
    }
    return hits;
  }

  /** A URL: userinfo stripped, sensitive query and fragment parameters masked, then value patterns. */
  redactUrl(url: string, tally: Tally): string {
    const out = url.includes('@') || url.includes('=') ? this.#redactUrlStructure(url, tally) : url;
    return this.#applyTriggeredPatterns(out, tally);
  }

  /** A bare query string (`a=1&key=…`, with or without a leading `?`). */
  redactQuery(query: string, tally: Tally): string {
    const out = query.includes('=') ? this.#redactQueryPairs(query, tally, QUERY_PARAM_IN_TEXT) : query;
    return this.#applyTriggeredPatterns(out, tally);
  }

  /** The value patterns whose trigger the text hits (user patterns always). */
  #applyTriggeredPatterns(text: string, tally: Tally): string {
    const hits = this.#triggerHits(text);
    if (hits === 0 && !this.scanEveryString) return text;
    return this.#knownClean(text) ? text : this.#applyPatterns(text, tally, hits);
  }

  #applyPatterns(text: string, tally: Tally, hits: number): string {
    let out = text;
    // FORMAT rules run only when the text holds one of their literals.
    const formats = (hits & TriggerHits.FORMAT) !== 0 ? formatPatternsIn(text) : undefined;
    const patterns = this.#patterns;
    for (let index = 0; index < patterns.length; index++) {
      const pattern = patterns[index] as CompiledPattern;
      if ((pattern.family & (hits | TriggerHits.USER)) === 0) continue;
      if (pattern.family === TriggerHits.FORMAT && formats?.[index] !== 1) continue;
      if (pattern.hint !== undefined && !pattern.hint(out)) continue;
      out = replaceMatches(out, pattern.regex, (match) => this.#replacementOf(match[0], match.groups, pattern, tally));
    }
    return out;
  }

  /** What a match of `pattern` becomes: undefined when the rule leaves it as it is. */
  #replacementOf(match: string, groups: Record<string, string | undefined> | undefined, pattern: CompiledPattern, tally: Tally): string | undefined {
    const secret = groups?.secret;
    if (secret !== undefined) {
      // The rule's own check first: in source code it turns down most names, at once.
      if (pattern.accept !== undefined && !pattern.accept(secret, groups!)) return undefined;
      if (isInertValue(secret) || this.isAllowed(secret)) return undefined;
      tally.add(pattern.rule);
      return `${groups!.pre ?? ''}${REDACTED}`;
    }
    if (match.length === 0 || this.isAllowed(match)) return undefined;
    if (pattern.accept !== undefined && !pattern.accept(match, NO_GROUPS)) return undefined;
    tally.add(pattern.rule);
    return REDACTED;
  }

  #redactUrlStructure(url: string, tally: Tally): string {
    let out = url;
    const schemeEnd = out.indexOf('://');
    const escapedSchemeEnd = schemeEnd === -1 ? out.indexOf(':\\/\\/') : -1;
    const authorityStart = schemeEnd !== -1 ? schemeEnd + 3 : escapedSchemeEnd !== -1 ? escapedSchemeEnd + 5 : -1;
    if (authorityStart !== -1) {
      let authorityEnd = out.length;
      for (let index = authorityStart; index < out.length; index++) {
        const char = out.charCodeAt(index);
        // '/', '?', '#', '\'
        if (char === 47 || char === 63 || char === 35 || char === 92) {
          authorityEnd = index;
          break;
        }
      }
      const at = out.lastIndexOf('@', authorityEnd - 1);
      if (at >= authorityStart) {
        const userinfo = out.slice(authorityStart, at);
        if (!this.isAllowed(userinfo) && !this.isAllowed(safeDecode(userinfo))) {
          out = out.slice(0, authorityStart) + out.slice(at + 1);
          tally.add('url:userinfo');
        }
      }
    }
    if (out.includes('=')) out = this.#redactQueryPairs(out, tally, URL_PARAM);
    return out;
  }

  /**
   * A parameter whose name is not secret: its value is percent-decoded (`+` as a space) and
   * scanned as text, since an encoded value hides a token's boundaries (`key%20sk-…`) or its
   * whole shape (`mongodb%3A%2F%2Fu%3Ap%40h`). A change is written back encoded, so the URL or
   * form stays valid; an undecodable value is left to the patterns run over the raw text.
   */
  #redactEncodedValue(lead: string, name: string, value: string, tally: Tally): string | undefined {
    if (!value.includes('%') && !value.includes('+')) return undefined;
    const decoded = safeDecode(value);
    if (decoded === value || !this.mayContainSecret(decoded)) return undefined;
    const out = this.redactText(decoded, tally);
    if (out === decoded) return undefined;
    let encoded = encodeURIComponent(out);
    // Forms write spaces as `+`; keep the style the value came in.
    if (value.includes('+') && !value.includes('%20')) encoded = encoded.replace(/%20/g, '+');
    return `${lead}${name}=${encoded}`;
  }

  #redactQueryPairs(text: string, tally: Tally, regex: RegExp): string {
    return replaceMatches(text, regex, (match) => {
      const [, lead = '', name = '', value = ''] = match;
      if (value.length === 0 || value.startsWith('[REDACTED') || value.startsWith('%5BREDACTED')) return undefined;
      // A reference to where the secret lives (`password=${DB_PASSWORD}`) or a mask, as in an assignment.
      if (isInertValue(safeDecode(value))) return undefined;
      const rule = this.queryParamRule(safeDecode(name));
      if (rule === undefined) return this.#redactEncodedValue(lead, name, value, tally);
      if (this.isAllowed(value) || this.isAllowed(safeDecode(value))) return undefined;
      tally.add(rule);
      return `${lead}${name}=${REDACTED}`;
    });
  }
}

const NO_GROUPS: Readonly<Record<string, string | undefined>> = Object.freeze({});

/**
 * `text` with each match of the global `regex` replaced by what `replace` returns for it, or left
 * as it is where that is undefined: the matches `String.prototype.replace` finds (it runs the
 * same `exec` loop), without its cost per match. V8 calls a replacer function from its runtime
 * with the captures spread out, about three times the cost of the match itself, and in code
 * most matches are names that the rules turn down.
 */
function replaceMatches(text: string, regex: RegExp, replace: (match: RegExpExecArray) => string | undefined): string {
  regex.lastIndex = 0;
  let out = '';
  let copied = 0;
  let changed = false;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const found = match[0];
    const next = found.length === 0 ? advanceIndex(text, regex.lastIndex, regex.unicode || regex.flags.includes('v')) : regex.lastIndex;
    const replacement = replace(match);
    // `replace` may use the same expression again (a parameter's value is redacted as text).
    regex.lastIndex = next;
    if (replacement !== undefined) {
      out += text.slice(copied, match.index) + replacement;
      copied = match.index + found.length;
      changed = true;
    }
    if (!regex.global) break;
  }
  regex.lastIndex = 0;
  return changed ? out + text.slice(copied) : text;
}

/** The index after an empty match at `index`, as `replace` moves on: past a whole surrogate pair in Unicode mode. */
function advanceIndex(text: string, index: number, unicode: boolean): number {
  if (!unicode || index + 1 >= text.length) return index + 1;
  const first = text.charCodeAt(index);
  if (first < 0xd800 || first > 0xdbff) return index + 1;
  const second = text.charCodeAt(index + 1);
  return second >= 0xdc00 && second <= 0xdfff ? index + 2 : index + 1;
}

/** Query and fragment parameters of a URL: only after `?`, `&`, `;` or `#`. */
const URL_PARAM = /([?&;#])([^=&#?;]{1,128})=([^&#]*)/g;

function safeDecode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function remember(cache: Map<string, string | null>, key: string, rule: string | undefined): void {
  if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
  cache.set(key, rule ?? null);
}
