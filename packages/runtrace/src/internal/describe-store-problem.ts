// Turns a store that cannot open, or a write that failed, into one line naming the cause and the fix.
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreSchemaError } from '@runtrace/core';
import { errorMessage } from '@runtrace/core/internal';
import type { PostgresLossCause, StoreLossCause } from '@runtrace/store';

/** Which setting chose the store file; the fix names it. */
export type StorePathSetting = 'option' | 'RUNTRACE_DB' | 'default';

// RUNTRACE_FOREIGN_DATABASE: another application's SQLite file, which the store refuses to add its tables to.
const NOT_A_DATABASE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'RUNTRACE_FOREIGN_DATABASE']);
const ACCESS_DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);
const MAX_DEPTH = 8;

/** The `code`s along an error's `cause` chain, outermost first. */
function codes(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') found.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** The innermost message (SQLite's or the file system's own words), for the parenthesis. */
function rootMessage(error: unknown): string {
  let current: unknown = error;
  let message = errorMessage(error);
  for (let depth = 0; depth < MAX_DEPTH && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The nearest ancestor of `path` that exists. */
function nearestExisting(path: string): { path: string; stat: Stats } | undefined {
  let current = dirname(path);
  for (;;) {
    const stat = statOf(current);
    if (stat !== undefined) return { path: current, stat };
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Whether a file can be created in `directory`, by creating and removing one. `access()` is not
 * enough: it says yes to root on a read-only mount or a pseudo file system.
 */
function cannotCreateIn(directory: string): string | undefined {
  const probe = join(directory, `.runtrace-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return undefined;
  } catch (error: unknown) {
    const code = codes(error)[0];
    return code === 'EEXIST' ? undefined : (code ?? 'denied');
  }
}

function cannotWrite(file: string): string | undefined {
  try {
    closeSync(openSync(file, 'r+'));
    return undefined;
  } catch (error: unknown) {
    return codes(error)[0] ?? 'denied';
  }
}

function fixFor(setting: StorePathSetting): string {
  return setting === 'option' ? 'pass another store path' : 'set RUNTRACE_DB to another file';
}

/**
 * One line for a store that cannot be opened: what is wrong with the file or its directory, and
 * what to do. Looks at the file system to tell the cases apart (SQLite says "unable to open
 * database file" for most of them).
 */
export function describeStoreOpenError(path: string, error: unknown, setting: StorePathSetting): string {
  const fix = fixFor(setting);
  const then = 'runs are not stored locally until then';
  if (error instanceof StoreSchemaError) {
    return `${path} was written by a newer runtrace (schema ${error.foundVersion}; this version reads up to ${error.supportedVersion}): upgrade runtrace or ${fix}; ${then}`;
  }
  const found = codes(error);
  const reason = rootMessage(error);
  const stat = statOf(path);
  if (stat?.isDirectory() === true) return `${path} is a directory, not a database file: remove it or ${fix}; ${then}`;
  const ancestor = nearestExisting(path);
  if (stat === undefined && ancestor !== undefined && !ancestor.stat.isDirectory()) {
    return `cannot create ${path}: ${ancestor.path} is a file, not a directory: move it away or ${fix}; ${then}`;
  }
  if (found.some((code) => NOT_A_DATABASE.has(code))) return `${path} is not a runtrace database (${reason}): move it away or ${fix}; ${then}`;
  if (found.includes('SQLITE_BUSY') || found.includes('SQLITE_LOCKED')) return `${path} is locked by another process (${reason}): stop that process or ${fix}; ${then}`;
  if (found.includes('SQLITE_FULL') || found.includes('ENOSPC')) return `cannot write ${path}: the disk is full (${reason}): free some space or ${fix}; ${then}`;
  if (ancestor !== undefined && ancestor.stat.isDirectory()) {
    const directory = stat === undefined ? ancestor.path : dirname(path);
    const denied = cannotCreateIn(directory);
    if (denied !== undefined) return `cannot write ${path}: the directory ${directory} is not writable (${denied}): make it writable or ${fix}; ${then}`;
    const fileDenied = stat === undefined ? undefined : cannotWrite(path);
    if (fileDenied !== undefined) return `${path} is read-only (${fileDenied}): make it writable or ${fix}; ${then}`;
  }
  if (found.some((code) => ACCESS_DENIED.has(code))) return `cannot open ${path} (${reason}): check its permissions or ${fix}; ${then}`;
  return `cannot open the store ${path} (${reason}): check it with \`runtrace doctor\` or ${fix}; ${then}`;
}

/** One line for spans the store could not write (a failed transaction, a full queue). */
export function describeStoreWriteError(path: string, error: Error, spanCount: number, cause: StoreLossCause): string {
  const message = error.message;
  const found = codes(error);
  let fix = 'check the file with `runtrace doctor`';
  if (cause === 'shutdown') fix = 'spans ended after runtrace.shutdown(); shut runtrace down last';
  else if (cause === 'conversion') fix = 'a span could not be turned into rows; please report it';
  else if (cause === 'disk-full' || found.includes('SQLITE_FULL') || found.includes('ENOSPC')) fix = 'free disk space (or raise the store\'s size cap)';
  else if (/readonly|read-only|EROFS|EACCES/i.test(message) || found.includes('SQLITE_READONLY')) fix = 'make the file and its directory writable';
  else if (/locked|busy/i.test(message)) fix = 'another process holds a lock on the file';
  else if (cause === 'queue-full') fix = 'the disk is slower than the spans arrive and the spool cannot be written';
  return `${spanCount} span${spanCount === 1 ? ' was' : 's were'} not written to ${path} (${message}): ${fix}`;
}

/** One line for spans a PostgreSQL store could not write, or an outage (`unavailable`: they wait, they are not lost). */
export function describePostgresWriteError(location: string, error: Error, spanCount: number, cause: PostgresLossCause): string {
  const message = error.message;
  if (cause === 'unavailable') return `${message}: check that the database is up and reachable; spans wait (in memory, then in a spool file) and are written when it is`;
  let fix = "check the store URL's host, user, password and database";
  if (cause === 'shutdown') fix = 'spans ended after runtrace.shutdown(); shut runtrace down last';
  else if (cause === 'conversion') fix = 'a span could not be turned into rows; please report it';
  else if (cause === 'queue-full') fix = 'the database has been unreachable or slower than the spans arrive for too long';
  else if (cause === 'gave-up') fix = 'the database could not be reached before the shutdown timeout (what waits in a spool file is written by the next process)';
  return `${spanCount} span${spanCount === 1 ? ' was' : 's were'} not written to ${location} (${message}): ${fix}`;
}
