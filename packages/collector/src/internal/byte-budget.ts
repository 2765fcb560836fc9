// A byte allowance shared by all requests in progress, taken through per-request leases.

/** The outcome of asking for more bytes. */
export type TakeResult = 'ok' | 'busy' | 'too-large';

/** The share of the budget a request holding more than `smallRequestBytes` may fill. */
const LARGE_REQUEST_SHARE = 0.75;
/** A request holding at most this fraction of the budget counts as small. */
const SMALL_REQUEST_FRACTION = 1 / 64;

/**
 * A number of bytes that requests in progress may hold together. Large requests may fill only
 * three quarters of it, so a flood of large bodies always leaves room for small requests.
 */
export class ByteBudget {
  readonly limit: number;
  readonly #largeLimit: number;
  readonly #smallRequestBytes: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
    this.#largeLimit = Math.floor(limit * LARGE_REQUEST_SHARE);
    this.#smallRequestBytes = Math.floor(limit * SMALL_REQUEST_FRACTION);
  }

  /** Bytes held by all leases. */
  get used(): number {
    return this.#used;
  }

  /** A new, empty lease; give it back with {@link BudgetLease.release}. */
  lease(): BudgetLease {
    return new BudgetLease(this);
  }

  /** @internal Called by a lease that already holds `held` bytes. */
  take(held: number, bytes: number): TakeResult {
    const wanted = held + bytes;
    const ceiling = wanted <= this.#smallRequestBytes ? this.limit : this.#largeLimit;
    if (wanted > ceiling) return 'too-large';
    if (this.#used + bytes > ceiling) return 'busy';
    this.#used += bytes;
    return 'ok';
  }

  /** @internal */
  give(bytes: number): void {
    this.#used -= bytes;
  }
}

/** What one request holds of a {@link ByteBudget}. */
export class BudgetLease {
  readonly #budget: ByteBudget;
  #held = 0;

  constructor(budget: ByteBudget) {
    this.#budget = budget;
  }

  get held(): number {
    return this.#held;
  }

  /**
   * Takes `bytes` more. `'busy'`: not now, other requests hold too much; `'too-large'`: this
   * request alone would exceed what any request may hold.
   */
  take(bytes: number): TakeResult {
    const result = this.#budget.take(this.#held, bytes);
    if (result === 'ok') this.#held += bytes;
    return result;
  }

  /** Gives back everything this lease holds; safe to call more than once. */
  release(): void {
    this.#budget.give(this.#held);
    this.#held = 0;
  }
}
