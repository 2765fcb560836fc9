import { describe, expect, it } from 'vitest';
import { wireResponseError } from './wire-response-error.js';

describe('wireResponseError', () => {
  it('names the error by its most specific field', () => {
    expect(wireResponseError({ message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' })).toEqual({ type: 'rate_limit_exceeded', message: 'Rate limit reached' });
    expect(wireResponseError({ type: 'overloaded_error', message: 'Overloaded' })).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    expect(wireResponseError({ code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' })).toEqual({ type: 'UNAVAILABLE', message: 'The model is overloaded.' });
    expect(wireResponseError({ code: 500 })).toEqual({ type: '500' });
    expect(wireResponseError('bad gateway')).toEqual({ type: 'error', message: 'bad gateway' });
    expect(wireResponseError(null)).toEqual({ type: 'error' });
    expect(wireResponseError({ type: '', code: '', message: 7 })).toEqual({ type: 'error' });
  });
});
