// A forked benchmark child and its IPC messages as promises, each wait capped in time so a child
// that hangs or dies fails the benchmark instead of stalling it.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** A child process that answers each request with one message. */
export class ChildChannel<Request, Response> {
  readonly #child: ChildProcess;
  readonly #label: string;
  readonly #inbox: Response[] = [];
  #waiter: { resolve: (message: Response) => void; reject: (error: Error) => void } | undefined;
  #exited: Error | undefined;

  constructor(script: string, args: readonly string[], label: string, execArgv: readonly string[] = []) {
    this.#label = label;
    this.#child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...execArgv] });
    this.#child.on('message', (message: Response) => {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter === undefined) this.#inbox.push(message);
      else waiter.resolve(message);
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = new Error(`${label}: child exited (${signal ?? `code ${String(code)}`})`);
      this.#waiter?.reject(this.#exited);
      this.#waiter = undefined;
    });
  }

  /** The next message from the child, or a rejection when it exits or `timeoutMs` passes first. */
  next(timeoutMs: number): Promise<Response> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`${this.#label}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Sends a request and waits for its answer. */
  request(message: Request, timeoutMs: number): Promise<Response> {
    this.#child.send(message as object);
    return this.next(timeoutMs);
  }

  /** Ends the child (used when it is no longer needed or misbehaved). */
  kill(): void {
    if (this.#exited === undefined) this.#child.kill();
  }

  /** Disconnects the IPC channel: a child that waits for messages can then exit. */
  disconnect(): void {
    if (this.#child.connected) this.#child.disconnect();
  }
}
