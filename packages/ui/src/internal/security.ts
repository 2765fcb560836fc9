// What keeps the viewer private: the Host check (DNS rebinding), the token when bound beyond
// loopback, and the headers every response carries.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopback } from '../is-loopback.js';


/**
 * The `Host` header values a request may carry: the bound address and port, and for loopback
 * its usual names. A page served to another origin that resolves to 127.0.0.1 (DNS rebinding)
 * sends its own name, which is refused.
 */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const names = isLoopback(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

/** The token a request presents: `Authorization: Bearer …`, the `runtrace_token` cookie or `?token=`. */
export function presentedToken(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && /^Bearer\s+/i.test(authorization)) return authorization.replace(/^Bearer\s+/i, '').trim();
  const cookie = request.headers.cookie;
  if (cookie !== undefined) {
    for (const part of cookie.split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === 'runtrace_token') return decodeURIComponent(value.join('='));
    }
  }
  return url.searchParams.get('token') ?? undefined;
}

/** Compares tokens in constant time. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Headers of every response: a Content-Security-Policy that allows the viewer's own script and
 * style and nothing else (no inline script, no other origin), no sniffing, no framing, no referrer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
