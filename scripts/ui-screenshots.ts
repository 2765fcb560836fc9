// Screenshots of the web viewer for the READMEs (docs/images/ui-*.png): the example chat agent
// records its turns against the local mock LLM server (as `scripts/demo.sh` does), then each page
// is opened in Debian's Chromium and captured.
// Run: bash scripts/pnpm.sh run build && node scripts/ui-screenshots.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@runtrace/store';
import { startUi } from '@runtrace/ui';
import { launchChromium } from '../test/__fixtures__/chromium.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'runtrace-screenshots-'));
const db = join(dir, 'runtrace.db');
execFileSync(process.execPath, [join(root, 'examples/chat-agent/src/main.ts')], { env: { ...process.env, RUNTRACE_DB: db }, stdio: 'ignore' });

const store = openStore({ path: db, sweepOnOpen: false });
const [oslo] = store.listRuns({ labelContains: 'weather in Oslo', limit: 1 }).runs;
store.close();
if (oslo === undefined) throw new Error('the example recorded no Oslo turn');

const ui = await startUi({ databasePath: db, port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 760 });
  const shot = async (hash: string, name: string, ready: string, then?: () => Promise<void>): Promise<void> => {
    await page.goto(`${ui.url}${hash}`);
    await page.waitForSelector(ready);
    await then?.();
    await page.screenshot({ path: join(root, 'docs/images', `${name}.png`) });
    console.log(`docs/images/${name}.png`);
  };
  await shot('#/runs', 'ui-runs', 'tr[data-run-id]');
  await shot(`#/run/${oslo.runId}?trace=${oslo.traceId}`, 'ui-run', 'table.waterfall', async () => {
    await page.locator('table.waterfall .span-button', { hasText: '429' }).first().click();
    await page.waitForSelector('aside.panel');
  });
  if (oslo.conversationId !== null) await shot(`#/conversation/${encodeURIComponent(oslo.conversationId)}`, 'ui-conversation', 'tr[data-run-id]');
  await shot('#/stats', 'ui-stats', '.figures');
} finally {
  await browser.close();
  await ui.close();
  rmSync(dir, { recursive: true, force: true });
}
