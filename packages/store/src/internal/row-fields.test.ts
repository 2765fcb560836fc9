import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { T0, makeSpan } from '../__fixtures__/spans.js';
import { resourceOf } from './row-fields.js';

function spanWith(resource: ReturnType<typeof resourceFromAttributes>): ReadableSpan {
  return { ...makeSpan({ spanId: 'a000000000000001', traceId: 'a'.repeat(32), startMs: T0, endMs: T0 + 1 }), resource };
}

describe('resourceOf', () => {
  it('reads a settled resource once and names it by a digest of its redacted attributes', () => {
    const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2.0', 'deployment.environment.name': 'prod', 'process.command_args': ['node', '--key=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'] });
    const first = resourceOf(spanWith(resource));
    expect(first.service).toEqual({ service_name: 'checkout', service_version: '1.2.0', deployment_environment: 'prod', resource: null });
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.values?.[4]).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789');
    // The same object for every span of the resource: nothing is redacted, serialized or hashed again.
    expect(resourceOf(spanWith(resource))).toBe(first);
  });

  it('asks a resource whose detectors are still running to settle, and reads it again once it has', async () => {
    let detect: (value: string) => void = () => undefined;
    const hostId = new Promise<string>((resolve) => (detect = resolve));
    const resource = resourceFromAttributes({ 'service.name': 'checkout', 'host.id': hostId });
    expect(resource.asyncAttributesPending).toBe(true);

    const before = resourceOf(spanWith(resource));
    expect(before.values?.[4]).toBe('{"service.name":"checkout"}');
    // Read once while pending, not once per span.
    expect(resourceOf(spanWith(resource))).toBe(before);

    detect('h-42');
    await new Promise((resolve) => setImmediate(resolve));
    // Nothing but resourceOf asked it to settle.
    expect(resource.asyncAttributesPending).toBe(false);
    const after = resourceOf(spanWith(resource));
    expect(after.values?.[4]).toBe('{"service.name":"checkout","host.id":"h-42"}');
    expect(after.id).not.toBe(before.id);
    expect(resourceOf(spanWith(resource))).toBe(after);
  });

  it('gives a span with no resource, or an empty one, no resource row', () => {
    const bare = { ...spanWith(resourceFromAttributes({})), resource: undefined } as unknown as ReadableSpan;
    expect(resourceOf(bare).id).toBeNull();
    expect(resourceOf(spanWith(resourceFromAttributes({}))).id).toBeNull();
  });
});
