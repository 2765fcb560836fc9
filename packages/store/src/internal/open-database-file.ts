// Opens a store file on the calling thread and brings its schema up to date.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreSchemaError, StoreWriteError } from '@runtrace/core';
import { SCHEMA_VERSION, migrate } from './migrations.js';
import { openDatabase } from './sqlite-writer.js';
import type { SqliteDatabase } from './sqlite-writer.js';

/** The `code` of the cause of the error thrown for another application's SQLite file. */
export const FOREIGN_DATABASE = 'RUNTRACE_FOREIGN_DATABASE';

/** Opens (creating it and its directory when missing) and migrates a store file; refuses another application's database. */
export function openDatabaseFile(path: string, busyTimeoutMs: number): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = openDatabase(path, { busyTimeoutMs });
  } catch (error: unknown) {
    throw new StoreWriteError(`cannot open store ${path}: ${error instanceof Error ? error.message : String(error)}`, path, { cause: error });
  }
  let result;
  try {
    result = migrate(db);
  } catch (error: unknown) {
    db.close();
    throw new StoreWriteError(`cannot migrate store ${path}: ${error instanceof Error ? error.message : String(error)}`, path, { cause: error });
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

/** The writer worker's script: the TypeScript source under test, the compiled file otherwise. */
export function writerScriptUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './sqlite-writer.ts' : './sqlite-writer.js', import.meta.url);
}
