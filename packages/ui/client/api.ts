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
let failures = 0;

/** Calls every listener (a change was committed to the store). */
function notify(): void {
  for (const listener of listeners) listener();
}

/**
 * Listens to `/api/events`. The browser reconnects by itself (sending `Last-Event-ID`, so a
 * change missed while away arrives at once); after repeated failures to hold the stream the
 * viewer falls back to polling every two seconds, and tries the stream again after a minute.
 */
function connect(): void {
  source = new EventSource('/api/events');
  source.addEventListener('change', () => notify());
  source.addEventListener('hello', () => {
    failures = 0;
    stopPolling();
  });
  source.addEventListener('error', () => {
    failures += 1;
    if (source?.readyState === EventSource.CLOSED || failures >= 3) {
      source?.close();
      source = undefined;
      startPolling();
      window.setTimeout(() => {
        if (source === undefined && listeners.size > 0) connect();
      }, 60_000);
    }
  });
}

function startPolling(): void {
  pollTimer ??= window.setInterval(notify, 2_000);
}

function stopPolling(): void {
  if (pollTimer !== undefined) window.clearInterval(pollTimer);
  pollTimer = undefined;
}

/** Calls `listener` on every change to the store until the returned function is called. */
export function onStoreChange(listener: Listener): () => void {
  listeners.add(listener);
  if (source === undefined && pollTimer === undefined) connect();
  return () => {
    listeners.delete(listener);
  };
}
