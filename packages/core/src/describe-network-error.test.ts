import { describe, expect, it } from 'vitest';
import { describeNetworkError, networkErrorCode } from './describe-network-error.js';

describe('describeNetworkError', () => {
  it('names a known code, also when fetch wraps it in a cause', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
    expect(describeNetworkError(socket)).toBe('connection refused (ECONNREFUSED)');
    const wrapped = new TypeError('fetch failed', { cause: socket });
    expect(networkErrorCode(wrapped)).toBe('ECONNREFUSED');
    expect(describeNetworkError(wrapped)).toBe('connection refused (ECONNREFUSED)');
  });

  it('falls back to the innermost message', () => {
    expect(describeNetworkError(new TypeError('fetch failed', { cause: new Error('other side hung up') }))).toBe('other side hung up');
    expect(describeNetworkError('plain')).toBe('plain');
  });
});
