// Runs a decoder's steps, at once or in slices that give the event loop back between them.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { OtlpDecodeError } from '@runtrace/core';
import type { OtlpDecodeFailure, OtlpDecodeResult } from '../otlp-decode-result.js';
import { DecodeBudgetError, type DecodeContext, type DecodeSteps } from './decode-context.js';
import { MalformedPayloadError } from './malformed-payload-error.js';

/**
 * Decoding time one turn of the event loop may take, shared among the requests decoding at
 * that moment: with more of them, each runs for less before it yields, so a request that
 * arrives meanwhile waits about this long per turn whatever the concurrency.
 */
const TURN_MS = 8;
const MIN_SLICE_MS = 1;
let decoding = 0;

/** Decoding stopped because the collector as a whole holds too much; the client should retry. */
export interface DecodeBusy {
  readonly ok: false;
  readonly reason: 'busy';
  readonly message: string;
}

/** Runs `steps` to the end in one go; never throws. */
export function decodeAtOnce(contentType: string, steps: DecodeSteps, context: DecodeContext): OtlpDecodeResult {
  try {
    while (!steps.next().done);
  } catch (error: unknown) {
    return failure(contentType, error);
  }
  return success(context);
}

/** Runs `steps` in slices, yielding to the event loop between them; never rejects. */
export async function decodeInSlices(contentType: string, steps: DecodeSteps, context: DecodeContext): Promise<OtlpDecodeResult | DecodeBusy> {
  decoding++;
  try {
    let sliceStart = performance.now();
    while (!steps.next().done) {
      context.resumed();
      if (performance.now() - sliceStart >= Math.max(MIN_SLICE_MS, TURN_MS / decoding)) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  } catch (error: unknown) {
    if (error instanceof DecodeBudgetError && error.kind === 'collector') return { ok: false, reason: 'busy', message: error.message };
    return failure(contentType, error);
  } finally {
    decoding--;
  }
  return success(context);
}

function success(context: DecodeContext): OtlpDecodeResult {
  return {
    ok: true,
    spans: context.spans,
    rejectedSpans: context.rejections.count,
    errorMessage: context.rejections.summary(),
    droppedAttributes: context.droppedAttributes,
    droppedEvents: context.droppedEvents,
    droppedLinks: context.droppedLinks,
    truncatedValues: context.truncatedValues,
  };
}

/** The answer for an error thrown while decoding. */
function failure(contentType: string, error: unknown): OtlpDecodeFailure {
  if (error instanceof DecodeBudgetError) {
    return { ok: false, reason: 'too-large', error: new OtlpDecodeError(contentType, error.message, { cause: error }) };
  }
  const message =
    error instanceof MalformedPayloadError
      ? error.message
      : error instanceof RangeError
        ? 'payload nests too deeply'
        : `unexpected decoder failure: ${String(error)}`;
  return { ok: false, reason: 'malformed', error: new OtlpDecodeError(contentType, message, { cause: error }) };
}
