// What a collector under a flood looks like from outside: large OTLP/JSON bodies of huge arrays
// posted at once while small valid requests keep arriving, with their latency and the process's RSS.
import { request as httpRequest, type Agent } from 'node:http';

let smallCounter = 0;
/** A valid 3-span OTLP/JSON request with fresh ids. */
export function smallBody(): string {
  const n = ++smallCounter;
  const spans = [0, 1, 2].map((j) => ({
    traceId: (0x5000 + n).toString(16).padStart(32, '0'),
    spanId: (0x5000_0000 + n * 4 + j).toString(16).padStart(16, '0'),
    name: `small ${j}`,
    startTimeUnixNano: `${Date.now() - 10}000000`,
    endTimeUnixNano: `${Date.now()}000000`,
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

export interface Reply {
  readonly status: number;
  readonly ms: number;
}

/** Posts one JSON body on its own connection. */
export function postJson(url: string, body: string | Buffer, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface FloodFigures {
  readonly floodStatuses: readonly number[];
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  /** Latencies of the small requests sent while the flood was in progress, sorted. */
  readonly smallMs: readonly number[];
}

/** Posts `count` copies of `body` at once while small requests go one after another; samples RSS every 10 ms. */
export async function flood(url: string, body: Buffer, count: number): Promise<FloodFigures> {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 10);
  const smallMs: number[] = [];
  let flooding = true;
  const small = (async () => {
    while (flooding) {
      const reply = await postJson(url, smallBody());
      if (reply.status !== 200) throw new Error(`small request answered ${reply.status}`);
      smallMs.push(reply.ms);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const replies = await Promise.all(Array.from({ length: count }, () => postJson(url, body)));
  flooding = false;
  await small;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024));
  return { floodStatuses: replies.map((reply) => reply.status), rssBeforeMb: mb(rssBefore), rssPeakMb: mb(rssPeak), smallMs: smallMs.sort((a, b) => a - b) };
}

/** Latencies of `count` small requests sent one after another, sorted. */
export async function idleLatencies(url: string, count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) ms.push((await postJson(url, smallBody())).ms);
  return ms.sort((a, b) => a - b);
}
