// Opens a store file on the calling thread and brings its schema up to date.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreSchemaError, StoreWriteError } from '@runtrace/core';
import { errorMessage, maskUrlPassword, storeUrlScheme } from '@runtrace/core/internal';
import { SCHEMA_VERSION, migrate } from './migrations.js';
import { openDatabase } from './sqlite-connection.js';
import type { SqliteDatabase } from './sqlite-connection.js';

/** The `code` of the cause of the error thrown for another application's SQLite file. */
export const FOREIGN_DATABASE = 'RUNTRACE_FOREIGN_DATABASE';

/**
 * Refuses a store named by a URL (\`postgres://…\`, \`mysql://…\`): the store is a SQLite file,
 * and taking the URL for a path would quietly create a file under a directory named after the
 * scheme. Returns the path when it is one.
 */
export function requireFilePath(path: string): string {
  const scheme = storeUrlScheme(path);
  if (scheme === undefined) return path;
  const why =
    scheme === 'postgres' || scheme === 'postgresql'
      ? `a PostgreSQL database is not a file: open it with openStore({ url }) and write it with PostgresSpanExporter, not as the path ${maskUrlPassword(path)}`
      : `a ${scheme}:// URL is not a store runtrace can use: it keeps its store in a SQLite file or a PostgreSQL database (postgres://); give a file path (RUNTRACE_DB=./.runtrace/runtrace.db), not ${maskUrlPassword(path)}`;
  throw new StoreWriteError(why, path);
}

/** Opens (creating it and its directory when missing) and migrates a store file; refuses another application's database. */
export function openDatabaseFile(path: string, busyTimeoutMs: number): SqliteDatabase {
  requireFilePath(path);
  let db: SqliteDatabase;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = openDatabase(path, { busyTimeoutMs });
  } catch (error: unknown) {
    throw new StoreWriteError(`cannot open store ${path}: ${errorMessage(error)}`, path, { cause: error });
  }
  let result;
  try {
    result = migrate(db);
  } catch (error: unknown) {
    db.close();
    throw new StoreWriteError(`cannot migrate store ${path}: ${errorMessage(error)}`, path, { cause: error });
  }
  if (!result.ok) {
    db.close();
    if (result.foreignTables !== undefined) {
      const cause = Object.assign(new Error(`another application's SQLite database (tables ${result.foreignTables.join(', ')})`), { code: FOREIGN_DATABASE });
      throw new StoreWriteError(`${path} is not a runtrace database: it holds other tables (${result.foreignTables.join(', ')}) and no runtrace schema`, path, { cause });
    }
    throw new StoreSchemaError(path, result.found, SCHEMA_VERSION);
  }
  return db;
}

const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The writer worker's script: the TypeScript source under test, the compiled file otherwise. */
export function writerScriptUrl(): URL {
  return new URL(FROM_SOURCES ? './writer-worker.ts' : './writer-worker.js', import.meta.url);
}

/**
 * The writer worker's Node options: none for the compiled package; from the sources, a resolve
 * hook that finds \`./x.ts\` where the sources import \`./x.js\`.
 */
export function writerExecArgv(): string[] {
  return FROM_SOURCES ? ['--import', new URL('./__fixtures__/source-imports.mjs', import.meta.url).href] : [];
}
