// The outcome of decoding one OTLP trace export request.
import { OtlpDecodeError } from '@runtrace/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** The payload decoded; some spans may have been rejected (OTLP partial success). */
export interface OtlpDecodeSuccess {
  readonly ok: true;
  /** The accepted spans, in payload order. */
  readonly spans: ReadableSpan[];
  /** How many spans were rejected (invalid ids, no end time, end before start). */
  readonly rejectedSpans: number;
  /** Why spans were rejected (the first few distinct reasons); '' when none were. */
  readonly errorMessage: string;
}

/** The payload could not be decoded at all; nothing in it is used. */
export interface OtlpDecodeFailure {
  readonly ok: false;
  readonly error: OtlpDecodeError;
}

/** Decoders never throw: they return one of these. */
export type OtlpDecodeResult = OtlpDecodeSuccess | OtlpDecodeFailure;

/** Limits applied while decoding. */
export interface OtlpDecodeOptions {
  /**
   * How deeply attribute values (arrays and key-value lists) may nest before the payload is
   * rejected as undecodable.
   * @default 32
   */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 32;

/** The answer for an error thrown while decoding; `malformed` when the decoder threw it to report a malformed payload. */
export function decodeFailure(contentType: string, error: unknown, malformed: boolean): OtlpDecodeFailure {
  const message =
    malformed && error instanceof Error
      ? error.message
      : error instanceof RangeError
        ? 'payload nests too deeply'
        : `unexpected decoder failure: ${String(error)}`;
  return { ok: false, error: new OtlpDecodeError(contentType, message, { cause: error }) };
}
