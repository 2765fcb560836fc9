import { describe, expect, it } from 'vitest';
import { differingOptions } from './differing-options.js';

describe('differingOptions', () => {
  it('ignores options the later call leaves unset, and compares plain data by value', () => {
    expect(differingOptions({ store: '/a.db', otlp: { endpoint: 'http://x/v1/traces', headers: { k: 'v' } } }, {})).toEqual([]);
    expect(differingOptions({ store: '/a.db', otlp: { endpoint: 'http://x/v1/traces' } }, { store: '/a.db', otlp: { endpoint: 'http://x/v1/traces' } })).toEqual([]);
    expect(differingOptions({ resourceAttributes: { a: [1, 2] } }, { resourceAttributes: { a: [1, 2] } })).toEqual([]);
  });

  it('names each option set differently, including one the first call did not set', () => {
    expect(differingOptions({ store: '/a.db', contentPolicy: 'full' }, { store: '/b.db', contentPolicy: 'full', shutdownHooks: true })).toEqual(['store', 'shutdownHooks']);
    expect(differingOptions({ otlp: { endpoint: 'http://x' } }, { otlp: { endpoint: 'http://y' } })).toEqual(['otlp']);
  });

  it('compares functions and class instances by identity, and never counts the reporting options', () => {
    const sink = (): void => undefined;
    const destinations = [{ processor: new (class Processor {})() }];
    expect(differingOptions({ destinations }, { destinations })).toEqual([]);
    expect(differingOptions({ destinations }, { destinations: [{ processor: new (class Processor {})() }] })).toEqual(['destinations']);
    expect(differingOptions({}, { strict: true, quiet: true, diagnosticSink: sink })).toEqual([]);
  });
});
