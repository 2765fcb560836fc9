// The reading of callgrind's output that benchmarks/llm-call-instructions.ts --functions relies on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kindOf, perCallDifference, readFunctionCounts, readPerfMap } from '../benchmarks/internal/callgrind-functions.ts';

const directory = mkdtempSync(join(tmpdir(), 'runtrace-callgrind-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A callgrind file in the format callgrind writes: names compressed to `(id)` after their first use, costs after `calls=` belonging to the call. */
const CALLGRIND = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4242
positions: line
events: Ir
summary: 1246
fl=(1) ???
fn=(1) 0x0000000028001010
0 100
cfn=(2) Builtins_KeyedLoadIC_Megamorphic
calls=3 0
0 900
fn=(2)
0 50
fn=(3) v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>(v8::internal::FullHeapObjectSlot, v8::internal::HeapObject)
+2 30
fn=(4) 0x0000000029000000
0 7
fn=(1)
* 5
ob=(2) /app/node_modules/.pnpm/better-sqlite3@13.2.0/node_modules/better-sqlite3/build/Release/better_sqlite3.node
fl=(2) ???
fn=(5) walChecksumBytes
0 11
totals: 1246
`;
const PERF_MAP = `28001000 200 JS:*runRow file:///repo/packages/store/dist/internal/span-rows.js:28:16
28000f00 10 JS:^startSpan file:///repo/node_modules/.pnpm/@opentelemetry+sdk-trace@3.1.0/node_modules/@opentelemetry/sdk-trace/dist/Tracer.mjs:40:11
`;

describe('callgrind function counts', () => {
  it('counts each function its own instructions, naming compiled code through the perf map', () => {
    const file = join(directory, 'callgrind.out-01');
    writeFileSync(file, CALLGRIND);
    const counts = readFunctionCounts(file, PERF_MAP);
    expect(Object.fromEntries(counts)).toEqual({
      // 100 + 5: the 900 after calls= is the builtin's, counted where it ran.
      'runRow runtrace:store/internal/span-rows.js:28:16': 105,
      Builtins_KeyedLoadIC_Megamorphic: 50,
      'Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>': 30,
      '(compiled code, unnamed)': 7,
      // SQLite's functions are named for the library that holds them (an `ob=` line).
      'walChecksumBytes (better-sqlite3)': 11,
    });
    expect(readPerfMap(PERF_MAP).map((range) => range.name)).toEqual(['startSpan @opentelemetry/sdk-trace/dist/Tracer.mjs:40:11', 'runRow runtrace:store/internal/span-rows.js:28:16']);
  });

  it('sorts functions into kinds of code, and takes per-call differences', () => {
    expect(kindOf('runRow runtrace:store/internal/span-rows.js:28:16')).toBe('runtrace JavaScript');
    expect(kindOf('startSpan @opentelemetry/sdk-trace/dist/Tracer.mjs:40:11')).toBe('OpenTelemetry JavaScript');
    expect(kindOf('fetch2 node:internal/deps/undici/undici:13027:18')).toBe('other JavaScript (node, openai, undici)');
    expect(kindOf('makeRequest openai/client.mjs:747:22')).toBe('other JavaScript (node, openai, undici)');
    expect(kindOf('Builtins_KeyedLoadIC_Megamorphic')).toBe('V8 builtins (property access, calls, allocation, collections)');
    expect(kindOf("RegExp.> src: '\\\\-' flags: 'g'")).toBe('regular expressions');
    expect(kindOf('Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>')).toBe('garbage collection');
    expect(kindOf('JsonStringifier::SerializeString<false>')).toBe('V8 runtime and other native code (JSON, strings, node, libc)');
    // The store's writer thread: SQLite itself, and better-sqlite3's binding of each parameter through N-API.
    for (const name of ['walChecksumBytes (better-sqlite3)', 'Binder::BindValue (better-sqlite3)', 'napi_typeof', 'Napi::String::Utf8Value[abi:cxx11]']) {
      expect(kindOf(name)).toBe('SQLite and its binding (better-sqlite3, N-API)');
    }
    expect(kindOf('String::Utf8Length')).toBe('V8 runtime and other native code (JSON, strings, node, libc)');
    expect(kindOf('walChecksumBytes')).toBe('V8 runtime and other native code (JSON, strings, node, libc)');
    const long = new Map([['a', 3_000], ['b', 600]]);
    const short = new Map([['a', 1_000], ['c', 400]]);
    expect(Object.fromEntries(perCallDifference(long, short, 100))).toEqual({ a: 20, b: 6, c: -4 });
  });
});
