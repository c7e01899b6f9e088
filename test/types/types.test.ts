// The type tests: `tsc --strict` over test/types/typed-operator.ts (every handler kind, typed as a user types
// it; must compile cleanly) and test/types/type-errors.ts (wrong uses, each under `@ts-expect-error`: the
// compile fails if one of them stops being an error). 'kopf-ts' is this repository's source there
// (test/types/tsconfig.json). Needs no cluster.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('a typed operator and the wrong uses type-check as intended under tsc --strict', (t) => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(
    process.execPath,
    [tsc, '--strict', '--noEmit', '-p', join('test', 'types', 'tsconfig.json')],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 100_000,
    },
  );
  const output = `${run.stdout}${run.stderr}`;
  t.is(run.error, undefined);
  t.is(output, '', output);
  t.is(run.status, 0);
});
