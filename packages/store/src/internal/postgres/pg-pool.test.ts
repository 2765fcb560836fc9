import { InvalidArgumentError } from '@runtrace/core';
import { describe, expect, it } from 'vitest';
import { pgConnection } from './pg-pool.js';

describe('pgConnection', () => {
  it("applies the caller's pool size and the shared timeouts, and hides the password", () => {
    expect(pgConnection({ url: 'postgres://ada:s3cret@db.example:5432/runs' }, 4)).toEqual({
      url: 'postgres://ada:s3cret@db.example:5432/runs',
      location: expect.not.stringContaining('s3cret') as unknown,
      maxConnections: 4,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
    });
    const given = pgConnection({ url: 'postgres://db.example/runs', maxConnections: 9, statementTimeoutMs: 500, connectTimeoutMs: 700 }, 2);
    expect([given.maxConnections, given.statementTimeoutMs, given.connectTimeoutMs]).toEqual([9, 500, 700]);
  });

  it('rejects a setting that is not a positive integer, naming it', () => {
    expect(() => pgConnection({ url: 'postgres://db.example/runs', maxConnections: 0 }, 2)).toThrow(InvalidArgumentError);
    expect(() => pgConnection({ url: 'postgres://db.example/runs', statementTimeoutMs: 1.5 }, 2)).toThrow(/statementTimeoutMs/);
    expect(() => pgConnection({ url: 'postgres://db.example/runs', connectTimeoutMs: -1 }, 2)).toThrow(/connectTimeoutMs/);
  });
});
