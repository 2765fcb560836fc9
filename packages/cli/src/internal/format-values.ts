// Human-readable durations, token counts, costs, times and byte sizes.
import { makeLabel } from '@runtrace/core';

/** `850ms`, `1.24s`, `2m 05s`, `1h 02m`; `—` for null. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(ms / 60_000);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** `950`, `12.3k`, `4.5M`. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs < 10_000) return String(Math.round(value));
  if (abs < 1_000_000) return `${(value / 1000).toFixed(1)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** `$0.000023`, `$0.0042`, `$1.23`; `?` when unknown, `+?` when partly unknown. */
export function formatCost(usd: number | null | undefined, unknown = false): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return unknown ? '?' : '—';
  let text: string;
  if (usd === 0) text = '$0';
  else if (usd < 0.0001) text = `$${usd.toFixed(6)}`;
  else if (usd < 0.01) text = `$${usd.toFixed(4)}`;
  else if (usd < 100) text = `$${usd.toFixed(2)}`;
  else text = `$${Math.round(usd)}`;
  return unknown ? `${text}+?` : text;
}

/** `2026-11-21 19:40:01` in UTC. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** `512 B`, `1.5 KiB`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** `87%`; `—` for null. */
export function formatPercent(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '—' : `${Math.round(ratio * 100)}%`;
}

/** One line: whitespace collapsed, cut with an ellipsis at `max` characters; '' for null. */
export function oneLine(text: string | null | undefined, max: number): string {
  return text === null || text === undefined ? '' : makeLabel(text, max);
}
