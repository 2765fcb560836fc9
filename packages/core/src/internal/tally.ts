// Counts masked values and remembers which rules fired, for one redaction call.

/** Mutable counter of masked values and the distinct rule ids that masked them. */
export class Tally {
  count = 0;
  readonly rules: string[] = [];

  add(rule: string, count = 1): void {
    this.count += count;
    if (!this.rules.includes(rule)) this.rules.push(rule);
  }

  merge(other: Tally): void {
    this.count += other.count;
    for (const rule of other.rules) {
      if (!this.rules.includes(rule)) this.rules.push(rule);
    }
  }
}
