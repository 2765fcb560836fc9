// secretlint as the oracle: runs whose prompts, streamed replies, tool arguments and results,
// error messages and URLs carry a synthetic credential of every family are recorded through
// register() and the real openai client; secretlint (recommend preset) then finds nothing in the
// database file nor in `runtrace export --json`, and no planted value is there byte for byte.
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { lintSource } from '@secretlint/core';
import { creator as recommendPreset } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreResultMessage } from '@secretlint/types';
import { main } from '@runtrace/cli';
import { createSeededRandom, startMockOpenAIServer } from '@runtrace/testkit';
import type { MockOpenAIScenario, MockOpenAIServer } from '@runtrace/testkit';
import OpenAI from 'openai';
import { register } from 'runtrace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The table's example generators are test data rather than public API, so they are read from
// the built package directly.
import { ALNUM, BASE64, CREDENTIAL_RULES, UPPER } from '../packages/core/dist/internal/credential-rules.js';

const random = createSeededRandom(20261206);
function fill(alphabet: string, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += alphabet.charAt(Math.floor(random() * alphabet.length));
  return out;
}

/** A planted credential: the text it is written in, and the values that must not survive. */
interface Plant {
  readonly family: string;
  readonly text: string;
  readonly secrets: readonly string[];
}

function plants(): Plant[] {
  const out: Plant[] = CREDENTIAL_RULES.map((rule) => {
    const token = rule.example(fill);
    // The webhook families mask the path, which is the secret; the host stays.
    const secret = token.includes('/hooks.slack.com/') || token.includes('/api/webhooks/') ? token.slice(token.indexOf('/', token.indexOf('.com/') + 5) + 1) : token;
    return { family: rule.family, text: token, secrets: [secret] };
  });
  const password = (): string => `Pw${fill(ALNUM, 12)}9`;
  for (const scheme of ['postgres', 'mysql', 'mongodb+srv', 'redis', 'amqp']) {
    const secret = password();
    out.push({ family: `${scheme} connection string`, text: `${scheme}://app:${secret}@db-${fill(ALNUM, 4).toLowerCase()}.internal.example.com/main`, secrets: [secret] });
  }
  const basic = password();
  out.push({ family: 'URL userinfo', text: `https://deploy:${basic}@registry.example.com/v2/`, secrets: [basic] });
  const curl = password();
  out.push({ family: 'curl credentials', text: `curl -u admin:${curl} https://api.example.com/v1/items`, secrets: [curl] });
  const awsId = `AKIA${fill('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  const awsSecret = `${fill(BASE64, 20)}Aa${fill(BASE64, 18)}`;
  out.push({ family: 'aws key pair', text: `aws_access_key_id=${awsId} aws_secret_access_key=${awsSecret}`, secrets: [awsId, awsSecret] });
  out.push({ family: 'aws key pair, free text', text: `the pair ${awsId.replace(/.$/, 'Q')} ${awsSecret.replace(/^./, 'Z')}`, secrets: [awsId.replace(/.$/, 'Q'), awsSecret.replace(/^./, 'Z')] });
  const npmrc = fill(ALNUM, 36);
  out.push({ family: 'npmrc auth token', text: `//registry.npmjs.org/:_authToken=${npmrc}`, secrets: [npmrc] });
  out.push({ family: 'PGP private key', text: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${fill(BASE64, 64)}\n${fill(BASE64, 64)}\n=${fill(BASE64, 4)}\n-----END PGP PRIVATE KEY BLOCK-----`, secrets: [] });
  out.push({ family: 'RSA private key', text: `-----BEGIN RSA PRIVATE KEY-----\nMII${fill(BASE64, 61)}\n${fill(BASE64, 64)}\n${fill(BASE64, 64)}\n-----END RSA PRIVATE KEY-----`, secrets: [] });
  for (const plant of out.slice(-2)) (plant.secrets as string[]).push(plant.text.split('\n').find((line) => line.length === 64)!);
  // A value whose name is all that tells it is secret.
  const named = `${fill(UPPER, 4)}${fill(ALNUM, 20)}`;
  out.push({ family: 'generic assignment', text: `some_api_token_123 = "${named}"`, secrets: [named] });
  return out;
}

async function lint(content: string, name: string): Promise<SecretLintCoreResultMessage[]> {
  const result = await lintSource({
    source: { filePath: name, content, ext: '.txt', contentType: 'text' },
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendPreset }] }, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages.filter((message) => message.type === 'message');
}

describe('redaction against secretlint, end to end', () => {
  const planted = plants();
  let dir: string;
  let server: MockOpenAIServer;
  let databaseText = '';
  let exported = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtrace-oracle-'));
    const script: MockOpenAIScenario[] = [];
    for (const plant of planted) {
      script.push(
        // A streamed reply quoting the credential (SSE chunks).
        { chunks: ['Using ', plant.text, ' now.'] },
        // A tool call whose arguments carry it.
        { toolCalls: [{ id: 'call_1', name: 'deploy', arguments: JSON.stringify({ target: 'prod', config: plant.text }) }] },
        // An error document that echoes it.
        { status: 400, error: { message: `Invalid credential: ${plant.text}`, type: 'invalid_request_error' } },
      );
    }
    server = await startMockOpenAIServer({ script });
    const path = join(dir, 'runtrace.db');
    const runtrace = register({ store: path, otlp: false, env: {}, contentPolicy: 'full', bodies: 'all', quiet: true });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 });
    try {
      for (const [index, plant] of planted.entries()) {
        await runtrace.recorder.run({ kind: 'chat_turn', label: `oracle ${index}` }, async (run) => {
          await run.step({ operation: 'stream' }, async () => {
            const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Deploy with ${plant.text}` }], stream: true });
            for await (const _chunk of stream) {
              // read to the end
            }
          });
          await run.step({ operation: 'generate' }, () =>
            client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You deploy.' }, { role: 'user', content: `config:\n${plant.text}` }] }),
          );
          await run.tool({ name: 'deploy', arguments: { config: plant.text } }, () => ({ log: `deployed using ${plant.text}` }));
          // The credential in a URL query (percent-encoded by the client) and in an error message.
          const leaky = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0, defaultQuery: { note: `key is ${plant.text}` } });
          await run.step({ operation: 'generate' }, () => leaky.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).catch(() => undefined);
        });
      }
    } finally {
      await runtrace.shutdown();
      trace.disable();
    }
    // The database with whatever its journal files still hold.
    const files = (await readdir(dir)).filter((name) => name.startsWith('runtrace.db'));
    databaseText = (await Promise.all(files.map((name) => readFile(join(dir, name))))).map((bytes) => bytes.toString('latin1')).join('\n');
    let out = '';
    const code = await main(['export', '--db', path, '--json'], { stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true }, env: {}, cwd: dir });
    expect(code).toBe(0);
    exported = out;
  }, 120_000);

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('recorded every run, with the content captured', () => {
    const document = JSON.parse(exported) as { runs: unknown[] };
    expect(document.runs).toHaveLength(planted.length);
    expect(exported).toContain('Deploy with');
    expect(exported).toContain('[REDACTED]');
  });

  it('secretlint finds the planted credentials when they are not redacted (the oracle works)', async () => {
    const findings = await lint(planted.map((plant) => `value: ${plant.text}`).join('\n'), 'raw.txt');
    const rules = new Set(findings.map((finding) => finding.ruleId));
    // GitLab, npm, SendGrid, Shopify, Tailscale, Vercel and the rest of the preset.
    for (const rule of ['gitlab', 'npm', 'sendgrid', 'shopify', 'tailscale', 'vercel', 'github', 'slack', 'aws', 'privatekey', 'database-connection-string']) {
      expect([...rules].some((id) => id.endsWith(`secretlint-rule-${rule}`)), rule).toBe(true);
    }
  });

  it('secretlint finds nothing in the database file', async () => {
    const findings = await lint(databaseText, 'runtrace.db');
    expect(findings.map((finding) => `${finding.ruleId}: ${finding.message}`)).toEqual([]);
  });

  it('secretlint finds nothing in runtrace export --json', async () => {
    const findings = await lint(exported, 'export.json');
    expect(findings.map((finding) => `${finding.ruleId}: ${finding.message}`)).toEqual([]);
  });

  it('no planted value is in the database or the export, raw or percent-encoded', () => {
    const leaks: string[] = [];
    for (const plant of planted) {
      for (const secret of plant.secrets) {
        for (const [where, text] of [['database', databaseText], ['export', exported]] as const) {
          if (text.includes(secret) || text.includes(encodeURIComponent(secret))) leaks.push(`${plant.family} in ${where}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
