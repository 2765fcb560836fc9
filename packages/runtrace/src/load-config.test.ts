import { describe, expect, it } from 'vitest';
import { ConfigError } from '@runtrace/core';
import { loadConfig, parseOtlpHeaders } from './load-config.js';

describe('loadConfig', () => {
  it('reads nothing from an empty environment', () => {
    expect(loadConfig({})).toEqual({ otlp: {}, metricsExporterConfigured: false, logsExporterConfigured: false, problems: [] });
  });

  it('appends /v1/traces to the generic endpoint and uses the traces endpoint as given', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlp.endpoint).toBe('http://collector:4318/v1/traces');
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example/custom/traces' }).otlp.endpoint,
    ).toBe('https://b.example/custom/traces');
  });

  it('merges headers (traces-specific win), decodes values, and reads protocol, timeout and compression', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team=one',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=two',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    expect(config.otlp).toEqual({ headers: { authorization: 'Bearer abc', 'x-team': 'two' }, protocol: 'http/json', timeoutMillis: 2500, compression: 'gzip' });
    expect(config.problems).toEqual([]);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/ca.pem', OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: 'key.pem' }).otlp.tlsFiles).toEqual({
      certificate: { path: '/etc/ca.pem', variable: 'OTEL_EXPORTER_OTLP_CERTIFICATE' },
      clientKey: { path: 'key.pem', variable: 'OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY' },
    });
  });

  it('reads runtrace settings', () => {
    const config = loadConfig({
      RUNTRACE_DB: '/tmp/x.db',
      RUNTRACE_CONTENT: 'full',
      RUNTRACE_STALE_AFTER: '90s',
      RUNTRACE_FETCH: 'off',
      RUNTRACE_OTLP_CONTENT: 'full',
      OTEL_SERVICE_NAME: 'svc',
      RUNTRACE_STORE: 'off',
      RUNTRACE_SHUTDOWN_TIMEOUT: '5s',
      RUNTRACE_LOG: 'silent',
    });
    expect(config).toMatchObject({
      storePath: '/tmp/x.db',
      contentPolicy: 'full',
      staleAfterMs: 90_000,
      fetchDisabled: true,
      otlpContent: 'full',
      serviceName: 'svc',
      storeDisabled: true,
      shutdownTimeoutMs: 5_000,
      quiet: true,
      problems: [],
    });
    expect(loadConfig({ RUNTRACE_LOG: 'warn' }).quiet).toBeUndefined();
  });

  it('in strict mode, throws a ConfigError naming the variable when a value cannot be used', () => {
    const strict = { strict: true };
    expect(() => loadConfig({ RUNTRACE_CONTENT: 'everything' }, strict)).toThrow(ConfigError);
    expect(() => loadConfig({ RUNTRACE_CONTENT: 'everything' }, strict)).toThrow(/RUNTRACE_CONTENT/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, strict)).toThrow(/grpc is not supported/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, strict)).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ RUNTRACE_SHUTDOWN_TIMEOUT: 'soon' }, strict)).toThrow(/RUNTRACE_SHUTDOWN_TIMEOUT/);
    expect(() => parseOtlpHeaders('novalue')).toThrow(/key=value/);
  });

  it('otherwise ignores each unusable value, keeps the default for that one setting, and says so', () => {
    const config = loadConfig({
      RUNTRACE_CONTENT: 'everything',
      RUNTRACE_STALE_AFTER: 'never',
      RUNTRACE_OTLP_CONTENT: 'all',
      RUNTRACE_SHUTDOWN_TIMEOUT: '-1',
      RUNTRACE_LOG: 'loud',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TIMEOUT: 'ten',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
      RUNTRACE_DB: '/tmp/kept.db',
    });
    expect(config.problems.map((problem) => problem.variable).sort()).toEqual(
      [
        'OTEL_EXPORTER_OTLP_COMPRESSION',
        'OTEL_EXPORTER_OTLP_PROTOCOL',
        'OTEL_EXPORTER_OTLP_TIMEOUT',
        'RUNTRACE_CONTENT',
        'RUNTRACE_LOG',
        'RUNTRACE_OTLP_CONTENT',
        'RUNTRACE_SHUTDOWN_TIMEOUT',
        'RUNTRACE_STALE_AFTER',
      ].sort(),
    );
    // Defaults apply to the bad settings (an unreadable content policy means the narrower
    // `metadata`, whatever the default would be); the good one is kept.
    expect(config).toMatchObject({ otlp: {}, storePath: '/tmp/kept.db' });
    expect(config.contentPolicy).toBe('metadata');
    expect(config.staleAfterMs).toBeUndefined();
    const content = config.problems.find((problem) => problem.variable === 'RUNTRACE_CONTENT');
    expect(content?.message).toBe('RUNTRACE_CONTENT: expected none, metadata or full, got "everything"; using metadata instead: fix or unset RUNTRACE_CONTENT');
    expect(content?.error).toBeInstanceOf(ConfigError);
    expect(config.problems.find((problem) => problem.variable === 'OTEL_EXPORTER_OTLP_PROTOCOL')?.message).toContain('using http/protobuf instead');
    expect(config.problems.find((problem) => problem.variable === 'RUNTRACE_SHUTDOWN_TIMEOUT')?.message).toContain('using 2000 ms instead');
  });

  it('falls back from a bad traces-specific variable to the generic one, and says which is used', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(config.otlp).toMatchObject({ endpoint: 'http://collector:4318/v1/traces', endpointVariable: 'OTEL_EXPORTER_OTLP_ENDPOINT' });
    expect(config.problems[0]?.message).toContain('using http://collector:4318/v1/traces instead');
    const none = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    expect(none.otlp.endpoint).toBeUndefined();
    expect(none.problems[0]?.message).toContain('OTLP export stays off');
  });

  it('never repeats a header value (it may be a credential) when the headers cannot be parsed', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer abc,sk-secret-token', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=two' });
    expect(config.otlp.headers).toEqual({ 'x-team': 'two' });
    expect(config.problems).toHaveLength(1);
    expect(config.problems[0]?.message).toContain('pair 2 of 2');
    expect(config.problems[0]?.message).not.toContain('sk-secret-token');
    expect(config.problems[0]?.message).not.toContain('Bearer');
  });
});
