// Reads a request body under a size cap and the collector's in-flight budget, inflating gzip as it
// streams so a gzip bomb stops at the cap.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { BudgetLease, TakeResult } from './byte-budget.js';

/** Limits for one body. */
export interface BodyLimits {
  /** Most bytes accepted as sent (compressed or not). */
  readonly maxBodyBytes: number;
  /** Most bytes a gzip body may inflate to. */
  readonly maxDecompressedBytes: number;
  /** The request's share of the in-flight budget; bytes as sent beyond what it already holds, and inflated bytes, are taken from it. */
  readonly lease: BudgetLease;
}

export type BodyReadResult =
  | { readonly kind: 'ok'; readonly body: Buffer }
  | { readonly kind: 'too-large'; readonly message: string }
  | { readonly kind: 'bad-encoding'; readonly message: string }
  | { readonly kind: 'busy'; readonly message: string }
  | { readonly kind: 'aborted' };

/** Reads the whole body (`declared`: its Content-Length, when it has one); never rejects. */
export function readBody(request: Readable, declared: string | undefined, gzip: boolean, limits: BodyLimits): Promise<BodyReadResult> {
  return new Promise<BodyReadResult>((resolve) => {
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
      resolve({ kind: 'too-large', message: `body of ${declared} bytes exceeds the limit of ${limits.maxBodyBytes} bytes` });
      return;
    }
    let settled = false;
    let ended = false;
    let received = 0;
    // What the lease held before reading (a declared length is taken before the body is read).
    const reserved = limits.lease.held;
    let size = 0;
    const chunks: Buffer[] = [];
    const inflater = gzip ? createGunzip() : undefined;
    // With a declared length, chunks are copied into place as they come: no second copy of
    // the whole body at the end, which would hold the event loop for a large one.
    const length = declared === undefined || inflater !== undefined ? -1 : Number(declared);
    const whole = length > 0 ? Buffer.allocUnsafe(length) : undefined;

    const settle = (result: BodyReadResult): void => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onClose);
      if (inflater !== undefined && result.kind !== 'ok') inflater.destroy();
      resolve(result);
    };
    const overBudget = (taken: TakeResult, what: string): boolean => {
      if (taken === 'ok') return false;
      settle(
        taken === 'busy'
          ? { kind: 'busy', message: `collector is receiving too much at once (${what}); retry later` }
          : { kind: 'too-large', message: `${what} exceeds what the collector lets one request hold` },
      );
      return true;
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBodyBytes) {
        settle({ kind: 'too-large', message: `body exceeds the limit of ${limits.maxBodyBytes} bytes` });
        return;
      }
      if (received > reserved && overBudget(limits.lease.take(Math.min(chunk.length, received - reserved)), 'body')) return;
      if (inflater !== undefined) inflater.write(chunk);
      else if (whole !== undefined) {
        // Node's parser holds a body to its declared length; anything else is a broken request.
        if (size + chunk.length > whole.length) {
          settle({ kind: 'aborted' });
          return;
        }
        chunk.copy(whole, size);
        size += chunk.length;
      } else {
        chunks.push(chunk);
        size += chunk.length;
      }
    };
    const onEnd = (): void => {
      ended = true;
      if (inflater !== undefined) inflater.end();
      else if (whole !== undefined) settle(size === whole.length ? { kind: 'ok', body: whole } : { kind: 'aborted' });
      else settle({ kind: 'ok', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    };
    const onAbort = (): void => settle({ kind: 'aborted' });
    const onClose = (): void => {
      if (!ended) settle({ kind: 'aborted' });
    };

    if (inflater !== undefined) {
      inflater.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxDecompressedBytes) {
          settle({ kind: 'too-large', message: `gzip body inflates beyond the limit of ${limits.maxDecompressedBytes} bytes` });
          return;
        }
        if (overBudget(limits.lease.take(chunk.length), 'inflated body')) return;
        chunks.push(chunk);
      });
      inflater.on('error', (error: Error) => settle({ kind: 'bad-encoding', message: `invalid gzip body: ${error.message}` }));
      inflater.on('end', () => settle({ kind: 'ok', body: Buffer.concat(chunks, size) }));
    }
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('close', onClose);
  });
}
