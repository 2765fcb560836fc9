// A real OTLP/HTTP receiver on 127.0.0.1, port 0, that answers as told: 200, a status (503), or never.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type BackendBehaviour = { readonly status: number } | 'silent';

export interface LocalBackend {
  /** The traces URL. */
  readonly url: string;
  /** Request bodies received. */
  readonly received: Buffer[];
  close(): Promise<void>;
}

export async function startLocalBackend(behaviour: BackendBehaviour = { status: 200 }): Promise<LocalBackend> {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      received.push(Buffer.concat(parts));
      if (behaviour === 'silent') return;
      response.writeHead(behaviour.status, { 'content-type': 'application/x-protobuf' });
      response.end();
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

/** A URL nothing listens on: a port the system handed out, then closed. */
export async function closedPortUrl(): Promise<string> {
  const backend = await startLocalBackend();
  await backend.close();
  return backend.url;
}
