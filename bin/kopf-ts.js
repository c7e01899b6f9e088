#!/usr/bin/env node
// The `kopf-ts` command: checks the Node version, then starts the CLI through the package's own `kopf-ts/cli`
// export: the compiled dist/src/cli/main.js, or, under the `kopf-ts-source` condition that this repository's
// npm scripts and tests set, src/cli/main.ts through Node's type stripping (nothing is compiled at run time).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `kopf-ts needs Node >= 22; this is ${process.version}. (In the kopf-ts repository, run it through npm or npx, which bring Node 22.)`,
  );
  process.exit(1);
}
const { existsSync } = await import('node:fs');
const { fileURLToPath } = await import('node:url');
const entry = import.meta.resolve('kopf-ts/cli');
if (!existsSync(fileURLToPath(entry))) {
  console.error(
    `kopf-ts: ${fileURLToPath(entry)} is missing: this copy of kopf-ts is not built. Run \`npm run build\` in it (a checkout of the repository can also run from its sources: node --conditions=kopf-ts-source bin/kopf-ts.js …).`,
  );
  process.exit(1);
}
await import(entry);
