// Numbers, times and durations as the CLI shows them.

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} m ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatCost(usd: number | null, unknown: boolean): string {
  if (usd === null) return unknown ? 'unknown' : '—';
  const text = usd === 0 ? '$0' : usd < 0.0001 ? `$${usd.toFixed(6)}` : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
  return unknown ? `≥ ${text}` : text;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** JSON text indented, or undefined when it is not JSON. */
function indented(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/**
 * An attribute value as readable text: JSON indented; a server-sent event stream (\`data: {…}\`
 * lines) and newline-delimited JSON with each JSON payload indented in place; anything else as is.
 */
export function pretty(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value, null, 2) ?? String(value);
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const whole = indented(trimmed);
    if (whole !== undefined) return whole;
  }
  const lines = value.split('\n');
  if (lines.some((line) => line.startsWith('data:'))) {
    return lines
      .map((line) => {
        if (!line.startsWith('data:')) return line;
        const payload = line.slice(5).trim();
        const json = payload.startsWith('{') || payload.startsWith('[') ? indented(payload) : undefined;
        return json === undefined ? line : `data: ${json}`;
      })
      .join('\n');
  }
  const filled = lines.filter((line) => line.trim() !== '');
  if (filled.length > 1 && filled.every((line) => indented(line) !== undefined)) return filled.map((line) => indented(line) as string).join('\n');
  return value;
}
