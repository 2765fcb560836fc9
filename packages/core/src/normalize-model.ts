// Model-name normalization, so provider spellings of one model find one price.

const FAMILIES = '(opus|sonnet|haiku)';
const VERSION_FIRST = new RegExp(`^claude-(\\d+(?:-\\d)?)-${FAMILIES}$`);
const FAMILY_FIRST = new RegExp(`^claude-${FAMILIES}-(\\d+(?:-\\d)?)$`);

/**
 * Normalizes a model name for price lookup: lower-cased; provider and path prefixes
 * (`openai/`, `anthropic/`, `models/`, Bedrock's `us.anthropic.`) removed; date and version
 * suffixes (`-20250219`, `-2024-08-06`, `@20240620`, `-v1:0`, `-001`) and `-latest` removed;
 * Claude names put in one order and spelled with dashes (`claude-3.7-sonnet` →
 * `claude-3-7-sonnet`, `claude-4.5-sonnet` → `claude-sonnet-4-5`).
 *
 * @example
 * normalizeModel('anthropic/claude-3-7-sonnet-20250219'); // 'claude-3-7-sonnet'
 * normalizeModel('claude-sonnet-4.5'); // 'claude-sonnet-4-5'
 * normalizeModel('gpt-4o-2024-08-06'); // 'gpt-4o'
 */
export function normalizeModel(model: string): string {
  // A process sees few distinct model names and asks for each of them on every span.
  const cached = cache.get(model);
  if (cached !== undefined) return cached;
  const name = normalizeUncached(model);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(model, name);
  return name;
}

const CACHE_LIMIT = 1024;
const cache = new Map<string, string>();

function normalizeUncached(model: string): string {
  let name = model.trim().toLowerCase();
  name = name.slice(name.lastIndexOf('/') + 1);
  // Bedrock: [region.]vendor.model-…-v1:0
  name = name.replace(/^(?:[a-z]{2,6}\.)?(?:anthropic|meta|amazon|cohere|mistral|ai21|deepseek|openai)\./, '');
  name = name.replace(/-v\d+:\d+$/, '');
  name = name.replace(/@.*$/, '');
  name = name.replace(/:.*$/, '');
  name = name.replace(/-latest$/, '');
  name = name.replace(/-(?:\d{4}-\d{2}-\d{2}|\d{8})$/, '');
  if (name.startsWith('gemini-')) {
    name = name.replace(/-\d{3}$/, '').replace(/-preview(?:-\d{2}-\d{2,4}(?:-\d{4})?)?$/, '');
  }
  if (name.startsWith('gpt-')) name = name.replace(/-(?:0[1-9]|1[0-2])\d{2}$/, '');
  if (name.startsWith('claude-')) name = normalizeClaude(name);
  return name;
}

function normalizeClaude(name: string): string {
  // Dotted versions use dashes (claude-3.7-sonnet, claude-sonnet-4.5); Vertex's -v2 suffix goes.
  const dashed = name.replace(/(\d)\.(\d)/g, '$1-$2').replace(/-v\d+$/, '');
  const versionFirst = VERSION_FIRST.exec(dashed);
  const familyFirst = versionFirst === null ? FAMILY_FIRST.exec(dashed) : null;
  const version = versionFirst?.[1] ?? familyFirst?.[2];
  const family = versionFirst?.[2] ?? familyFirst?.[1];
  if (version === undefined || family === undefined) return dashed;
  // Claude 4 and later are named family first; earlier ones version first.
  return Number.parseInt(version, 10) >= 4 ? `claude-${family}-${version}` : `claude-${version}-${family}`;
}
