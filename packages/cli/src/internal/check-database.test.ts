import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openStore } from '@runtrace/store';
import { checkDatabase } from './check-database.js';
import type { DoctorCheck } from './doctor-check.js';

function byName(checks: readonly DoctorCheck[]): Record<string, string> {
  return Object.fromEntries(checks.map((entry) => [entry.name, entry.status]));
}

describe('checkDatabase', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-doctor-db-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a sound runtrace database, and never changes it', async () => {
    const path = join(dir, 'runtrace.db');
    openStore({ path }).close();
    const before = (await open(path, 'r').then(async (handle) => {
      const stat = await handle.stat();
      await handle.close();
      return stat.mtimeMs;
    }));
    const checks = checkDatabase(path, SCHEMA_VERSION);
    expect(byName(checks)).toEqual({ 'database file': 'ok', sqlite: 'ok', schema: 'ok', integrity: 'ok', runs: 'ok', 'write access': 'ok' });
    expect(checks.find((entry) => entry.name === 'runs')?.summary).toBe('0 runs recorded');
    const after = (await open(path, 'r').then(async (handle) => {
      const stat = await handle.stat();
      await handle.close();
      return stat.mtimeMs;
    }));
    expect(after).toBe(before);
  });

  it('warns about a database not created yet, and fails when none can be created', async () => {
    expect(checkDatabase(join(dir, '.runtrace', 'runtrace.db'), SCHEMA_VERSION)).toEqual([
      expect.objectContaining({ name: 'database file', status: 'warn', summary: expect.stringContaining('runtrace creates it on the first recorded run') }),
    ]);
    await writeFile(join(dir, 'blocker'), '');
    expect(checkDatabase(join(dir, 'blocker', 'runtrace.db'), SCHEMA_VERSION)).toEqual([
      expect.objectContaining({ status: 'fail', summary: expect.stringContaining(`${join(dir, 'blocker')} is a file, not a directory`) }),
    ]);
  });

  it('fails a directory, a text file, and a SQLite database that is not runtrace\'s', async () => {
    await mkdir(join(dir, 'dir.db'));
    expect(checkDatabase(join(dir, 'dir.db'), SCHEMA_VERSION)[0]).toMatchObject({ status: 'fail', summary: expect.stringContaining('is a directory') });
    await writeFile(join(dir, 'notes.db'), 'dear diary, today I recorded no runs');
    expect(checkDatabase(join(dir, 'notes.db'), SCHEMA_VERSION).at(-1)).toMatchObject({
      name: 'sqlite',
      status: 'fail',
      summary: 'not a SQLite database (it starts with "dear diary, today I reco"), so not a runtrace database',
    });
    const foreign = new Database(join(dir, 'foreign.db'));
    foreign.exec('CREATE TABLE invoices (id INTEGER)');
    foreign.close();
    expect(checkDatabase(join(dir, 'foreign.db'), SCHEMA_VERSION).at(-1)).toMatchObject({ name: 'schema', status: 'fail', summary: expect.stringContaining("not runtrace's (no runs table; it has invoices)") });
  });

  it('fails a schema newer than this runtrace reads', () => {
    const path = join(dir, 'newer.db');
    openStore({ path }).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(checkDatabase(path, SCHEMA_VERSION).at(-1)).toMatchObject({
      name: 'schema',
      status: 'fail',
      summary: `version ${SCHEMA_VERSION + 5}, newer than the ${SCHEMA_VERSION} this runtrace reads`,
      fix: expect.stringContaining('upgrade runtrace'),
    });
  });

  it('fails a database whose pages are damaged', async () => {
    const path = join(dir, 'damaged.db');
    const store = openStore({ path });
    store.close();
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE filler (x TEXT); INSERT INTO filler SELECT hex(randomblob(500)) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) SELECT i FROM n)');
    db.close();
    // Overwrite a stretch of pages past the header with garbage.
    const handle = await open(path, 'r+');
    await handle.write(Buffer.alloc(16_384, 0xa5), 0, 16_384, 4096 * 3);
    await handle.close();
    const checks = checkDatabase(path, SCHEMA_VERSION);
    expect(checks.some((entry) => entry.status === 'fail')).toBe(true);
    expect(checks.at(-1)).toMatchObject({ status: 'fail', fix: expect.stringContaining('restore it from a backup') });
  });
});
