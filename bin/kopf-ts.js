#!/usr/bin/env node
// The `kopf-ts` command. kopf-ts ships TypeScript sources, so this registers tsx (which also lets users'
// operator files be .ts) and hands over to src/cli/main.ts.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`kopf-ts needs Node >= 22; this is ${process.version}. (In this repository, run it through npm or npx, which bring Node 22.)`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
