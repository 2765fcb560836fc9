// Wraps an AsyncIterable or a web ReadableStream so its step stays open, and in context, while it is read.
import { context } from '@opentelemetry/api';
import type { StepState } from './recorder-core.js';
import type { StreamTracker } from './stream-tracker.js';

const ITERATOR_METHODS = new Set<PropertyKey>(['next', 'return', 'throw']);

/**
 * Wraps an async iterable. Reading it through the returned proxy, through the source's own
 * methods that iterate it (`toReadableStream()` of an OpenAI stream calls `this[Symbol.asyncIterator]()`),
 * or through the source object itself all go through the recording iterator: the source gets an own
 * `Symbol.asyncIterator` that returns it (when the source is extensible). `tee()` returns the
 * source's branches with the first one recorded. Other members stay reachable, bound to the source.
 */
export function wrapAsyncIterable<S extends AsyncIterable<unknown>>(step: StepState, source: S, tracker: StreamTracker): S {
  const ctx = step.context;
  const openSource = source[Symbol.asyncIterator];
  let iterator: AsyncIterator<unknown> | undefined;
  let finished = false;
  const open = (): AsyncIterator<unknown> => {
    iterator ??= context.with(ctx, () => openSource.call(source));
    return iterator;
  };
  const wrapped: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]() {
      return wrapped;
    },
    async next(...args: [] | [unknown]) {
      if (finished) return { done: true, value: undefined };
      step.busy += 1;
      let result: IteratorResult<unknown>;
      try {
        const inner = open();
        // Re-enter the step's context for every pull: the consumer may iterate from anywhere.
        result = await context.with(ctx, () => inner.next(...args));
      } catch (error: unknown) {
        finished = true;
        tracker.failed(error);
        throw error;
      } finally {
        step.busy -= 1;
      }
      if (result.done === true) {
        finished = true;
        tracker.ended(ownSignal(source));
      } else {
        tracker.onChunk(result.value);
      }
      return result;
    },
    async return(value?: unknown) {
      if (!finished) {
        finished = true;
        tracker.consumerStopped();
      }
      const inner = iterator;
      if (inner?.return !== undefined) {
        const result: IteratorResult<unknown> = await context.with(ctx, () => inner.return!(value));
        return { done: true, value: result.value as unknown };
      }
      return { done: true, value };
    },
    async throw(error?: unknown) {
      if (!finished) {
        finished = true;
        tracker.consumerStopped(error);
      }
      const inner = iterator;
      if (inner?.throw !== undefined) return context.with(ctx, () => inner.throw!(error));
      throw error;
    },
  };
  const recordingIterator = (): AsyncIterableIterator<unknown> => wrapped;
  try {
    // The source's own methods iterate `this`, not the proxy: route them through the recording iterator too.
    Object.defineProperty(source, Symbol.asyncIterator, { value: recordingIterator, configurable: true, writable: true, enumerable: false });
  } catch {
    // A frozen or non-extensible source: only reads through the proxy are recorded.
  }
  const tee = (target: S, teeSource: (...args: unknown[]) => unknown) =>
    (...args: unknown[]): unknown => {
      const branches = teeSource.apply(target, args);
      // The source's tee reads it without going through `Symbol.asyncIterator`: record its first branch instead.
      if (iterator === undefined && !finished && Array.isArray(branches)) {
        const list = branches as unknown[];
        const first = list[0];
        if (isAsyncIterable(first)) return [wrapAsyncIterable(step, first, tracker), ...list.slice(1)];
      }
      return branches;
    };
  return new Proxy(source, {
    get(target, key) {
      if (key === Symbol.asyncIterator) return recordingIterator;
      const value = Reflect.get(target, key, target) as unknown;
      if (ITERATOR_METHODS.has(key) && typeof value === 'function') return Reflect.get(wrapped, key) as unknown;
      if (key === 'tee' && typeof value === 'function') return tee(target, value as (...args: unknown[]) => unknown);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The abort signal of an SDK stream that owns its request (the `controller` of OpenAI and Anthropic streams). */
function ownSignal(source: object): AbortSignal | undefined {
  try {
    const signal = (source as { controller?: { signal?: unknown } }).controller?.signal;
    return signal instanceof AbortSignal ? signal : undefined;
  } catch {
    return undefined;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** Wraps a web ReadableStream in a new one that pulls only on demand. */
export function wrapReadableStream<T>(step: StepState, source: ReadableStream<T>, tracker: StreamTracker): ReadableStream<T> {
  const ctx = step.context;
  let reader: ReadableStreamDefaultReader<T> | undefined;
  return new ReadableStream<T>(
    {
      async pull(controller) {
        reader ??= source.getReader();
        const active = reader;
        step.busy += 1;
        let result: Awaited<ReturnType<ReadableStreamDefaultReader<T>['read']>>;
        try {
          result = await context.with(ctx, () => active.read());
        } catch (error: unknown) {
          tracker.failed(error);
          controller.error(error);
          return;
        } finally {
          step.busy -= 1;
        }
        if (result.done) {
          tracker.ended();
          controller.close();
          return;
        }
        tracker.onChunk(result.value);
        controller.enqueue(result.value);
      },
      async cancel(reason: unknown) {
        tracker.consumerStopped(reason);
        await context.with(ctx, () => (reader === undefined ? source.cancel(reason) : reader.cancel(reason)));
      },
    },
    { highWaterMark: 0 },
  );
}
