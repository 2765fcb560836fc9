import { describe, expect, it } from 'vitest';
import { DEFAULT_OTLP_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, loadConfig } from 'runtrace';
import { describeConfiguration, maskUrl } from './describe-configuration.js';

const defaults = { shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS, otlpTimeoutMs: DEFAULT_OTLP_TIMEOUT_MS };

describe('describeConfiguration', () => {
  it('shows each setting with its source, and never a header value or a password', () => {
    const config = loadConfig({
      RUNTRACE_CONTENT: 'full',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:hunter2@collector.example:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20sk-live-123,x-team=search',
    });
    const shown = describeConfiguration(config, { path: '/app/.runtrace/runtrace.db', source: 'default' }, defaults);
    expect(shown.content).toEqual({ value: 'full', source: 'RUNTRACE_CONTENT' });
    expect(shown.store).toEqual({ value: '/app/.runtrace/runtrace.db', source: 'default' });
    expect(shown['shutdown timeout']).toEqual({ value: '2.00s', source: 'default' });
    expect(shown['otlp headers']?.value).toBe('authorization=****, x-team=****');
    const text = JSON.stringify(shown);
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('search');
    expect(shown.otlp).toEqual({ value: 'https://****@collector.example:4318/v1/traces', source: 'OTEL_EXPORTER_OTLP_ENDPOINT' });
  });

  it('says OTLP is off without an endpoint', () => {
    expect(describeConfiguration(loadConfig({}), { path: '/x.db', source: '--db' }, defaults).otlp).toEqual({ value: 'off', source: 'no OTEL_EXPORTER_OTLP_ENDPOINT' });
    expect(maskUrl('http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces');
  });
});
