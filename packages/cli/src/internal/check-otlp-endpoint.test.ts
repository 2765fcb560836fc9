import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOtlpEndpoint } from './check-otlp-endpoint.js';

const servers: { server: Server; sockets: Set<Socket> }[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      ({ server, sockets }) =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    ),
  );
});

async function serve(status: number | 'silent'): Promise<{ url: string; requests: { headers: Record<string, unknown>; body: Buffer }[] }> {
  const requests: { headers: Record<string, unknown>; body: Buffer }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(parts) });
      if (status === 'silent') return;
      response.writeHead(status);
      response.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ server, sockets });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, requests };
}

describe('checkOtlpEndpoint', () => {
  it('skips when no endpoint is configured', async () => {
    expect(await checkOtlpEndpoint({}, 2_000)).toEqual([expect.objectContaining({ status: 'skip' })]);
  });

  it('sends an empty protobuf export with the configured headers, and counts any answer as reachable', async () => {
    const backend = await serve(200);
    const [result] = await checkOtlpEndpoint({ endpoint: backend.url, headers: { 'api-key': 'k1' } }, 2_000);
    expect(result).toMatchObject({ name: 'otlp endpoint', status: 'ok', summary: expect.stringContaining(`${backend.url} answered 200 OK`) });
    expect(backend.requests[0]?.headers).toMatchObject({ 'api-key': 'k1', 'content-type': 'application/x-protobuf' });
    expect(backend.requests[0]?.body.length).toBe(0);
  });

  it('warns about an answer that means a wrong credential or path', async () => {
    const denied = await serve(401);
    expect((await checkOtlpEndpoint({ endpoint: denied.url }, 2_000))[0]).toMatchObject({ status: 'warn', fix: expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS') });
    const missing = await serve(404);
    expect((await checkOtlpEndpoint({ endpoint: missing.url, protocol: 'http/json' }, 2_000))[0]).toMatchObject({ status: 'warn', fix: expect.stringContaining('/v1/traces') });
    expect(missing.requests[0]?.body.toString()).toBe('{}');
  });

  it('fails a refused connection and a silent endpoint, within the timeout', async () => {
    const closed = await serve(200);
    await new Promise<void>((resolve) => {
      const entry = servers.pop()!;
      entry.server.close(() => resolve());
    });
    expect((await checkOtlpEndpoint({ endpoint: closed.url }, 2_000))[0]).toMatchObject({ status: 'fail', summary: `cannot reach ${closed.url}: connection refused (ECONNREFUSED)` });
    const silent = await serve('silent');
    const started = Date.now();
    expect((await checkOtlpEndpoint({ endpoint: silent.url }, 300))[0]).toMatchObject({ status: 'fail', summary: `no answer from ${silent.url} within 300 ms` });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails a TLS file it cannot read, and still checks the endpoint', async () => {
    const backend = await serve(200);
    const checks = await checkOtlpEndpoint({ endpoint: backend.url, tlsFiles: { certificate: { path: '/nonexistent/ca.pem', variable: 'OTEL_EXPORTER_OTLP_CERTIFICATE' } } }, 2_000);
    expect(checks).toEqual([
      { name: 'setting OTEL_EXPORTER_OTLP_CERTIFICATE', status: 'fail', summary: 'cannot read /nonexistent/ca.pem (ENOENT); runtrace sends without it', fix: 'fix or unset OTEL_EXPORTER_OTLP_CERTIFICATE' },
      expect.objectContaining({ name: 'otlp endpoint', status: 'ok' }),
    ]);
  });
});
