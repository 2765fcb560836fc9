import { describe, expect, it } from 'vitest';
import { ConfigError } from '@runtrace/core';
import { loadConfig, parseOtlpHeaders } from './load-config.js';

describe('loadConfig', () => {
  it('reads nothing from an empty environment', () => {
    expect(loadConfig({})).toEqual({ otlp: {}, metricsExporterConfigured: false, logsExporterConfigured: false });
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
  });

  it('reads runtrace settings', () => {
    const config = loadConfig({ RUNTRACE_DB: '/tmp/x.db', RUNTRACE_CONTENT: 'full', RUNTRACE_STALE_AFTER: '90s', RUNTRACE_FETCH: 'off', RUNTRACE_OTLP_CONTENT: 'full', OTEL_SERVICE_NAME: 'svc', RUNTRACE_STORE: 'off' });
    expect(config).toMatchObject({ storePath: '/tmp/x.db', contentPolicy: 'full', staleAfterMs: 90_000, fetchDisabled: true, otlpContent: 'full', serviceName: 'svc', storeDisabled: true });
  });

  it('names the variable when a value cannot be used', () => {
    expect(() => loadConfig({ RUNTRACE_CONTENT: 'everything' })).toThrow(ConfigError);
    expect(() => loadConfig({ RUNTRACE_CONTENT: 'everything' })).toThrow(/RUNTRACE_CONTENT/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/grpc is not supported/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => parseOtlpHeaders('novalue')).toThrow(/key=value/);
  });
});
