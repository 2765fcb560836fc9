import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOp } from '../__fixtures__/run-op.js';
import { openDatabaseFile } from './open-database-file.js';
import { writeOpOf } from './ops-codec.js';
import { SpanWriter } from './span-writer.js';
import { WAL_CHECKPOINT_PAGES, WRITER_CACHE_KIB, openDatabase } from './sqlite-connection.js';

describe('openDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runtrace-connection-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets the store pragmas on every connection', () => {
    openDatabaseFile(join(dir, 'runtrace.db'), 5000).close();
    const db = openDatabase(join(dir, 'runtrace.db'), { busyTimeoutMs: 1234 });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    } finally {
      db.close();
    }
  });

  it('gives a connection the page cache it asks for, and readers the larger default', () => {
    openDatabaseFile(join(dir, 'runtrace.db'), 5000).close();
    const writer = openDatabase(join(dir, 'runtrace.db'), { cacheKiB: WRITER_CACHE_KIB });
    const reader = openDatabase(join(dir, 'runtrace.db'));
    try {
      expect(writer.pragma('cache_size', { simple: true })).toBe(-WRITER_CACHE_KIB);
      expect(reader.pragma('cache_size', { simple: true })).toBe(-16_000);
      expect(WRITER_CACHE_KIB).toBeLessThan(16_000);
    } finally {
      writer.close();
      reader.close();
    }
  });

  it("lets the write-ahead log grow past SQLite's default of 1,000 pages before folding it into the file", () => {
    const path = join(dir, 'runtrace.db');
    openDatabaseFile(path, 5000).close();
    const writer = new SpanWriter(openDatabase(path));
    const pageSize = Number(writer.database.pragma('page_size', { simple: true }));
    try {
      // About 3,400 pages in 24 commits of about 140 each. At SQLite's default the log would
      // restart from its start after each checkpoint and never pass about 1,150 pages.
      for (let commit = 0; commit < 24; commit++) {
        const ops = Array.from({ length: 100 }, (_, index) => {
          const id = (commit * 100 + index).toString(16).padStart(16, '0');
          return writeOpOf(runOp(id, 'run', JSON.stringify({ note: `${id} `.repeat(175) })));
        });
        writer.write(ops);
      }
      const walPages = statSync(`${path}-wal`).size / pageSize;
      expect(walPages).toBeGreaterThan(2_500);
      expect(walPages).toBeLessThan(WAL_CHECKPOINT_PAGES);
      const reader = openDatabase(path);
      try {
        expect(reader.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(2_400);
      } finally {
        reader.close();
      }
    } finally {
      writer.database.close();
    }
  });
});
