import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RunFinalizedError, RunNotFoundError, RuntraceError } from './errors.js';

describe('errors', () => {
  it('carry a stable code, their class name, structured fields and the cause', () => {
    const cause = new Error('root');
    const error = new RunFinalizedError('abc123', { cause });
    expect(error).toBeInstanceOf(RuntraceError);
    expect(error.code).toBe('RUNTRACE_RUN_FINALIZED');
    expect(error.name).toBe('RunFinalizedError');
    expect(error.message).toBe('run abc123 is already finalized');
    expect(error.runId).toBe('abc123');
    expect(error.cause).toBe(cause);
  });

  it('keep "not found" distinct from "finalized"', () => {
    const error = new RunNotFoundError('zzz');
    expect(error.code).toBe('RUNTRACE_RUN_NOT_FOUND');
    expect(error.message).toContain('not found');
    expect(error.message).not.toContain('finalized');
  });

  it('name the parameter and value of an invalid argument', () => {
    const error = new InvalidArgumentError('staleAfter', -5, 'a positive number of milliseconds');
    expect(error.parameter).toBe('staleAfter');
    expect(error.value).toBe(-5);
    expect(error.message).toBe('invalid staleAfter: -5 (a positive number of milliseconds)');
  });
});
