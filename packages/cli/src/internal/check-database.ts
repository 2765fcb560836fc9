// `runtrace doctor`'s database checks: the file, SQLite, runtrace's schema, integrity, contents and write access — read-only, never changing the file.
import { errorMessage } from '@runtrace/core/internal';
import { closeSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { check } from './doctor-check.js';
import type { DoctorCheck } from './doctor-check.js';
import { formatBytes } from './format-values.js';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** Where SQLite keeps `PRAGMA user_version` (runtrace's schema version) in the file header. */
const USER_VERSION_OFFSET = 60;
const HEADER_BYTES = 100;
const FIX_PATH = 'point RUNTRACE_DB (or --db) at another file';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function code(error: unknown): string {
  const value = (error as { code?: unknown } | undefined)?.code;
  return typeof value === 'string' ? value : errorMessage(error);
}

/** Whether a file can be created in `directory` (tried, then removed): `access()` says yes to root even where writing fails. */
function cannotCreateIn(directory: string): string | undefined {
  const probe = join(directory, `.runtrace-doctor-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return undefined;
  } catch (error: unknown) {
    const reason = code(error);
    return reason === 'EEXIST' ? undefined : reason;
  }
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, header, 0, HEADER_BYTES, 0);
    return header.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function preview(header: Buffer): string {
  const text = header.subarray(0, 24).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(text);
}

function missing(path: string): DoctorCheck {
  let directory = dirname(path);
  let stat = statOf(directory);
  while (stat === undefined && dirname(directory) !== directory) {
    directory = dirname(directory);
    stat = statOf(directory);
  }
  if (stat !== undefined && !stat.isDirectory()) {
    return check('database file', 'fail', `no database at ${path}, and none can be created there: ${directory} is a file, not a directory`, `move that file away, or ${FIX_PATH}`);
  }
  const denied = cannotCreateIn(directory);
  if (denied !== undefined) {
    return check('database file', 'fail', `no database at ${path}, and none can be created there: ${directory} is not writable (${denied})`, `make it writable, or ${FIX_PATH}`);
  }
  return check(
    'database file',
    'warn',
    `no database at ${path} yet (runtrace creates it on the first recorded run)`,
    'record a run (register() in your app, or node --import runtrace/register app.js), or receive OTLP with `runtrace collect`; to read another file, pass --db or set RUNTRACE_DB',
  );
}

/**
 * Checks the store file at `path` against the schema version this runtrace reads
 * (`supportedVersion`): it exists, is SQLite, has runtrace's schema, passes
 * `PRAGMA integrity_check`, and can be written. Opens it read-only; stops at the first finding
 * that makes the rest meaningless.
 */
export function checkDatabase(path: string, supportedVersion: number): DoctorCheck[] {
  const stat = statOf(path);
  if (stat === undefined) return [missing(path)];
  if (stat.isDirectory()) return [check('database file', 'fail', `${path} is a directory, not a database file`, `remove it, or ${FIX_PATH}`)];
  if (!stat.isFile()) return [check('database file', 'fail', `${path} is not a regular file`, FIX_PATH)];
  const checks: DoctorCheck[] = [check('database file', 'ok', `${path} (${formatBytes(stat.size)})`)];

  let header: Buffer;
  try {
    header = readHeader(path);
  } catch (error: unknown) {
    checks.push(check('sqlite', 'fail', `cannot read ${path} (${code(error)})`, 'check its permissions'));
    return checks;
  }
  if (header.length === 0) {
    checks.push(check('sqlite', 'warn', 'the file is empty (runtrace sets it up on the next run)'));
    return checks;
  }
  if (header.length < HEADER_BYTES || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    checks.push(check('sqlite', 'fail', `not a SQLite database (it starts with ${preview(header)}), so not a runtrace database`, `move it away (runtrace then creates a new one), or ${FIX_PATH}`));
    return checks;
  }
  checks.push(check('sqlite', 'ok', 'a SQLite 3 database'));
  const version = header.readUInt32BE(USER_VERSION_OFFSET);

  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error: unknown) {
    checks.push(check('sqlite', 'fail', `SQLite cannot open it (${errorMessage(error)})`, `move it away, or ${FIX_PATH}`));
    return checks;
  }
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
    if (!tables.has('runs')) {
      if (tables.size === 0 && version === 0) {
        checks.push(check('schema', 'warn', 'an empty SQLite database (runtrace sets it up on the next run)'));
      } else {
        const listed = [...tables].slice(0, 5).join(', ');
        checks.push(check('schema', 'fail', `a SQLite database, but not runtrace's (no runs table; it has ${listed === '' ? 'no tables' : listed})`, `point RUNTRACE_DB (or --db) at runtrace's database, or move this one away`));
        return checks;
      }
    } else if (version > supportedVersion) {
      checks.push(check('schema', 'fail', `version ${version}, newer than the ${supportedVersion} this runtrace reads`, 'upgrade runtrace (the CLI and the application) to read it'));
      return checks;
    } else if (version < supportedVersion) {
      checks.push(check('schema', 'warn', `version ${version}, older than ${supportedVersion} (runtrace upgrades it on the next run)`));
    } else {
      checks.push(check('schema', 'ok', `runtrace schema version ${version} (this runtrace reads ${supportedVersion})`));
    }

    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (problems.length === 1 && problems[0] === 'ok') {
      checks.push(check('integrity', 'ok', 'PRAGMA integrity_check: ok'));
    } else {
      checks.push(check('integrity', 'fail', `PRAGMA integrity_check found ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 2).join('; ')}`, 'restore it from a backup, or move it away and let runtrace start a new one'));
      return checks;
    }
    if (tables.has('runs')) {
      const { count } = db.prepare('SELECT count(*) AS count FROM runs').get() as { count: number };
      checks.push(check('runs', 'ok', `${count} run${count === 1 ? '' : 's'} recorded`));
    }
  } catch (error: unknown) {
    // A damaged file often fails before integrity_check can say so.
    checks.push(check('integrity', 'fail', `SQLite cannot read it (${errorMessage(error)})`, 'restore it from a backup, or move it away and let runtrace start a new one'));
    return checks;
  } finally {
    db.close();
  }

  let fileDenied: string | undefined;
  try {
    closeSync(openSync(path, 'r+'));
  } catch (error: unknown) {
    fileDenied = code(error);
  }
  const directory = dirname(path);
  const directoryDenied = cannotCreateIn(directory);
  if (fileDenied !== undefined) checks.push(check('write access', 'fail', `${path} is not writable (${fileDenied})`, `make it writable, or ${FIX_PATH}`));
  else if (directoryDenied !== undefined) {
    checks.push(check('write access', 'fail', `${directory} is not writable (${directoryDenied}); SQLite needs it for the -wal and -shm files`, `make it writable, or ${FIX_PATH}`));
  } else checks.push(check('write access', 'ok', `the file and ${directory} are writable`));
  return checks;
}
