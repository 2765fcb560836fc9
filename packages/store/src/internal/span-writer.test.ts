import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOp } from '../__fixtures__/run-op.js';
import { encodeOps } from './ops-codec.js';
import { openDatabaseFile } from './open-database-file.js';
import { SpanWriter, writeUnits } from './span-writer.js';
import type { SqliteDatabase } from './sqlite-connection.js';

describe('writeUnits', () => {
  let dir: string;
  let db: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runtrace-span-writer-'));
    db = openDatabaseFile(join(dir, 'runtrace.db'), 1_000);
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = (): string[] => (db.prepare('SELECT name FROM runs ORDER BY name').pluck().all() as string[]);

  it('writes units together, and a damaged unit among them fails alone: the others are written', () => {
    const damaged = encodeOps([runOp('a000000000000003', 'third'), runOp('a000000000000004', 'fourth')]);
    // The header claims one op more than the buffer holds: the third op is read past the end.
    const header = new Uint32Array(damaged, 0, 4);
    header[0] = header[0]! + 1;
    const units = [
      { id: 1, encoded: encodeOps([runOp('a000000000000001', 'first'), runOp('a000000000000002', 'second')]) },
      { id: 2, encoded: damaged },
      { id: 3, encoded: encodeOps([runOp('a000000000000005', 'fifth')]) },
    ];
    const settled: { ids: number[]; error?: string }[] = [];
    writeUnits(new SpanWriter(db), units, 2_000, (ids, error) => settled.push(error === undefined ? { ids } : { ids, error: error instanceof Error ? error.message : 'not an Error' }));
    expect(settled).toEqual([{ ids: [1] }, { ids: [2], error: expect.stringMatching(/damaged/) as unknown as string }, { ids: [3] }]);
    // The damaged unit's transaction was rolled back whole: none of its rows is left.
    expect(names()).toEqual(['fifth', 'first', 'second']);
  });

  it('splits units into transactions of at most maxBatchSpans, each settled once written', () => {
    const units = [1, 2, 3].map((id) => ({ id, encoded: encodeOps([runOp(`b00000000000000${id}`, `run ${id}a`), runOp(`c00000000000000${id}`, `run ${id}b`)]) }));
    const settled: number[][] = [];
    writeUnits(new SpanWriter(db), units, 4, (ids, error) => {
      expect(error).toBeUndefined();
      settled.push(ids);
    });
    expect(settled).toEqual([[1, 2], [3]]);
    expect(names()).toHaveLength(6);
  });

  it('settles a buffer too short to hold a header as failed', () => {
    const settled: { ids: number[]; failed: boolean }[] = [];
    writeUnits(new SpanWriter(db), [{ id: 7, encoded: new ArrayBuffer(3) }], 2_000, (ids, error) => settled.push({ ids, failed: error !== undefined }));
    expect(settled).toEqual([{ ids: [7], failed: true }]);
  });
});
