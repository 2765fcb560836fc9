// Reads a callgrind output file function by function, naming the code V8 compiled at run time
// (which callgrind only knows by address) from the map node writes with `--perf-basic-prof`.

import { readFileSync } from 'node:fs';

/** What a function of better-sqlite3's library (SQLite is built into it) has after its name. */
const BETTER_SQLITE3 = '(better-sqlite3)';
const BETTER_SQLITE3_OBJECT = /better[-_]sqlite3/;

/** Longer names (a regular expression's source, say) are cut to this many characters. */
const NAME_CHARS = 110;

interface CodeRange {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/**
 * The code ranges of a `/tmp/perf-<pid>.map` (`<start hex> <size hex> <name>` per line), sorted
 * by start. V8 names a function `JS:<tier><name> <url>:<line>:<column>`; the tier mark (`~`
 * interpreted, `^` baseline, `+` Maglev, `*` TurboFan) is dropped, so that one function's code in
 * every tier counts as one.
 */
export function readPerfMap(text: string): CodeRange[] {
  const ranges: CodeRange[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match === null) continue;
    const start = Number.parseInt(match[1]!, 16);
    ranges.push({ start, end: start + Number.parseInt(match[2]!, 16), name: functionName(match[3]!) });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** A perf map entry's name, shortened: no tier mark, no `file://` prefix, packages by name. */
function functionName(raw: string): string {
  const name = raw.replace(/^(?:JS|LazyCompile|Function):[~^+*]?'?/, '').replace(/file:\/\/\//g, '/');
  const dependency = /^(.*?)\S*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(name);
  if (dependency !== null) return `${dependency[1]!}${dependency[2]!}/${dependency[3]!}`;
  const own = /^(.*?)\S*\/packages\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(name);
  if (own !== null) return `${own[1]!}runtrace:${own[2]!}/${own[3]!}`;
  return cut(name);
}

function cut(name: string): string {
  return name.length <= NAME_CHARS ? name : `${name.slice(0, NAME_CHARS - 1)}…`;
}

/** The name of the code range holding `address`, or undefined. */
function rangeOf(ranges: readonly CodeRange[], address: number): string | undefined {
  let low = 0;
  let high = ranges.length - 1;
  let found: CodeRange | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const range = ranges[middle]!;
    if (range.start <= address) {
      found = range;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found !== undefined && address < found.end ? found.name : undefined;
}

/**
 * A name field of a callgrind file: callgrind names a function or an object file once as
 * `(id) name` and later as `(id)` alone; `names` keeps what each id stands for.
 */
function expand(names: Map<string, string>, field: string, resolve: (raw: string) => string): string {
  const match = /^\((\d+)\)(?: (.*))?$/.exec(field);
  if (match === null) return resolve(field);
  if (match[2] !== undefined) names.set(match[1]!, resolve(match[2]));
  return names.get(match[1]!) ?? '(unknown)';
}

/**
 * The instructions each function of one callgrind output file (`--dump-instr=no`, the default)
 * executed itself. A function callgrind names by an address (code without a symbol) takes the
 * name of the perf map range holding it; addresses no range holds count as `(compiled code,
 * unnamed)`. Names of native code lose their argument lists. Only a function's own instructions
 * are read: what callgrind adds up for a function's calls does not hold for compiled JavaScript,
 * whose async functions resume from V8's builtins rather than from their callers (and V8 inlines
 * callees into their callers, whose counts then hold them).
 */
export function readFunctionCounts(callgrindFile: string, perfMap: string | undefined): Map<string, number> {
  const ranges = perfMap === undefined ? [] : readPerfMap(perfMap);
  const resolve = (raw: string): string => {
    const address = /^0x([0-9a-f]+)/.exec(raw);
    if (address === null) return cut(raw.replace(/^v8::internal::/, '').replace(/(?<=.)\(.*$/, ''));
    return rangeOf(ranges, Number.parseInt(address[1]!, 16)) ?? '(compiled code, unnamed)';
  };
  const names = new Map<string, string>();
  const nameOf = (field: string): string => expand(names, field, resolve);
  // A function belongs to the object file of the last `ob=` line before it.
  const objects = new Map<string, string>();
  const objectOf = (field: string): string => expand(objects, field, (path) => path);
  let object = '';
  const self = new Map<string, number>();
  let current: string | undefined;
  let nextIsCall = false;
  for (const line of readFileSync(callgrindFile, 'utf8').split('\n')) {
    if (line.startsWith('ob=')) {
      object = objectOf(line.slice(3));
    } else if (line.startsWith('cob=')) {
      objectOf(line.slice(4));
    } else if (line.startsWith('fn=')) {
      const name = nameOf(line.slice(3));
      // SQLite's functions have no common prefix: they are told by the library holding them.
      current = BETTER_SQLITE3_OBJECT.test(object) ? `${name} ${BETTER_SQLITE3}` : name;
    } else if (line.startsWith('cfn=')) {
      nameOf(line.slice(4));
    } else if (line.startsWith('calls=')) {
      nextIsCall = true;
    } else if (current !== undefined && /^[+\-*\d]/.test(line)) {
      // A cost line: a position, then the instruction count; after `calls=`, the call's cost.
      const value = Number(line.trim().split(/\s+/)[1]);
      if (nextIsCall) {
        nextIsCall = false;
      } else if (!Number.isNaN(value)) {
        self.set(current, (self.get(current) ?? 0) + value);
      }
    }
  }
  return self;
}

/** The kinds of code {@link kindOf} sorts functions into, in the order they are listed. */
export const CODE_KINDS = [
  'runtrace JavaScript',
  'OpenTelemetry JavaScript',
  'other JavaScript (node, openai, undici)',
  'compiled code, unnamed',
  'V8 builtins (property access, calls, allocation, collections)',
  'regular expressions',
  'garbage collection',
  'SQLite and its binding (better-sqlite3, N-API)',
  'V8 runtime and other native code (JSON, strings, node, libc)',
] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

/** The kind of a function named by {@link readFunctionCounts}. */
export function kindOf(name: string): CodeKind {
  if (name.includes(' runtrace:')) return 'runtrace JavaScript';
  if (name.includes(' @opentelemetry/')) return 'OpenTelemetry JavaScript';
  if (/ (?:node:|[\w@.-]+\/)\S*:\d+:\d+$/.test(name)) return 'other JavaScript (node, openai, undici)';
  if (name === '(compiled code, unnamed)') return 'compiled code, unnamed';
  if (name.startsWith('RegExp')) return 'regular expressions';
  if (name.startsWith('Builtins_') || name.startsWith('Builtin:')) return 'V8 builtins (property access, calls, allocation, collections)';
  if (/Scaveng|MarkCompact|Marking|Sweep|Heap::|heap::|IteratePointers|Evacuat|MinorGC|cppgc/.test(name)) return 'garbage collection';
  // Node's N-API, through which better-sqlite3 reads each value it binds, counts with it.
  if (name.endsWith(` ${BETTER_SQLITE3}`) || /^(?:napi_|Napi::|node_napi_env)/.test(name)) return 'SQLite and its binding (better-sqlite3, N-API)';
  return 'V8 runtime and other native code (JSON, strings, node, libc)';
}

/** `long − short`, per call, for every function of either. */
export function perCallDifference(long: ReadonlyMap<string, number>, short: ReadonlyMap<string, number>, calls: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of new Set([...long.keys(), ...short.keys()])) out.set(key, ((long.get(key) ?? 0) - (short.get(key) ?? 0)) / calls);
  return out;
}
