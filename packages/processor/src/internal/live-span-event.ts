// The live event of a span still in flight, whose redacted snapshot is taken when `span` is first read.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * A `run-start`, `step-start` or `run-update` event. A class with one shared getter, not an
 * object literal with a getter closure: V8 gave every object made from such a literal a hidden
 * class (or property dictionary) of its own, and through its getter the live span — and the run
 * behind it — outlived young-generation GCs (under a burst, the spans that had such events were
 * promoted to the old generation several times as often as the others). `span` stays an own
 * enumerable accessor, as it was on the literal.
 */
export class LiveSpanEvent {
  static readonly #spanProperty: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: LiveSpanEvent): ReadableSpan {
      return this.#read();
    },
  };

  readonly type: 'run-start' | 'step-start' | 'run-update';
  readonly spanId: string;
  declare readonly span: ReadableSpan;
  #live: ReadableSpan | undefined;
  #snapshot: ReadableSpan | undefined;
  readonly #take: (live: ReadableSpan) => ReadableSpan;

  constructor(type: 'run-start' | 'step-start' | 'run-update', live: ReadableSpan, spanId: string, take: (live: ReadableSpan) => ReadableSpan) {
    this.type = type;
    this.spanId = spanId;
    this.#live = live;
    this.#take = take;
    Object.defineProperty(this, 'span', LiveSpanEvent.#spanProperty);
  }

  #read(): ReadableSpan {
    if (this.#snapshot === undefined) {
      this.#snapshot = this.#take(this.#live!);
      // The snapshot is all a later read needs.
      this.#live = undefined;
    }
    return this.#snapshot;
  }
}
