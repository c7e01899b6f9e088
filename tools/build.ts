/**
 * `npm run build` (and `npm pack`'s prepack): compiles src/ and machines/ into dist/ with tsc
 * (tsconfig.build.json: JavaScript, .d.ts and source maps; `.ts` import specifiers become `.js`), and copies
 * the devtools page's static files next to the compiled server. Run by npm with the project's Node.
 */
import { cpSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error(`kopf-ts build: tsc failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
cpSync(join(root, 'src', 'devtools', 'page'), join(root, 'dist', 'src', 'devtools', 'page'), { recursive: true });
console.error(`kopf-ts build: dist/ written in ${Date.now() - started} ms`);
