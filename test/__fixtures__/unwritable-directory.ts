// A directory in which no file can be created, for read-only store tests (root included).
import { chmodSync, closeSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

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
