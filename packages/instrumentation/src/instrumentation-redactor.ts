// The one seam through which every recorded value is redacted and bounded before it reaches a span.

/** A redacted value and how many values were masked to produce it. */
export interface RedactionOutcome<T> {
  readonly value: T;
  readonly maskedCount: number;
}

/** A redacted, bounded body. */
export interface BodyRedactionOutcome extends RedactionOutcome<string> {
  readonly truncated: boolean;
  readonly originalBytes: number;
}

/**
 * The redaction methods runtrace's instrumentation calls. `Redactor` and `defaultRedactor` from
 * `@runtrace/core` implement it; pass one with custom rules as `RecorderOptions.redactor`.
 *
 * @example
 * import { Redactor } from '@runtrace/core';
 * const recorder = new Recorder({ redactor: new Redactor({ extraHeaderNames: ['x-internal-token'] }) });
 */
export interface InstrumentationRedactor {
  redactHeaders(headers: Readonly<Record<string, string>>): RedactionOutcome<Record<string, string>>;
  redactUrl(url: string): RedactionOutcome<string>;
  redactValue(value: unknown): RedactionOutcome<unknown>;
  redactText(text: string): RedactionOutcome<string>;
  /**
   * `truncatedInput` and `originalBytes` are set when the body went past the byte cap: `body` is
   * then only its captured start, to be redacted as a prefix (an implementation that ignores
   * them still fails closed, with a placeholder for a JSON body that does not parse).
   */
  redactBody(
    body: string | Uint8Array,
    contentType?: string,
    options?: { maxBytes?: number; truncatedInput?: boolean; originalBytes?: number },
  ): BodyRedactionOutcome;
}
