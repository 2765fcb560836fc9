// The few better-sqlite3 calls the store benchmarks' raw-SQL baselines make (the package is the
// store's dependency, not the root's, so it is loaded from the store's location).
import { createRequire } from 'node:module';

export interface Statement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  pluck(): Statement;
}

export interface SqliteDatabase {
  prepare(sql: string): Statement;
  pragma(sql: string): unknown;
  exec(sql: string): void;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

type DatabaseConstructor = new (path: string, options?: { readonly?: boolean }) => SqliteDatabase;

/** better-sqlite3's `Database`, the same copy the store uses. */
export const Database = createRequire(import.meta.resolve('@runtrace/store'))('better-sqlite3') as DatabaseConstructor;
