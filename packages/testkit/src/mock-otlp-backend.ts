// A real OTLP/HTTP receiver on 127.0.0.1, port 0, that answers as told: a status (after an optional delay), or never.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the backend answers every request: with `status` after `delayMs`, or not at all (`'silent'`). */
export type MockOtlpBehaviour = { readonly status: number; readonly delayMs?: number } | 'silent';

/** A running backend. */
export interface MockOtlpBackend {
  /** The traces URL (`http://127.0.0.1:<port>/v1/traces`). */
  readonly url: string;
  /** Request bodies received, in order. */
  readonly received: Buffer[];
  /** Closes the server and every connection (a silent backend's included). */
  close(): Promise<void>;
}

/**
 * Starts an OTLP/HTTP receiver that records each request body and answers as told.
 *
 * @example
 * const backend = await startMockOtlpBackend({ status: 503 });
 * // point an exporter at backend.url …
 * await backend.close();
 */
export async function startMockOtlpBackend(behaviour: MockOtlpBehaviour = { status: 200 }): Promise<MockOtlpBackend> {
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

/**
 * A traces URL nothing listens on: a port the system handed out, then closed (connection refused).
 *
 * @example
 * const url = await closedPortUrl();
 */
export async function closedPortUrl(): Promise<string> {
  const backend = await startMockOtlpBackend();
  await backend.close();
  return backend.url;
}
