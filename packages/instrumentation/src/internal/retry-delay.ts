// Reads the retry delay a server asked for from its response headers.

function parseDuration(text: string): number | undefined {
  // OpenAI style: "1s", "6m0s", "20ms", "1h2m3.5s".
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const match of text.matchAll(pattern)) {
    const amount = Number(match[1]);
    const unit = match[2];
    total += unit === 'ms' ? amount : unit === 's' ? amount * 1000 : unit === 'm' ? amount * 60_000 : amount * 3_600_000;
    matched += match[0];
  }
  if (matched !== '' && matched === text.trim()) return total;
  const seconds = Number(text);
  return text.trim() !== '' && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/**
 * The delay in milliseconds the server asked the client to wait before retrying, from
 * `retry-after-ms`, `retry-after` (seconds or an HTTP date), `x-ratelimit-reset-*` or
 * `anthropic-ratelimit-*-reset`; `undefined` when none is present.
 */
export function retryDelayMs(headers: Readonly<Record<string, string>>, now: number): number | undefined {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const after = headers['retry-after'];
  if (after !== undefined) {
    const seconds = Number(after);
    if (after.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  let longest: number | undefined;
  // for…in, not Object.entries: every response's headers pass here.
  for (const name in headers) {
    const value = headers[name]!;
    let delay: number | undefined;
    if (name.startsWith('x-ratelimit-reset')) {
      delay = parseDuration(value);
    } else if (name.startsWith('anthropic-ratelimit-') && name.endsWith('-reset')) {
      const date = Date.parse(value);
      delay = Number.isNaN(date) ? undefined : Math.max(0, date - now);
    }
    if (delay !== undefined && (longest === undefined || delay > longest)) longest = delay;
  }
  return longest === undefined ? undefined : Math.round(longest);
}
