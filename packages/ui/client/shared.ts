// Pieces the pages share: status badges, masked-value marks, loading and error states.
import { h } from 'preact';
import type { ComponentChild, ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { onStoreChange } from './api.js';

export const REDACTED = '[REDACTED]';

export function StatusBadge({ status, stale }: { status: string; stale?: boolean }): ComponentChild {
  return h('span', { class: `status status-${status}` }, stale === true ? `${status} (stale)` : status.replace('_', ' '));
}

/** Text with every masked value marked, so a reader sees where runtrace redacted something. */
export function Masked({ text }: { text: string }): ComponentChild {
  const parts = text.split(REDACTED);
  const children: ComponentChildren[] = [];
  parts.forEach((part, index) => {
    if (index > 0) children.push(h('mark', { class: 'masked', title: 'masked by runtrace' }, REDACTED));
    children.push(part);
  });
  return h('span', {}, children);
}

/** Data loaded from the API, reloaded whenever the store changes (when `live`) or `deps` do. */
export function useLoaded<T>(load: () => Promise<T>, deps: readonly unknown[], live = true): { data: T | undefined; error: string | undefined; loading: boolean } {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let cancelled = false;
    let running = false;
    let again = false;
    const run = (): void => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      latest
        .current()
        .then(
          (data) => !cancelled && setState({ data, error: undefined, loading: false }),
          (error: unknown) => !cancelled && setState((old) => ({ data: old.data, error: error instanceof Error ? error.message : String(error), loading: false })),
        )
        .finally(() => {
          running = false;
          if (again && !cancelled) {
            again = false;
            run();
          }
        });
    };
    setState((old) => ({ ...old, loading: true }));
    run();
    const stop = live ? onStoreChange(run) : undefined;
    return () => {
      cancelled = true;
      stop?.();
    };
  }, deps);
  return state;
}

export function Problem({ message }: { message: string }): ComponentChild {
  return h('p', { class: 'problem', role: 'alert' }, message);
}

/** Marks a moment on the page's performance timeline, the first time only. */
export function markOnce(name: string): void {
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
