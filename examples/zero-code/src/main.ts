// The zero-code demo: local mock LLM servers, then each app run as `node --import runtrace/register <app>`
// with its base URL pointed at them, then `runtrace runs`.
//
//   node examples/zero-code/src/main.ts     records into ./.runtrace/runtrace.db (RUNTRACE_DB to change)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockAnthropicServer, startMockGeminiServer, startMockOpenAIServer } from '@runtrace/testkit';

const APPS = ['openai-app.ts', 'anthropic-app.ts', 'gemini-app.ts', 'ai-sdk-app.ts'];
const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const database = resolve(process.env['RUNTRACE_DB'] ?? '.runtrace/runtrace.db');
const cli = join(dirname(fileURLToPath(import.meta.resolve('runtrace/package.json'))), 'bin/runtrace.js');

/** Runs `node <args>` in the example's directory and fails when it does. */
async function node(args: readonly string[], env: Readonly<Record<string, string>>): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: exampleDir, env: { ...process.env, ...env }, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${String(code)}`);
}

const openai = await startMockOpenAIServer({ fallback: { reply: 'It is 4 °C and clear.', usage: { promptTokens: 14, completionTokens: 9 } } });
const anthropic = await startMockAnthropicServer({ fallback: { reply: 'Bergen is 9 °C with rain, as usual.', usage: { inputTokens: 15, outputTokens: 12 } } });
const gemini = await startMockGeminiServer({ fallback: { reply: 'Tromsø is -3 °C under the northern lights.', usage: { promptTokens: 12, candidatesTokens: 11 } } });
// What each app reads from its environment; the keys are placeholders the mock servers accept.
const appEnv = {
  RUNTRACE_DB: database,
  OPENAI_BASE_URL: openai.baseURL,
  OPENAI_API_KEY: 'sk-demo-0123456789abcdefghijklmnopqrstuvwxyz',
  ANTHROPIC_BASE_URL: anthropic.baseURL,
  ANTHROPIC_API_KEY: 'sk-ant-demo-0123456789abcdefghijklmnopqrstuvwxyz',
  GEMINI_BASE_URL: gemini.url,
  GEMINI_API_KEY: 'demo-gemini-key',
};

try {
  for (const app of APPS) {
    console.log(`\n== node --import runtrace/register src/${app}`);
    await node(['--import', 'runtrace/register', join('src', app)], appEnv);
  }
} finally {
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
}

console.log(`\n== runtrace runs --db ${database}`);
await node([cli, 'runs', '--db', database], {});
