// JSON-body redaction throughput, side by side with JSON.parse + JSON.stringify of the same bodies.
// Run: bash scripts/pnpm.sh exec tsc -b packages/core && bash scripts/pnpm.sh exec node benchmarks/redaction.ts
import { defaultRedactor } from '@runtrace/core';
import { createSeededRandom } from '@runtrace/testkit';

const WORDS = (
  'the model should answer with a short summary of the file and then list every function ' +
  'that reads from the network including retries timeouts and error handling for each call ' +
  'please keep the answer under two hundred words and use markdown headings where useful ' +
  'résumé naïve café 東京 данные 😀'
).split(' ');

function sentence(random: () => number, words: number): string {
  const out: string[] = [];
  for (let index = 0; index < words; index++) out.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return out.join(' ');
}

function code(random: () => number, lines: number): string {
  const out: string[] = [];
  for (let index = 0; index < lines; index++) {
    out.push(`  const value${index} = await fetch("https://api.example.com/v1/items/${Math.floor(random() * 1000)}", { method: "GET" });`);
  }
  return `\`\`\`ts\nasync function load() {\n${out.join('\n')}\n}\n\`\`\``;
}

/**
 * Source code as agents read it into tool results: names of keys and tokens everywhere, each
 * line one the redactor leaves as it is (a comparison, a type, a call, a member).
 */
const SOURCE_LINES = [
  'export async function refresh(config: Config, token: string | undefined): Promise<Session> {',
  '  if (token === undefined) token = await getAccessToken(config);',
  '  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };',
  '  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;',
  '  const response = await fetch(`${config.baseUrl}/v1/sessions`, { method: "POST", headers });',
  '  const secret = crypto.randomBytes(32).toString("hex");',
  '  return { id: response.id, token: self._token, expiresAt: Date.now() + 3_600_000 };',
  '}',
];

function sourceFile(random: () => number, lines: number): string {
  const out: string[] = [];
  for (let index = 0; index < lines; index++) out.push(SOURCE_LINES[Math.floor(random() * SOURCE_LINES.length)]!);
  return `\`\`\`ts\n${out.join('\n')}\n\`\`\``;
}

/** An OpenAI-style chat request with tools, tool calls and a long history, of about `target` bytes. */
function chatBody(target: number, seed: number, withSecrets = false, realSource = false): string {
  const random = createSeededRandom(seed);
  const body = {
    model: 'gpt-4o-2024-08-06',
    stream: true,
    temperature: 0.2,
    max_tokens: 4096,
    stream_options: { include_usage: true },
    tools: [
      {
        type: 'function',
        function: {
          name: 'read_file',
          description: 'Reads a file from the workspace.',
          parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        },
      },
    ],
    messages: [{ role: 'system', content: `You are a careful assistant. ${sentence(random, 20)}` }] as unknown[],
    ...(withSecrets ? { metadata: { api_key: 'internal-key-0001', user: 'ada' } } : {}),
  };
  let size = JSON.stringify(body).length;
  let turn = 0;
  while (size < target) {
    const remaining = target - size;
    const words = Math.max(3, Math.min(400, Math.floor(remaining / 7)));
    const message =
      turn % 4 === 0
        ? { role: 'user', content: withSecrets && turn % 40 === 0 ? `${sentence(random, words)} my key is sk-proj-${'Ab1'.repeat(16)}` : sentence(random, words) }
        : turn % 4 === 1
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: `call_${turn}`,
                  type: 'function',
                  function: { name: 'read_file', arguments: JSON.stringify({ path: `src/file-${turn}.ts` }) },
                },
              ],
            }
          : turn % 4 === 2
            ? {
                role: 'tool',
                tool_call_id: `call_${turn - 1}`,
                content: (realSource ? sourceFile : code)(random, Math.max(1, Math.min(60, Math.floor(remaining / 110)))),
              }
            : { role: 'assistant', content: sentence(random, words), usage: { input_tokens: 1200 + turn, output_tokens: 300 } };
    body.messages.push(message);
    size += JSON.stringify(message).length + 1;
    turn++;
  }
  return JSON.stringify(body);
}

/** MB/s of `run` over `text` during about `durationMs`. */
function throughput(text: string, run: (text: string) => unknown, durationMs: number): number {
  const bytes = Buffer.byteLength(text);
  let iterations = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < durationMs * 1e6) {
    run(text);
    iterations++;
    elapsed = Number(process.hrtime.bigint() - started);
  }
  return (bytes * iterations) / (elapsed / 1e9) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Measures both functions in alternating rounds (so a busy machine slows both alike) and
 * returns the median throughput of each.
 */
function compare(text: string, candidate: (text: string) => unknown, baseline: (text: string) => unknown): [number, number] {
  for (let index = 0; index < 20; index++) {
    candidate(text);
    baseline(text);
  }
  const candidates: number[] = [];
  const baselines: number[] = [];
  for (let round = 0; round < 7; round++) {
    baselines.push(throughput(text, baseline, 150));
    candidates.push(throughput(text, candidate, 150));
  }
  return [median(candidates), median(baselines)];
}

const cases: { label: string; target: number; withSecrets: boolean; realSource?: boolean }[] = [
  { label: '1 KB', target: 1_000, withSecrets: false },
  { label: '50 KB', target: 50_000, withSecrets: false },
  { label: '1 MB', target: 1_000_000, withSecrets: false },
  { label: '50 KB, with secrets', target: 50_000, withSecrets: true },
  // Tool results holding source code whose names hold `token` and `key`: each such name sends
  // the whole string through the assignment rules.
  { label: '50 KB, source code', target: 50_000, withSecrets: false, realSource: true },
];

console.log('JSON body redaction throughput (MB/s, higher is better), baseline: JSON.parse + JSON.stringify');
console.log('target: ratio >= 0.50 (redaction at least half as fast as the baseline)');
console.log('body                  bytes      redactJson   parse+stringify   ratio');
for (const { label, target, withSecrets, realSource } of cases) {
  const body = chatBody(target, 42, withSecrets, realSource);
  const check = defaultRedactor.redactJson(body);
  if ((check.value !== body) !== withSecrets) throw new Error(`benchmark body ${label}: unexpected redaction result`);
  const [redaction, baseline] = compare(
    body,
    (text) => defaultRedactor.redactJson(text),
    (text) => JSON.stringify(JSON.parse(text)),
  );
  console.log(
    `${label.padEnd(21)} ${String(Buffer.byteLength(body)).padEnd(10)} ${redaction.toFixed(1).padStart(10)}   ${baseline.toFixed(1).padStart(15)}   ${(redaction / baseline).toFixed(2).padStart(5)}x${redaction / baseline >= 0.5 ? '' : '  below target'}`,
  );
}
