// `runtrace doctor`'s check of a PostgreSQL store: reachable, runtrace's schema readable, what it holds.
import { errorMessage, maskUrlPassword } from '@runtrace/core/internal';
import { PostgresStore } from '@runtrace/store';
import { check } from './doctor-check.js';
import type { DoctorCheck } from './doctor-check.js';

/**
 * Connects to the database (within `timeoutMs`), makes or reads runtrace's tables as every reader
 * does, and counts what they hold. Never throws: a problem is a failed check with its fix.
 */
export async function checkPostgresDatabase(url: string, timeoutMs: number): Promise<DoctorCheck[]> {
  const location = maskUrlPassword(url);
  const store = new PostgresStore({ url, connectTimeoutMs: timeoutMs, maxConnections: 1 });
  try {
    const overview = await store.overview();
    const open = overview.byStatus.in_progress;
    return [
      check('database', 'ok', `${location} (PostgreSQL)`),
      check('contents', 'ok', `${overview.runs} runs${open > 0 ? `, ${open} in progress` : ''}`),
    ];
  } catch (error: unknown) {
    return [check('database', 'fail', errorMessage(error).replaceAll(url, location), 'check the URL (user, password, host, port, database) and that the server accepts connections from this host')];
  } finally {
    await store.close();
  }
}
