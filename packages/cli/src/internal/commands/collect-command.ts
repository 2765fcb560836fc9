// `runtrace collect`: an OTLP/HTTP receiver writing into the store, with a live count of spans received.
import { errorMessage, maskUrlPassword } from '@runtrace/core/internal';
import { Collector } from '@runtrace/collector';
import { createIngestPipeline } from 'runtrace';
import { startUi } from '@runtrace/ui';
import type { UiServer } from '@runtrace/ui';
import { ExitCodes } from '../../exit-codes.js';
import { UsageError } from '../cli-errors.js';
import { readCliEnv } from '../cli-env.js';
import { DB_OPTIONS, databasePath, parseCommandArgs } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { parseInteger, parseSize } from '../parse-values.js';

export const COLLECT_HELP = `runtrace collect [flags]

Receive OTLP/HTTP traces (POST /v1/traces, protobuf or JSON, gzip), and with --grpc OTLP/gRPC
too, from any service and
write them into the store through the same redaction and run summaries as in-process
recording. Prints a live count of spans received; stops on Ctrl-C (SIGINT) or SIGTERM after
flushing what it received.

  --port <n>             port to listen on (default 4318; 0 picks a free one)
  --grpc                 also receive OTLP/gRPC, on port 4317
  --grpc-port <n>        the OTLP/gRPC port (implies --grpc; 0 picks a free one)
  --host <addr>          interface to bind (default 127.0.0.1: this machine only)
  --token <token>        require "Authorization: Bearer <token>" (default: none;
                         also RUNTRACE_COLLECTOR_TOKEN)
  --forward <url>        also send everything on to this OTLP/HTTP traces URL
  --forward-content <c>  what the upstream receives: metadata (default) or full
  --max-body <size>      largest request body (default 16MB)
  --db <file|url>        the store (default ./.runtrace/runtrace.db, or RUNTRACE_DB);
                         created when missing; a postgres:// URL writes into a
                         PostgreSQL database that many collectors can share
  --ui                   also serve the web viewer over the same store, on 127.0.0.1:4319
  --ui-port <n>          the viewer's port (implies --ui; 0 picks a free one)
  --json                 print one JSON line per request instead of the live counter
`;

