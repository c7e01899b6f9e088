// ava configuration: TypeScript test files run through tsx; one control plane per run (test/global-setup).
export default {
  files: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
  extensions: ['ts'],
  nodeArguments: ['--import=tsx'],
  timeout: '120s',
  concurrency: 2,
};
