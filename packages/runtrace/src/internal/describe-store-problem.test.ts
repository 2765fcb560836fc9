import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreSchemaError, StoreWriteError } from '@runtrace/core';
import { describeStoreOpenError, describeStoreWriteError } from './describe-store-problem.js';

/** An error shaped like the store's: a StoreWriteError around the driver's error with its code. */
function storeError(message: string, code: string): StoreWriteError {
  return new StoreWriteError(`cannot open store: ${message}`, undefined, { cause: Object.assign(new Error(message), { code }) });
}

describe('describeStoreOpenError', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-describe-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a file that is not a database, with the driver\'s words and the fix for the setting that chose it', async () => {
    const path = join(dir, 'notes.db');
    await writeFile(path, 'hello');
    const error = storeError('file is not a database', 'SQLITE_NOTADB');
    expect(describeStoreOpenError(path, error, 'RUNTRACE_DB')).toBe(
      `${path} is not a runtrace database (file is not a database): move it away or set RUNTRACE_DB to another file; runs are not stored locally until then`,
    );
    expect(describeStoreOpenError(path, error, 'option')).toContain('move it away or pass another store path');
  });

  it('tells a directory at the path from a file in the way of its directory', async () => {
    const directory = join(dir, 'runtrace.db');
    await mkdir(directory);
    const cantOpen = storeError('unable to open database file', 'SQLITE_CANTOPEN');
    expect(describeStoreOpenError(directory, cantOpen, 'default')).toMatch(/^\S+runtrace\.db is a directory, not a database file: remove it or set RUNTRACE_DB/);
    const blocker = join(dir, 'plain-file');
    await writeFile(blocker, '');
    expect(describeStoreOpenError(join(blocker, 'sub', 'runtrace.db'), storeError('ENOTDIR', 'ENOTDIR'), 'default')).toContain(`${blocker} is a file, not a directory`);
  });

  it('names a newer schema and says to upgrade', () => {
    const path = join(dir, 'new.db');
    expect(describeStoreOpenError(path, new StoreSchemaError(path, 9, 1), 'default')).toBe(
      `${path} was written by a newer runtrace (schema 9; this version reads up to 1): upgrade runtrace or set RUNTRACE_DB to another file; runs are not stored locally until then`,
    );
  });

  it('names a locked file and a full disk', async () => {
    const path = join(dir, 'x.db');
    await writeFile(path, '');
    expect(describeStoreOpenError(path, storeError('database is locked', 'SQLITE_BUSY'), 'default')).toContain('is locked by another process (database is locked)');
    expect(describeStoreOpenError(path, storeError('database or disk is full', 'SQLITE_FULL'), 'default')).toContain('the disk is full');
  });

  it('falls back to the driver\'s words and `runtrace doctor`', async () => {
    const path = join(dir, 'x.db');
    await writeFile(path, '');
    expect(describeStoreOpenError(path, new Error('something odd'), 'default')).toBe(
      `cannot open the store ${path} (something odd): check it with \`runtrace doctor\` or set RUNTRACE_DB to another file; runs are not stored locally until then`,
    );
  });
});

describe('describeStoreWriteError', () => {
  it('says how many spans were lost and what to do about the cause', () => {
    expect(describeStoreWriteError('/a/x.db', new Error('store write failed: database or disk is full'), 120, 'disk-full')).toBe(
      "120 spans were not written to /a/x.db (store write failed: database or disk is full): free disk space (or raise the store's size cap)",
    );
    const queueFull = new Error('store write queue is full (4096 spans or 8388608 bytes) and the spool is off; 1 spans dropped');
    expect(describeStoreWriteError('/a/x.db', queueFull, 1, 'queue-full')).toContain('1 span was not written');
    expect(describeStoreWriteError('/a/x.db', queueFull, 1, 'queue-full')).toContain('the disk is slower than the spans arrive');
    expect(describeStoreWriteError('/a/x.db', new Error('attempt to write a readonly database'), 3, 'write-error')).toContain('make the file and its directory writable');
    expect(describeStoreWriteError('/a/x.db', new Error('SqliteSpanExporter is shut down'), 2, 'shutdown')).toContain('shut runtrace down last');
  });
});
