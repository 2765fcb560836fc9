import { describe, expect, it } from 'vitest';
import { maskUrlPassword, storeUrlScheme } from './store-location.js';

describe('store locations', () => {
  it('tells a URL from a path', () => {
    expect(storeUrlScheme('postgres://db/traces')).toBe('postgres');
    expect(storeUrlScheme('PostgreSQL://db')).toBe('postgresql');
    expect(storeUrlScheme('./.runtrace/runtrace.db')).toBeUndefined();
    expect(storeUrlScheme('/var/lib/app/postgres:/x.db')).toBeUndefined();
    expect(storeUrlScheme('C:\\data\\runtrace.db')).toBeUndefined();
  });

  it('masks a URL password and nothing else', () => {
    expect(maskUrlPassword('postgres://app:s3cret@db:5432/traces')).toBe('postgres://app:***@db:5432/traces');
    expect(maskUrlPassword('postgres://app@db/traces')).toBe('postgres://app@db/traces');
    expect(maskUrlPassword('mysql://db/traces')).toBe('mysql://db/traces');
  });
});
