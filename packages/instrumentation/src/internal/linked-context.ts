// A context that adds one value to its parent, where OpenTelemetry's own copies a whole map.
import type { Context } from '@opentelemetry/api';

/** Most links over a context of another kind; the next value flattens them into that context. */
export const MAX_LINKS = 32;

/**
 * A `Context` holding one key over a parent context: `setValue` and `deleteValue` add a link,
 * `getValue` walks the links to the parent. OpenTelemetry's context copies its map and makes three
 * closures on every `setValue`; entering a run and then a step derives four contexts, which live
 * as long as the call does, and with many calls in flight they outlive young-generation garbage
 * collections and are copied and promoted. A link is one small object. Lookups walk at most
 * {@link MAX_LINKS} links: a deeper chain is flattened into its base context (one `setValue` or
 * `deleteValue` of the base per key) and linking starts over from there.
 *
 * @example
 * const entered = trace.setSpan(linkContext(context.active(), RUN_KEY, run), span);
 * entered.getValue(RUN_KEY) === run; // true
 */
export class LinkedContext implements Context {
  readonly #parent: Context;
  readonly #key: symbol;
  readonly #value: unknown;
  /** Links from this one down to the first context of another kind, this one included. */
  readonly #links: number;

  private constructor(parent: Context, key: symbol, value: unknown, links: number) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
    this.#links = links;
  }

  /** `parent` with `key` set to `value` (`undefined`: deleted). */
  static link(parent: Context, key: symbol, value: unknown): Context {
    if (!(parent instanceof LinkedContext)) return new LinkedContext(parent, key, value, 1);
    if (parent.#links < MAX_LINKS) return new LinkedContext(parent, key, value, parent.#links + 1);
    return parent.#flattened().setValue(key, value);
  }

  getValue(key: symbol): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts here
    let current: Context = this;
    while (current instanceof LinkedContext) {
      if (current.#key === key) return current.#value;
      current = current.#parent;
    }
    return current.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return LinkedContext.link(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return LinkedContext.link(this, key, undefined);
  }

  /** The same values on the base context, each key once (the nearest link wins). */
  #flattened(): Context {
    const values = new Map<symbol, unknown>();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts here
    let current: Context = this;
    while (current instanceof LinkedContext) {
      if (!values.has(current.#key)) values.set(current.#key, current.#value);
      current = current.#parent;
    }
    let flat = current;
    for (const [key, value] of [...values].reverse()) flat = value === undefined ? flat.deleteValue(key) : flat.setValue(key, value);
    return flat;
  }
}

/** `parent` with `key` set to `value`, as one link (see {@link LinkedContext}). */
export function linkContext(parent: Context, key: symbol, value: unknown): Context {
  return LinkedContext.link(parent, key, value);
}
