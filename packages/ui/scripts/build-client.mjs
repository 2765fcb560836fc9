// Builds the viewer's browser assets into dist/assets: one minified ES module (Preact and the
// pages) and the stylesheet. Run by the workspace build after tsc; nothing is fetched at run time.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/assets`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}client/main.ts`],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  outfile: `${out}/app.js`,
  logLevel: 'warning',
});
copyFileSync(`${root}client/app.css`, `${out}/app.css`);
const size = statSync(`${out}/app.js`).size;
const gzipped = gzipSync(readFileSync(`${out}/app.js`)).length;
console.log(`ui assets: app.js ${(size / 1024).toFixed(1)} KB (${(gzipped / 1024).toFixed(1)} KB gzipped), app.css`);
