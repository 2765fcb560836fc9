import { ROOT_CONTEXT, context, createContextKey, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkedContext, MAX_LINKS, linkContext } from './linked-context.js';

const A = createContextKey('test.a');
const B = createContextKey('test.b');

describe('LinkedContext', () => {
  it('reads its own value, then its parents', () => {
    const base = ROOT_CONTEXT.setValue(A, 'base-a').setValue(B, 'base-b');
    const linked = linkContext(base, A, 'linked-a');
    expect(linked).toBeInstanceOf(LinkedContext);
    expect(linked.getValue(A)).toBe('linked-a');
    expect(linked.getValue(B)).toBe('base-b');
    // The parent is left as it was.
    expect(base.getValue(A)).toBe('base-a');
  });

  it('hides a deleted value of its parents, and sets it again over the deletion', () => {
    const base = ROOT_CONTEXT.setValue(A, 'a');
    const deleted = linkContext(base, A, 'x').deleteValue(A);
    expect(deleted.getValue(A)).toBeUndefined();
    expect(deleted.setValue(A, 'again').getValue(A)).toBe('again');
  });

  it('carries a span for the OpenTelemetry API like any context', () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const entered = trace.setSpan(linkContext(ROOT_CONTEXT, A, 'run'), span);
    expect(entered).toBeInstanceOf(LinkedContext);
    expect(trace.getSpan(entered)).toBe(span);
    expect(entered.getValue(A)).toBe('run');
    expect(trace.getSpan(trace.deleteSpan(entered))).toBeUndefined();
  });

  it(`flattens a chain deeper than ${MAX_LINKS} links into its base, keeping every value`, () => {
    const C = createContextKey('test.c');
    const base = ROOT_CONTEXT.setValue(B, 'deleted later').setValue(C, 'kept');
    let current = linkContext(base, A, 0);
    for (let index = 1; index < MAX_LINKS; index++) current = current.setValue(A, index);
    expect(current).toBeInstanceOf(LinkedContext);
    // One more: the values move onto a context of the base's kind, and links start over.
    const flat = current.deleteValue(B);
    expect(flat).not.toBeInstanceOf(LinkedContext);
    expect(flat.getValue(A)).toBe(MAX_LINKS - 1);
    expect(flat.getValue(B)).toBeUndefined();
    expect(flat.getValue(C)).toBe('kept');
    const deep = linkContext(flat.setValue(A, 'last'), B, 'linked');
    expect(deep).toBeInstanceOf(LinkedContext);
    expect(deep.getValue(A)).toBe('last');
    expect(deep.getValue(B)).toBe('linked');
  });

  describe('as the active context', () => {
    const manager = new AsyncLocalStorageContextManager();
    beforeAll(() => {
      context.setGlobalContextManager(manager.enable());
    });
    afterAll(() => {
      context.disable();
    });

    it('is what context.active() returns inside context.with, across awaits', async () => {
      const linked = linkContext(ROOT_CONTEXT, A, 'active');
      const seen = await context.with(linked, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return context.active().getValue(A);
      });
      expect(seen).toBe('active');
      expect(context.active().getValue(A)).toBeUndefined();
    });
  });
});
