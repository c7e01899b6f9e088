// ava configuration: TypeScript test files run through tsx, and `kopf-ts` resolves to the sources (the
// `kopf-ts-source` export condition); one control plane per run (test/run.ts).
export default {
  files: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
  extensions: ['ts'],
  nodeArguments: ['--import=tsx', '--conditions=kopf-ts-source'],
  // Each worker exits once its tests are done (and names what it left open): see test/helpers/exit-when-done.ts.
  require: ['./test/helpers/exit-when-done.ts'],
  timeout: '120s',
  concurrency: 2,
};
