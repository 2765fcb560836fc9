// Real OTLP/HTTP backends on 127.0.0.1, port 0, that answer 200, answer 503, or accept and never answer; and a port nothing listens on.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { closeSync, mkdirSync, chmodSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export type BackendBehaviour = { readonly status: number; readonly delayMs?: number } | 'silent';

export interface LocalOtlpBackend {
  /** The traces URL. */
  readonly url: string;
  /** Request bodies received (protobuf). */
  readonly received: Buffer[];
  close(): Promise<void>;
}

export async function startLocalOtlpBackend(behaviour: BackendBehaviour = { status: 200 }): Promise<LocalOtlpBackend> {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      received.push(Buffer.concat(parts));
      if (behaviour === 'silent') return;
      setTimeout(() => {
        response.writeHead(behaviour.status, { 'content-type': 'application/x-protobuf' });
        response.end();
      }, behaviour.delayMs ?? 0);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A traces URL nothing listens on: a port the system handed out, then closed (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const backend = await startLocalOtlpBackend();
  await backend.close();
  return backend.url;
}

function canCreateIn(directory: string): boolean {
  const probe = join(directory, `.probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * A directory where no file can be created: a chmod 555 directory for a normal user; for root,
 * whom chmod does not stop, the sysfs root `/sys` (no file can be created there by anyone).
 */
export function unwritableDirectory(base: string): string {
  const locked = join(base, 'read-only');
  mkdirSync(locked, { recursive: true });
  chmodSync(locked, 0o555);
  if (!canCreateIn(locked)) return locked;
  chmodSync(locked, 0o755);
  if (!canCreateIn('/sys')) return '/sys';
  throw new Error('this machine offers no directory that is read-only for the current user');
}
