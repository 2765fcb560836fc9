// The write-once guard: a tracked span's mutators are replaced so that, once the span has ended
// or its runtrace status is terminal, an application's write is dropped (and counted) instead of
// changing what was recorded; the processor's own writes (sweep, shutdown, redaction) pass.
import type { Attributes, Exception, Link, SpanStatus, TimeInput } from '@opentelemetry/api';
import { diag, SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { RunStatuses, RuntraceAttributes, SpanKinds } from '@runtrace/core';
import type { ProcessorErrorContext } from '../run-span-processor-options.js';
import { isTerminalValue } from './run-registry.js';
import type { Mutators, RunGroup, SpanEntry } from './run-registry.js';

/**
 * Writes that RunSpanProcessor itself makes (sweep, shutdown, redaction) must pass through the
 * write-once wrappers of every RunSpanProcessor instance — even one from another copy of this
 * package — so the flag lives on `globalThis` under a registered symbol.
 */
const INTERNAL_WRITE_KEY = Symbol.for('@runtrace/processor.internal-write');
export const internalWrite: { span: object | undefined } = ((globalThis as Record<symbol, unknown>)[INTERNAL_WRITE_KEY] ??= {
  span: undefined,
}) as { span: object | undefined };

export function asInternalWrite<T>(span: object, write: () => T): T {
  const previous = internalWrite.span;
  internalWrite.span = span;
  try {
    return write();
  } finally {
    internalWrite.span = previous;
  }
}

/** What the guard needs from the processor. */
export interface WriteOnceHooks {
  /** The entry of a tracked span, or undefined. */
  entryOf(span: object): SpanEntry | undefined;
  /** Counts a write as the span's (and its run's) activity. */
  touch(entry: SpanEntry): void;
  /** A write to a run span: live listeners hear of it. */
  scheduleRunUpdate(group: RunGroup): void;
  report(error: unknown, context: ProcessorErrorContext): void;
}

export class WriteOnceGuard {
  readonly #hooks: WriteOnceHooks;
  /** Writes dropped, over every span. */
  lateWrites = 0;

  constructor(hooks: WriteOnceHooks) {
    this.#hooks = hooks;
  }

  /** The replacements of a tracked span's mutators (one set, shared by every span). */
  wrappers(): Mutators {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers' own `this` is the span
    const guard = this;
    /** The methods to delegate to: the ones this processor replaced, or the prototype's. */
    const originalOf = (span: Span, entry: SpanEntry | undefined): Mutators =>
      entry?.original ?? (Object.getPrototypeOf(span) as Mutators);
    return {
      setAttribute(this: Span, key: string, value: unknown): Span {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admitAttribute(this, entry, key, value)) originalOf(this, entry).setAttribute.call(this, key, value);
        return this;
      },
      setAttributes(this: Span, attributes: Attributes): Span {
        const entry = guard.#hooks.entryOf(this);
        const accepted = guard.#admitAttributes(this, entry, attributes);
        if (accepted !== undefined) originalOf(this, entry).setAttributes.call(this, accepted);
        return this;
      },
      addEvent(this: Span, name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): Span {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admit(this, entry, true)) originalOf(this, entry).addEvent.call(this, name, attributesOrTime, time);
        return this;
      },
      addLink(this: Span, link: Link): Span {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admit(this, entry, false)) originalOf(this, entry).addLink.call(this, link);
        return this;
      },
      addLinks(this: Span, links: Link[]): Span {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admit(this, entry, false)) originalOf(this, entry).addLinks.call(this, links);
        return this;
      },
      updateName(this: Span, name: string): Span {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admit(this, entry, true)) originalOf(this, entry).updateName.call(this, name);
        return this;
      },
      recordException(this: Span, exception: Exception, time?: TimeInput): void {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admit(this, entry, false)) originalOf(this, entry).recordException.call(this, exception, time);
      },
      setStatus(this: Span, status: SpanStatus): Span {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admit(this, entry, true, !guard.#statusWriteAllowed(this, status))) {
          originalOf(this, entry).setStatus.call(this, status);
        }
        return this;
      },
      end(this: Span, endTime?: TimeInput): void {
        const entry = guard.#hooks.entryOf(this);
        if (guard.#admitEnd(this, entry)) originalOf(this, entry).end.call(this, endTime);
      },
    };
  }

  /**
   * Decides whether an application write reaches the span: writes to an ended span, and
   * `refused` writes (a status change after a terminal status), are dropped (and counted) before
   * the SDK can log a warning for each; other writes count as activity.
   * Never throws: a failure here lets the write through.
   */
  #admit(span: Span, entry: SpanEntry | undefined, runUpdate: boolean, refused = false): boolean {
    if (entry === undefined || internalWrite.span === span) return true;
    try {
      if (entry.ended) {
        this.#lateWrite(entry);
        return false;
      }
      this.#hooks.touch(entry);
      if (refused) {
        this.#lateWrite(entry);
        return false;
      }
      if (runUpdate && entry.kind === SpanKinds.RUN) this.#hooks.scheduleRunUpdate(entry.group);
    } catch (error: unknown) {
      this.#hooks.report(error, 'write');
    }
    return true;
  }

  #admitAttribute(span: Span, entry: SpanEntry | undefined, key: string, value: unknown): boolean {
    return this.#admit(span, entry, true, key === RuntraceAttributes.STATUS && this.#statusAttributeRefused(span, value));
  }

  /** The attributes to write (without a refused status change), or `undefined` to drop the write. */
  #admitAttributes(span: Span, entry: SpanEntry | undefined, attributes: Attributes): Attributes | undefined {
    if (!Object.hasOwn(attributes, RuntraceAttributes.STATUS)) return this.#admit(span, entry, true) ? attributes : undefined;
    if (this.#admitAttribute(span, entry, RuntraceAttributes.STATUS, attributes[RuntraceAttributes.STATUS])) return attributes;
    if (entry === undefined || entry.ended) return undefined;
    const { [RuntraceAttributes.STATUS]: _refused, ...rest } = attributes;
    return rest;
  }

  /** Once `runtrace.status` is terminal, writing another value to it is a late write. */
  #statusAttributeRefused(span: Span, value: unknown): boolean {
    const current = span.attributes[RuntraceAttributes.STATUS];
    return isTerminalValue(current) && value !== current;
  }

  /**
   * Once `runtrace.status` is terminal, the OTel status may still be set once to match it
   * (ERROR for `error`, OK for `completed`); any other change is a late write.
   */
  #statusWriteAllowed(span: Span, status: SpanStatus): boolean {
    const terminal = span.attributes[RuntraceAttributes.STATUS];
    if (!isTerminalValue(terminal) || status.code === SpanStatusCode.UNSET) return true;
    const current = span.status;
    if (current.code !== SpanStatusCode.UNSET) {
      return current.code === status.code && current.message === status.message;
    }
    if (status.code === SpanStatusCode.ERROR) return terminal === RunStatuses.ERROR;
    return terminal === RunStatuses.COMPLETED;
  }

  #admitEnd(span: Span, entry: SpanEntry | undefined): boolean {
    if (entry === undefined || internalWrite.span === span || !entry.ended) return true;
    try {
      this.#lateWrite(entry);
    } catch (error: unknown) {
      this.#hooks.report(error, 'write');
    }
    return false;
  }

  #lateWrite(entry: SpanEntry): void {
    entry.lateWrites += 1;
    this.lateWrites += 1;
    if (!entry.ended) entry.span.attributes[RuntraceAttributes.LATE_WRITES] = entry.lateWrites;
    if (entry.lateWrites === 1) {
      const { traceId, spanId } = entry.span.spanContext();
      diag.debug(`RunSpanProcessor: dropped a late write to terminal span ${traceId}-${spanId}; further ones are only counted`);
    }
  }
}
