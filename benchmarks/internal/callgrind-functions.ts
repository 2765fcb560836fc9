// Reads a callgrind output file function by function, naming the code V8 compiled at run time
// (which callgrind only knows by address) from the map node writes with `--perf-basic-prof`.

import { readFileSync } from 'node:fs';

/** Instructions by function: executed in the function itself, and with everything it called. */
export interface FunctionCounts {
  readonly self: ReadonlyMap<string, number>;
  readonly inclusive: ReadonlyMap<string, number>;
}

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
  return name;
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
 * Per-function instructions of one callgrind output file (`--dump-instr=no`, the default). A
 * function callgrind names by an address (code without a symbol) takes the name of the perf map
 * range holding it; addresses no range holds count as `(compiled code, unnamed)`. Names of
 * native code lose their argument lists. Inclusive counts add the cost of every call a function
 * makes to another function, which is exact for native code and close for compiled JavaScript
 * (V8 inlines callees into their callers, whose counts then hold them).
 */
export function readFunctionCounts(callgrindFile: string, perfMap: string | undefined): FunctionCounts {
  const ranges = perfMap === undefined ? [] : readPerfMap(perfMap);
  const names = new Map<string, string>();
  const resolve = (raw: string): string => {
    const address = /^0x([0-9a-f]+)/.exec(raw);
    if (address === null) return raw.replace(/^v8::internal::/, '').replace(/(?<=.)\(.*$/, '');
    return rangeOf(ranges, Number.parseInt(address[1]!, 16)) ?? '(compiled code, unnamed)';
  };
  // Callgrind names a function once as `(id) name` and later as `(id)` alone.
  const nameOf = (field: string): string => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(field);
    if (match === null) return resolve(field);
    if (match[2] !== undefined) names.set(match[1]!, resolve(match[2]));
    return names.get(match[1]!) ?? '(unknown)';
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, value: number): void => {
    map.set(key, (map.get(key) ?? 0) + value);
  };
  let current: string | undefined;
  let callee = '';
  let nextIsCall = false;
  for (const line of readFileSync(callgrindFile, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) {
      current = nameOf(line.slice(3));
    } else if (line.startsWith('cfn=')) {
      callee = nameOf(line.slice(4));
    } else if (line.startsWith('calls=')) {
      nextIsCall = true;
    } else if (current !== undefined && /^[+\-*\d]/.test(line)) {
      // A cost line: a position, then the instruction count.
      const value = Number(line.trim().split(/\s+/)[1]);
      if (Number.isNaN(value)) continue;
      if (nextIsCall) {
        nextIsCall = false;
        // A call within one function (recursion, or two pieces of its code) is in its count already.
        if (callee !== current) add(inclusive, current, value);
      } else {
        add(self, current, value);
        add(inclusive, current, value);
      }
    }
  }
  return { self, inclusive };
}

/** `long − short`, per call, for every function of either. */
export function perCallDifference(long: ReadonlyMap<string, number>, short: ReadonlyMap<string, number>, calls: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of new Set([...long.keys(), ...short.keys()])) out.set(key, ((long.get(key) ?? 0) - (short.get(key) ?? 0)) / calls);
  return out;
}