/** Runs `runtrace collect` until the signal aborts. */
export async function collectCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: {
      ...DB_OPTIONS,
      port: { type: 'string' },
      grpc: { type: 'boolean' },
      'grpc-port': { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      forward: { type: 'string' },
      'forward-content': { type: 'string' },
      'max-body': { type: 'string' },
      ui: { type: 'boolean' },
      'ui-port': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(COLLECT_HELP);
    return ExitCodes.OK;
  }
  const port = values.port === undefined ? 4318 : parseInteger('port', values.port, 0, 65_535);
  const grpcPort = values['grpc-port'] !== undefined ? parseInteger('grpc-port', values['grpc-port'], 0, 65_535) : values.grpc === true ? 4317 : undefined;
  const uiPort = values['ui-port'] !== undefined ? parseInteger('ui-port', values['ui-port'], 0, 65_535) : values.ui === true ? 4319 : undefined;
  const maxBodyBytes = values['max-body'] === undefined ? undefined : parseSize('max-body', values['max-body']);
  const forwardContent = values['forward-content'];
  if (forwardContent !== undefined && forwardContent !== 'metadata' && forwardContent !== 'full') {
    throw new UsageError(`--forward-content wants metadata or full, not ${JSON.stringify(forwardContent)}`);
  }
  if (values.forward !== undefined && !/^https?:\/\//.test(values.forward)) throw new UsageError(`--forward wants an http:// or https:// URL, not ${JSON.stringify(values.forward)}`);
  const token = values.token ?? readCliEnv(context.io.env).collectorToken;
  const path = databasePath(context.io, values.db);

  // The pipeline answers a request only after its spans are committed to the store (in chunks
  // the writer's queue always has room for), so a request of any size either lands completely or
  // is answered 429/503 for the sender to retry — never dropped silently. The OTLP variables of
  // the environment describe where this process would send its own traces, so forwarding happens
  // only when asked for with --forward (never back to itself).
  const pipeline = createIngestPipeline({
    store: path,
    ...(values.forward === undefined ? {} : { forward: { endpoint: values.forward, content: forwardContent ?? 'metadata' } }),
  });
  let collector: Collector;
  try {
    collector = new Collector({
      processor: pipeline,
      onClose: () => pipeline.shutdown(),
      port,
      ...(grpcPort === undefined ? {} : { grpcPort }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(token === undefined ? {} : { bearerToken: token }),
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    });
  } catch (error: unknown) {
    await pipeline.shutdown();
    throw error;
  }
  let address;
  try {
    address = await collector.listen();
  } catch (error: unknown) {
    await collector.close();
    const code = (error as { code?: unknown }).code;
    const message = errorMessage(error);
    const reason =
      code === 'EADDRINUSE'
        ? `port ${port} is in use (pick another with --port, or 0 for any free port)`
        : grpcPort !== undefined && /address already in use|EADDRINUSE|No address added/i.test(message)
          ? `gRPC port ${grpcPort} is in use (pick another with --grpc-port, or 0 for any free port)`
          : message;
    throw new Error(`cannot listen: ${reason}`, { cause: error });
  }

  // The viewer always binds loopback: the collector may listen on a wider interface, the prompts and bodies it shows may not.
  let ui: UiServer | undefined;
  if (uiPort !== undefined) {
    try {
      ui = await startUi({ databasePath: path, port: uiPort });
    } catch (error: unknown) {
      await collector.close();
      const code = (error as { code?: unknown }).code;
      throw new Error(`cannot serve the viewer: ${code === 'EADDRINUSE' ? `port ${uiPort} is in use (pick another with --ui-port, or 0 for any free port)` : errorMessage(error)}`, { cause: error });
    }
  }

  const live = context.io.stdout.isTTY === true && !values.json;
  context.err(`runtrace collect: OTLP/HTTP traces on ${address.url} → ${maskUrlPassword(path)}${values.forward === undefined ? '' : ` (forwarding to ${values.forward})`}\n`);
  if (address.grpcUrl !== undefined) context.err(`runtrace collect: OTLP/gRPC traces on ${address.grpcUrl}\n`);
  if (ui !== undefined) context.err(`runtrace collect: viewer on ${ui.url}\n`);
  context.err(`point a sender at it: OTEL_EXPORTER_OTLP_ENDPOINT=http://${address.host}:${address.port}   stop with Ctrl-C\n`);
  let spans = 0;
  let rejected = 0;
  let requests = 0;
  const unsubscribe = collector.subscribe((event) => {
    requests += 1;
    spans += event.acceptedSpans;
    rejected += event.rejectedSpans;
    if (values.json) {
      context.out(`${JSON.stringify({ ...event, time: new Date(context.io.now()).toISOString() })}\n`);
    } else if (live) {
      context.out(`\r\u001b[2Kreceived ${spans} spans in ${requests} requests${rejected > 0 ? `, ${rejected} rejected` : ''}${event.status === 200 ? '' : ` (last answer ${event.status}: ${event.message})`}`);
    } else if (event.status !== 200 || event.rejectedSpans > 0) {
      context.out(`${event.status} ${event.acceptedSpans} accepted, ${event.rejectedSpans} rejected: ${event.message}\n`);
    } else {
      context.out(`received ${event.acceptedSpans} spans (total ${spans})\n`);
    }
  });

  await untilStopped(context);
  unsubscribe();
  if (live) context.out('\n');
  await ui?.close();
  await collector.close();
  context.err(`runtrace collect: stopped after ${spans} spans in ${requests} requests\n`);
  return ExitCodes.OK;
}

/** Resolves when the command is told to stop: the context's signal, else the first SIGINT or SIGTERM. */
export function untilStopped(context: CommandContext): Promise<void> {
  const signal = context.io.signal ?? processSignal();
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A signal aborted by the first SIGINT or SIGTERM; the handlers go away after it. */
function processSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}
