// Parses flag values: durations (`90s`, `24h`, `30d`), sizes (`500MB`) and instants (`2026-11-01`, `24h`).
import { RunStatuses, isRunStatus } from '@runtrace/core';
import { parseDuration as parseDurationText } from '@runtrace/core/internal';
import type { RunStatus } from '@runtrace/core';
import { UsageError } from './cli-errors.js';

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `90s`, `15m`, `24h`, `30d`, `2w`, `500ms` → milliseconds (the grammar of core's parseDuration). */
export function parseDuration(flag: string, text: string): number {
  const ms = parseDurationText(text);
  if (ms === undefined) throw new UsageError(`--${flag} wants a duration such as 90s, 15m, 24h or 30d, not ${JSON.stringify(text)}`);
  return ms;
}

/** `500MB`, `2GiB`, `1048576` → bytes (K, M and G are powers of 1024). */
export function parseSize(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const factor = match === null ? undefined : SIZE_UNITS[(match[2] ?? '').toLowerCase()];
  if (match === null || factor === undefined || Number(match[1]) <= 0) {
    throw new UsageError(`--${flag} wants a size such as 500MB or 2GB, not ${JSON.stringify(text)}`);
  }
  return Math.floor(Number(match[1]) * factor);
}

/** An ISO date or time, or a duration meaning "that long ago" → epoch milliseconds. */
export function parseInstant(flag: string, text: string, now: number): number {
  if (parseDurationText(text) !== undefined) return now - parseDuration(flag, text);
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(ms)) {
    throw new UsageError(`--${flag} wants an ISO date (2026-11-01, 2026-11-01T12:00Z) or a duration ago (24h, 7d), not ${JSON.stringify(text)}`);
  }
  return ms;
}

/** A positive integer within bounds. */
export function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} wants a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** One status or a comma-separated list. */
export function parseStatuses(flag: string, text: string): RunStatus[] {
  const statuses = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const wrong = statuses.find((status) => !isRunStatus(status));
  if (statuses.length === 0 || wrong !== undefined) {
    throw new UsageError(`--${flag} wants ${Object.values(RunStatuses).join(', ')} (or several, comma-separated), not ${JSON.stringify(text)}`);
  }
  return statuses as RunStatus[];
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  const found = choices.find((choice) => choice === text);
  if (found === undefined) throw new UsageError(`--${flag} wants one of ${choices.join(', ')}, not ${JSON.stringify(text)}`);
  return found;
}
