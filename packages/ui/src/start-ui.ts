// `startUi()`: the web viewer's HTTP server — the page, its assets (built with the package, no
// network at run time), a read-only JSON API over the store and a live event stream.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '@runtrace/core';
import { errorMessage } from '@runtrace/core/internal';
import { openStoreAt } from '@runtrace/store';
import type { RunStore } from '@runtrace/store';
import { answerApi } from './internal/api.js';
import { LiveHub } from './internal/live.js';
import { SECURITY_HEADERS, allowedHosts, presentedToken, tokenMatches } from './internal/security.js';
import { isLoopback } from './is-loopback.js';

/** Options of {@link startUi}. */
export interface UiOptions {
  /** The store file to show. Either this or `store`. */
  readonly databasePath?: string;
  /** An open store to show, SQLite or PostgreSQL (the caller closes it). Either this or `databasePath`. */
  readonly store?: RunStore;
  /** Address to bind. Default `127.0.0.1`; any other than loopback needs a `token`. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 4319. */
  readonly port?: number;
  /**
   * A secret every request must present (`Authorization: Bearer …`, or once as `?token=` on the
   * page's address, which sets a cookie). Required when `host` is not loopback.
   */
  readonly token?: string;
  /** How often the store is checked for changes while a page listens. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** How often an idle event stream gets a heartbeat. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Told of request failures (the viewer answers 500 and keeps serving). */
  readonly onError?: (error: unknown) => void;
}

/** A running viewer. */
export interface UiServer {
  /** The page's address, such as `http://127.0.0.1:4319/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Pages listening for live updates now. */
  liveClients(): number;
  /** Stops serving (open event streams end) and closes the store if the viewer opened it. */
  close(): Promise<void>;
}

const ASSET_TYPES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** The page: no inline script or style (the Content-Security-Policy forbids them). */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>runtrace</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading runtrace…</p></div>
<noscript>The runtrace viewer needs JavaScript.</noscript>
</body>
</html>
`;

/** The built assets, read once from the package's \`dist/assets\`. */
function loadAssets(): ReadonlyMap<string, Buffer> {
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSET_TYPES)) {
    const url = new URL(`./assets/${name}`, import.meta.url);
    try {
      assets.set(name, readFileSync(url));
    } catch (error: unknown) {
      throw new Error(`the viewer's ${name} is missing from ${url.pathname} (the package was not built): ${errorMessage(error)}`, { cause: error });
    }
  }
  return assets;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', ...extra });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/**
 * Starts the viewer over a store file (opened here, closed by `close()`) or an open store.
 * Binds 127.0.0.1 by default and answers only requests addressed to it by that name
 * (`Host`), so no other web page can read it through DNS rebinding. Read-only.
 *
 * @example
 * const ui = await startUi({ databasePath: '.runtrace/runtrace.db', port: 0 });
 * console.log(`open ${ui.url}`);
 */
export async function startUi(options: UiOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4319;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('port', port, 'an integer from 0 to 65535');
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) throw new InvalidArgumentError('token', '(hidden)', 'a secret of at least 16 characters');
  if (!isLoopback(host) && token === undefined) {
    throw new InvalidArgumentError('host', host, 'a loopback address, or any address with a token (the viewer shows prompts and bodies)');
  }
  if ((options.store === undefined) === (options.databasePath === undefined)) throw new InvalidArgumentError('options', 'databasePath/store', 'exactly one of databasePath and store');
  const assets = loadAssets();
  const ownStore = options.store === undefined;
  const store = options.store ?? openStoreAt(options.databasePath as string, { sweepOnOpen: false });
  const onError = options.onError ?? ((): void => undefined);
  const live = new LiveHub(store, { pollIntervalMs: options.pollIntervalMs ?? 250, heartbeatMs: options.heartbeatMs ?? 15_000, onError });
  let hosts: ReadonlySet<string> = new Set();

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const hostHeader = (request.headers.host ?? '').toLowerCase();
    if (!hosts.has(hostHeader)) {
      send(response, 421, 'text/plain; charset=utf-8', `this viewer answers only requests to ${[...hosts].join(' or ')}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'the viewer is read-only\n', { allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(request.url ?? '/', `http://${hostHeader}`);
    let setCookie: Record<string, string> = {};
    if (token !== undefined) {
      if (!tokenMatches(token, presentedToken(request, url))) {
        send(response, 401, 'text/plain; charset=utf-8', 'a token is needed: open the address runtrace ui printed, with its ?token=\n');
        return;
      }
      setCookie = { 'set-cookie': `runtrace_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` };
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      send(response, 200, 'text/html; charset=utf-8', PAGE, setCookie);
      return;
    }
    if (path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length);
      const asset = assets.get(name);
      const type = ASSET_TYPES[name];
      if (asset === undefined || type === undefined) send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
      else send(response, 200, type, asset);
      return;
    }
    if (path === '/api/events') {
      live.attach(request, response);
      return;
    }
    if (path.startsWith('/api/')) {
      answerApi(store, path.slice('/api/'.length), url.searchParams)
        .then(
          (answer) => sendJson(response, answer.status, answer.body),
          (error: unknown) => {
            if (!response.headersSent) sendJson(response, 500, { error: errorMessage(error) });
            else response.end();
            onError(error);
          },
        )
        // A listener that throws, or a connection gone mid-answer, must not end the process.
        .catch(() => undefined);
      return;
    }
    send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
  };

  const server: Server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error: unknown) {
      onError(error);
      if (!response.headersSent) sendJson(response, 500, { error: errorMessage(error) });
      else response.end();
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error: unknown) {
    if (ownStore) await store.close();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, bound);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${bound}/`,
    host,
    port: bound,
    liveClients: () => live.size,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        live.close();
        server.close(() => {
          if (!ownStore) return resolve();
          // Closing what the viewer opened never throws out of close() (nor out of this callback).
          void Promise.resolve()
            .then(() => store.close())
            .catch(() => undefined)
            .finally(resolve);
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
