// `runtrace ui`: the web viewer over the store, until Ctrl-C.
import { errorMessage, maskUrlPassword } from '@runtrace/core/internal';
import { randomBytes } from 'node:crypto';
import { isLoopback, startUi } from '@runtrace/ui';
import { ExitCodes } from '../../exit-codes.js';
import { DB_OPTIONS, databasePath, openExistingStore, parseCommandArgs } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { parseInteger } from '../parse-values.js';
import { untilStopped } from './collect-command.js';

export const UI_HELP = `runtrace ui [flags]

Serve the web viewer: the runs (filtered, sorted, live), each run as a waterfall with the
bodies of its attempts, conversations and stats. Everything it needs ships with runtrace;
nothing is loaded from the network. Read-only. Stops on Ctrl-C.

  --port <n>             port to listen on (default 4319; 0 picks a free one)
  --host <addr>          interface to bind (default 127.0.0.1: this machine only); any other
                         needs a token, made up and printed in the address when not given
  --token <token>        the token to require (at least 16 characters)
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
`;

/** Runs `runtrace ui` until the signal aborts. */
export async function uiCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(UI_HELP);
    return ExitCodes.OK;
  }
  const port = values.port === undefined ? 4319 : parseInteger('port', values.port, 0, 65_535);
  const host = values.host ?? '127.0.0.1';
  const token = values.token ?? (isLoopback(host) ? undefined : randomBytes(24).toString('base64url'));
  const path = databasePath(context.io, values.db);
  const store = openExistingStore(path);
  let ui;
  try {
    ui = await startUi({ store, host, port, ...(token === undefined ? {} : { token }) });
  } catch (error: unknown) {
    await store.close();
    const code = (error as { code?: unknown }).code;
    throw new Error(`cannot serve the viewer: ${code === 'EADDRINUSE' ? `port ${port} is in use (pick another with --port, or 0 for any free port)` : errorMessage(error)}`, { cause: error });
  }
  const address = token === undefined ? ui.url : `${ui.url}?token=${encodeURIComponent(token)}`;
  context.err(`runtrace ui: ${maskUrlPassword(path)}\n`);
  context.out(`open ${address}   stop with Ctrl-C\n`);
  await untilStopped(context);
  await ui.close();
  await store.close();
  return ExitCodes.OK;
}
