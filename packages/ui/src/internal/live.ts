// Live updates by server-sent events: the store's change marker is polled while anyone listens,
// and every change is pushed as a numbered event, so a client that reconnects with
// `Last-Event-ID` learns at once whether it missed one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunStore } from '@runtrace/store';
import { SECURITY_HEADERS } from './security.js';

/** Options of {@link LiveHub}. */
export interface LiveHubOptions {
  /** How often the store's change marker is read while clients listen. */
  readonly pollIntervalMs: number;
  /** How often an idle stream gets a comment, so proxies and browsers keep it open. */
  readonly heartbeatMs: number;
  /** Told when reading the store fails (the stream stays open; the next poll tries again). */
  readonly onError: (error: unknown) => void;
}

export class LiveHub {
  readonly #store: RunStore;
  #checking: Promise<void> | undefined;
  readonly #options: LiveHubOptions;
  readonly #clients = new Set<ServerResponse>();
  /** The id of the latest change event (0 until something changes). */
  #version = 0;
  #seen: number | undefined;
  #poll: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(store: RunStore, options: LiveHubOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Clients listening now. */
  get size(): number {
    return this.#clients.size;
  }

  /** Serves one event stream until the client goes away. */
  attach(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    // `retry`: how long the browser waits before reconnecting after the stream drops.
    response.write('retry: 1000\n\n');
    // The browser's own reconnection sends the header; the viewer's (with backoff) a parameter.
    const header = request.headers['last-event-id'];
    const parameter = new URL(request.url ?? '/', 'http://viewer').searchParams.get('lastEventId');
    const named = typeof header === 'string' && header !== '' ? header : parameter !== null && parameter !== '' ? parameter : undefined;
    const last = named === undefined ? undefined : Number(named);
    let gone = false;
    const forget = (): void => {
      gone = true;
      this.#clients.delete(response);
      if (this.#clients.size === 0) this.#stop();
    };
    response.on('close', forget);
    response.on('error', forget);
    // A read of the marker that starts now (after one in flight, which may predate what the client missed).
    const checked = this.#checking === undefined ? this.#check() : this.#checking.then(() => this.#check());
    checked
      .then(() => {
        if (gone) return;
        // A client coming back after missing a change refreshes at once; a new one only learns the id.
        response.write(`id: ${this.#version}\nevent: ${last !== undefined && last !== this.#version ? 'change' : 'hello'}\ndata: {"version":${this.#version}}\n\n`);
        this.#clients.add(response);
        this.#start();
      })
      // A stream that broke meanwhile is the client's going; nothing to report.
      .catch(() => undefined);
  }

  /** Ends every stream and stops polling. */
  close(): void {
    this.#stop();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #start(): void {
    this.#poll ??= setInterval(() => void this.#check(), this.#options.pollIntervalMs);
    this.#heartbeat ??= setInterval(() => this.#broadcast(': heartbeat\n\n'), this.#options.heartbeatMs);
  }

  #stop(): void {
    clearInterval(this.#poll);
    clearInterval(this.#heartbeat);
    this.#poll = undefined;
    this.#heartbeat = undefined;
  }

  /**
   * Reads the change marker, one read at a time (a PostgreSQL store answers later); a new value
   * is a change every client hears about. Never rejects.
   */
  #check(): Promise<void> {
    this.#checking ??= Promise.resolve()
      .then(() => this.#store.dataVersion())
      .then(
        (current) => this.#compare(current),
        (error: unknown) => this.#options.onError(error),
      )
      .catch(() => undefined)
      .finally(() => {
        this.#checking = undefined;
      });
    return this.#checking;
  }

  #compare(current: number): void {
    if (this.#seen === undefined) {
      this.#seen = current;
      return;
    }
    if (current === this.#seen) return;
    this.#seen = current;
    this.#version += 1;
    this.#broadcast(`id: ${this.#version}\nevent: change\ndata: {"version":${this.#version}}\n\n`);
  }

  #broadcast(message: string): void {
    for (const client of this.#clients) client.write(message);
  }
}
