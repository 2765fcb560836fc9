// `runtrace doctor`'s check of a PostgreSQL store: reachable, runtrace's schema, what it holds — read-only.
import { errorMessage, maskUrlPassword } from '@runtrace/core/internal';
import { inspectPostgresStore } from '@runtrace/store';
import { check } from './doctor-check.js';
import type { DoctorCheck } from './doctor-check.js';

/** Connects (within `timeoutMs`) and reads runtrace's tables without making or changing any. Never throws. */
export async function checkPostgresDatabase(url: string, timeoutMs: number): Promise<DoctorCheck[]> {
  const location = maskUrlPassword(url);
  let found;
  try {
    found = await inspectPostgresStore(url, { connectTimeoutMs: timeoutMs });
  } catch (error: unknown) {
    return [check('database', 'fail', `cannot reach ${location}: ${errorMessage(error).replaceAll(url, location)}`, 'check the URL (user, password, host, port, database) and that the server accepts connections from this host')];
  }
  const checks = [check('database', 'ok', `${location} (PostgreSQL)`)];
  if (found.schemaVersion === null) {
    checks.push(check('schema', 'warn', 'no runtrace tables yet (the first app or collector that writes makes them)'));
  } else if (found.schemaVersion > found.supportedVersion) {
    checks.push(check('schema', 'fail', `written by a newer runtrace (schema ${found.schemaVersion}; this one reads up to ${found.supportedVersion})`, 'upgrade runtrace on this host'));
  } else {
    checks.push(check('schema', 'ok', `version ${found.schemaVersion}${found.schemaVersion < found.supportedVersion ? ` (the next write updates it to ${found.supportedVersion})` : ''}`));
    checks.push(check('contents', 'ok', `${found.runs} runs${found.inProgress > 0 ? `, ${found.inProgress} in progress` : ''}`));
  }
  return checks;
}
