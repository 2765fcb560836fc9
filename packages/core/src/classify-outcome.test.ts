import { describe, expect, it } from 'vitest';
import { classifyOutcome, isAbortError, isTimeoutError } from './classify-outcome.js';

describe('classifyOutcome', () => {
  it('treats no error as completed', () => {
    expect(classifyOutcome(undefined)).toEqual({ status: 'completed' });
    expect(classifyOutcome(null)).toEqual({ status: 'completed' });
  });

  it('treats an abort as interrupted', () => {
    expect(classifyOutcome(new DOMException('stopped', 'AbortError')).status).toBe('interrupted');
    const controller = new AbortController();
    controller.abort();
    expect(classifyOutcome(controller.signal.reason).status).toBe('interrupted');
    expect(classifyOutcome(undefined, { signal: controller.signal }).status).toBe('interrupted');
    expect(classifyOutcome(Object.assign(new Error('aborted'), { code: 'UND_ERR_ABORTED' })).status).toBe('interrupted');
  });

  it("treats the OpenAI and Anthropic SDKs' APIUserAbortError (named plain Error) as interrupted", () => {
    // The SDKs throw this when the caller's signal aborts before the response arrived.
    class APIError extends Error {}
    class APIUserAbortError extends APIError {}
    const error = new APIUserAbortError('Request was aborted.');
    expect(error.name).toBe('Error');
    expect(isAbortError(error)).toBe(true);
    expect(classifyOutcome(error)).toEqual({ status: 'interrupted', message: 'Request was aborted.' });
    class APIConnectionTimeoutError extends APIError {}
    expect(classifyOutcome(new APIConnectionTimeoutError('Request timed out.'))).toEqual({ status: 'error', errorType: 'timeout', message: 'Request timed out.' });
  });

  it("treats the SDKs' APIConnectionTimeoutError as a timeout, by class or by name", () => {
    class APIConnectionTimeoutError extends Error {}
    expect(isTimeoutError(new APIConnectionTimeoutError('Request timed out.'))).toBe(true);
    expect(isTimeoutError(Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' }))).toBe(true);
  });

  it('follows the cause chain: a cancellation or a timeout wrapped in another error keeps its meaning', () => {
    class APIConnectionError extends Error {}
    const cancelled = new APIConnectionError('Connection error.', { cause: new TypeError('fetch failed', { cause: new DOMException('stop', 'AbortError') }) });
    expect(classifyOutcome(cancelled)).toEqual({ status: 'interrupted', message: 'Connection error.' });
    const timedOut = new APIConnectionError('Connection error.', { cause: Object.assign(new Error('connect'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    expect(classifyOutcome(timedOut)).toMatchObject({ status: 'error', errorType: 'timeout' });
    // A timeout anywhere in the chain wins over an abort.
    const both = new Error('outer', { cause: new DOMException('stop', 'AbortError') });
    Object.assign(both.cause as object, { cause: Object.assign(new Error('t'), { code: 'ETIMEDOUT' }) });
    expect(classifyOutcome(both).errorType).toBe('timeout');
    // A plain failure wrapped twice stays a failure, typed by the outer error.
    const refused = new APIConnectionError('Connection error.', { cause: new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }) });
    expect(classifyOutcome(refused)).toMatchObject({ status: 'error', errorType: 'APIConnectionError' });
  });

  it('treats a timeout as error with error.type timeout, even when it arrives as an abort', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(isTimeoutError(signal.reason)).toBe(true);
    expect(classifyOutcome(signal.reason)).toMatchObject({ status: 'error', errorType: 'timeout' });
    expect(classifyOutcome(new DOMException('x', 'AbortError'), { signal })).toMatchObject({
      status: 'error',
      errorType: 'timeout',
    });
    expect(classifyOutcome(Object.assign(new Error('slow'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toEqual({
      status: 'error',
      errorType: 'timeout',
      message: 'slow',
    });
  });

  it('treats anything else as error, typed by code or class name', () => {
    expect(classifyOutcome(new TypeError('bad'))).toEqual({ status: 'error', errorType: 'TypeError', message: 'bad' });
    expect(classifyOutcome(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toMatchObject({
      status: 'error',
      errorType: 'ECONNREFUSED',
    });
    class ProviderFailure extends Error {}
    expect(classifyOutcome(new ProviderFailure('x')).errorType).toBe('ProviderFailure');
    expect(classifyOutcome('plain string')).toEqual({ status: 'error', errorType: 'string', message: 'plain string' });
  });

  it('does not mistake ordinary errors for aborts', () => {
    expect(isAbortError(new Error('abort mission'))).toBe(false);
    expect(isAbortError(undefined)).toBe(false);
  });
});
