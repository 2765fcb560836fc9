// Opt-in process hooks that shut a processor (or a tracer provider) down on exit signals.

/** Anything with a `shutdown()`: a RunSpanProcessor, a TracerProvider, a NodeSDK. */
export interface ShutdownTarget {
  shutdown(): Promise<void>;
}

/** The parts of `process` the hooks use; injectable for tests. */
export interface ShutdownHookProcess {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal?: string): unknown;
  readonly pid: number;
}

/** Options of {@link installShutdownHooks}. */
export interface InstallShutdownHooksOptions {
  /**
   * Signals that trigger a shutdown. After the shutdown (or the timeout), when no other listener
   * for the signal remains, the signal is raised again so the process ends as it would have.
   * Default `['SIGTERM']`.
   */
  readonly signals?: readonly NodeJS.Signals[];
  /** Shut down on `beforeExit` (the event loop emptied on a normal exit). Default `true`. */
  readonly beforeExit?: boolean;
  /** How long a signal waits for the shutdown before re-raising it, in ms. Default 5,000. */
  readonly timeoutMs?: number;
  /** Called when the shutdown fails or times out. Default: ignore. */
  readonly onError?: (error: unknown) => void;
  /** The process to hook. Default the global `process`. */
  readonly process?: ShutdownHookProcess;
}

/**
 * Shuts `target` down on `beforeExit` and on SIGTERM (by default), once; returns a function
 * that removes the hooks. Nothing in runtrace installs these hooks by itself.
 *
 * Pass the tracer provider (or NodeSDK) rather than the processor when you have one, so every
 * processor registered with it is shut down.
 *
 * @example
 * const provider = new TracerProvider({ spanProcessors: [processor] });
 * const uninstall = installShutdownHooks(provider);
 */
export function installShutdownHooks(target: ShutdownTarget, options: InstallShutdownHooksOptions = {}): () => void {
  const proc: ShutdownHookProcess = options.process ?? process;
  const signals = options.signals ?? ['SIGTERM'];
  const timeoutMs = options.timeoutMs ?? 5_000;
  const onError = options.onError;
  let shutdown: Promise<void> | undefined;

  const report = (error: unknown): void => {
    try {
      onError?.(error);
    } catch {
      // Nothing left to report to.
    }
  };
  const shutdownOnce = (): Promise<void> => {
    shutdown ??= Promise.resolve()
      .then(() => target.shutdown())
      .catch(report);
    return shutdown;
  };

  const onBeforeExit = (): void => {
    void shutdownOnce();
  };
  const signalListeners = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    const listener = (): void => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          report(new Error(`shutdown did not finish within ${timeoutMs} ms of ${signal}`));
          resolve();
        }, timeoutMs);
        timer.unref();
      });
      void Promise.race([shutdownOnce(), timeout]).then(() => {
        clearTimeout(timer);
        proc.removeListener(signal, listener);
        signalListeners.delete(signal);
        // With nobody else handling the signal, end the process the way the signal would have.
        if (proc.listenerCount(signal) === 0) proc.kill(proc.pid, signal);
      });
    };
    signalListeners.set(signal, listener);
    proc.on(signal, listener);
  }
  if (options.beforeExit ?? true) proc.on('beforeExit', onBeforeExit);

  return () => {
    proc.removeListener('beforeExit', onBeforeExit);
    for (const [signal, listener] of signalListeners) proc.removeListener(signal, listener);
    signalListeners.clear();
  };
}
