// The viewer's calls to its server, and the live-update subscription.

/** GETs a JSON API path; throws with the server's message on an error status. */
export async function getJson<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  const response = await fetch(`/api/${path}${text === '' ? '' : `?${text}`}`, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let pollTimer: number | undefined;
let retryTimer: number | undefined;
/** Failed connections in a row: the delay before the next doubles each time, up to 30 s. */
let failures = 0;
/** The id of the last event heard, sent back on reconnecting so a missed change arrives at once. */
let lastEventId = '';

/** Calls every listener (a change was committed to the store). */
function notify(): void {
  for (const listener of listeners) listener();
}

/**
 * Listens to \`/api/events\`. When the stream drops, the viewer reconnects itself after 1 s, 2 s,
 * 4 s … (at most 30 s), naming the last event it heard so a change missed meanwhile arrives at
 * once; while the stream is down it polls every two seconds, so the page stays current.
 */
function connect(): void {
  retryTimer = undefined;
  const query = lastEventId === '' ? '' : `?lastEventId=${encodeURIComponent(lastEventId)}`;
  const stream = new EventSource(`/api/events${query}`);
  source = stream;
  const heard = (event: MessageEvent): void => {
    if (event.lastEventId !== '') lastEventId = event.lastEventId;
  };
  stream.addEventListener('change', (event) => {
    heard(event);
    notify();
  });
  stream.addEventListener('hello', (event) => {
    heard(event);
    failures = 0;
    stopPolling();
  });
  stream.addEventListener('error', () => {
    // The browser's own retry would hammer a server that is gone at a fixed pace: back off instead.
    stream.close();
    if (source !== stream) return;
    source = undefined;
    failures += 1;
    startPolling();
    const delay = Math.min(30_000, 1_000 * 2 ** Math.min(failures - 1, 5));
    retryTimer = window.setTimeout(() => {
      if (listeners.size > 0) connect();
    }, delay);
  });
}

function startPolling(): void {
  pollTimer ??= window.setInterval(notify, 2_000);
}

function stopPolling(): void {
  if (pollTimer !== undefined) window.clearInterval(pollTimer);
  pollTimer = undefined;
}

/** Calls \`listener\` on every change to the store until the returned function is called. */
export function onStoreChange(listener: Listener): () => void {
  listeners.add(listener);
  if (source === undefined && retryTimer === undefined) connect();
  return () => {
    listeners.delete(listener);
  };
}
