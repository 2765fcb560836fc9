// Names a failed connection in words a person can act on: "connection refused (ECONNREFUSED)" rather than "fetch failed".
import { errorMessage } from './errors.js';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the other side',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate cannot be verified',
};

/** The first string `code` along an error's `cause` chain (fetch wraps the socket's error). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Describes a network error by its code, with the code in parentheses; falls back to the
 * innermost message when the code is unknown.
 *
 * @example
 * describeNetworkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }));
 * // 'connection refused (ECONNREFUSED)'
 */
export function describeNetworkError(error: unknown): string {
  const code = networkErrorCode(error);
  const known = code === undefined ? undefined : DESCRIPTIONS[code];
  if (known !== undefined) return `${known} (${code})`;
  let current: unknown = error;
  let message = errorMessage(error);
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}
