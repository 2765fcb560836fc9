// One configuration of benchmarks/llm-call.ts in a process of its own:
// `node llm-call-client.ts <config> <baseURL> <content policy> [history]`. It sets the configuration up,
// then measures what the parent asks for over IPC (sequential calls: CPU time of the whole
// process; calls in flight: wall time), and at `finish` shuts tracing down and checks that every
// call was kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Unavailable, charactersRead, createSetup } from './llm-call-configs.ts';
import type { TracingSetup } from './llm-call-configs.ts';
import { CONFIG_NAMES, REPLY } from './llm-call-protocol.ts';
import { threadCpu, threadCpuSince } from './thread-cpu.ts';
import type { CallMode, ClientRequest, ClientResponse, ConfigName } from './llm-call-protocol.ts';

const [name, baseURL, contentPolicy, historyText = '0'] = process.argv.slice(2);
const history = Number(historyText);
const send = (message: ClientResponse): Promise<void> =>
  new Promise((resolve) => {
    process.send?.(message, undefined, {}, () => resolve());
  });

let calls = 0;
let failures = 0;

async function measure(setup: TracingSetup, mode: CallMode, count: number, inFlight: number): Promise<ClientResponse> {
  let failed = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      try {
        await setup.call(mode);
      } catch (error: unknown) {
        failed += 1;
        firstFailure ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  };
  const threadsBefore = threadCpu();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  // The telemetry of these calls is part of their cost: wait until it reached its destination.
  await setup.flush();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const threads = threadCpuSince(threadsBefore, threadCpu());
  calls += count;
  failures += failed;
  return { type: 'measured', calls: count, failures: failed, ...(firstFailure === undefined ? {} : { firstFailure }), cpuMicros: cpu.user + cpu.system, wallMs, ...(threads === undefined ? {} : { threads }) };
}

function isConfigName(value: string | undefined): value is ConfigName {
  return (CONFIG_NAMES as readonly (string | undefined)[]).includes(value);
}

if (!isConfigName(name) || baseURL === undefined || !Number.isSafeInteger(history) || history < 0 || (contentPolicy !== 'default' && contentPolicy !== 'none' && contentPolicy !== 'metadata' && contentPolicy !== 'full')) {
  throw new Error('usage: llm-call-client.ts <config> <baseURL> <default|none|metadata|full> [earlier messages per request]');
}
const directory = mkdtempSync(join(tmpdir(), 'runtrace-bench-llm-call-'));
let setup: TracingSetup;
try {
  setup = await createSetup(name, { baseURL, directory, contentPolicy, history });
} catch (error: unknown) {
  rmSync(directory, { recursive: true, force: true });
  if (!(error instanceof Unavailable)) throw error;
  await send({ type: 'unavailable', reason: error.message });
  process.exit(0);
}
await send({ type: 'ready', description: setup.description });

// One request at a time, in arrival order.
let queue = Promise.resolve();
process.on('message', (request: ClientRequest) => {
  queue = queue.then(async () => {
    switch (request.type) {
      case 'sequential':
        await send(await measure(setup, request.mode, request.calls, 1));
        return;
      case 'concurrent':
        await send(await measure(setup, request.mode, request.calls, request.inFlight));
        return;
      case 'finish': {
        const verification = await setup.finish(calls);
        rmSync(directory, { recursive: true, force: true });
        const expectedText = (calls - failures) * REPLY.length;
        const textOk = charactersRead() === expectedText;
        await send({
          type: 'finished',
          totalCalls: calls,
          verification: {
            ok: verification.ok && textOk && failures === 0,
            summary: `${verification.summary}; ${failures} failed calls; reply text read ${textOk ? 'in full' : `${charactersRead()} of ${expectedText} characters`}`,
          },
        });
        // Keep-alive sockets and timers of the configuration must not keep the child alive.
        process.exit(0);
        return;
      }
      default: {
        const unknown: never = request;
        throw new Error(`unknown request ${JSON.stringify(unknown)}`);
      }
    }
  });
});
