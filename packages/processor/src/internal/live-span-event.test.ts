import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { LiveSpanEvent } from './live-span-event.js';

const live = { name: 'live' } as unknown as ReadableSpan;

describe('LiveSpanEvent', () => {
  it('takes the snapshot on the first read of span, once', () => {
    const taken: ReadableSpan[] = [];
    const take = (span: ReadableSpan): ReadableSpan => {
      taken.push(span);
      return { name: 'snapshot' } as unknown as ReadableSpan;
    };
    const event = new LiveSpanEvent('run-start', live, 'span-1', take);
    expect(taken).toEqual([]);
    const first = event.span;
    expect(event.span).toBe(first);
    expect(first.name).toBe('snapshot');
    expect(taken).toEqual([live]);
    expect({ type: event.type, spanId: event.spanId }).toEqual({ type: 'run-start', spanId: 'span-1' });
  });

  it('keeps span an own enumerable property, with one getter shared by every event', () => {
    const take = (span: ReadableSpan): ReadableSpan => span;
    const a = new LiveSpanEvent('run-start', live, 'a', take);
    const b = new LiveSpanEvent('step-start', live, 'b', take);
    expect(Object.keys(a)).toEqual(['type', 'spanId', 'span']);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
    const getterOf = (event: LiveSpanEvent): unknown => Object.getOwnPropertyDescriptor(event, 'span')?.get;
    expect(getterOf(a)).toBeTypeOf('function');
    // A getter per event (a closure in an object literal) gives each event a hidden class of its
    // own in V8's old generation, which keeps the live span from young-generation collection.
    expect(getterOf(b)).toBe(getterOf(a));
    expect({ ...b }.span).toBe(live);
  });
});
