// Example 12 as an application would run it: `node example.ts` in a child process against the test's namespace.
// It must greet and bid farewell to each of its 3 objects, log at debug level (kopf.configure({ verbose: true })),
// and exit 0 once the main app stops the operator. (Kopf's own example has no test: test_nothing.py.)
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testCluster } from '../../test/helpers/cluster.ts';

const program = fileURLToPath(new URL('./example.ts', import.meta.url));

test('the embedded operator handles the app objects and stops with the app', async (t) => {
  const cluster = await testCluster(import.meta.filename);
  const ns = cluster.namespace;
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', program], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, EXAMPLE_NAMESPACE: ns, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  }).finally(() => cluster.close());
  t.is(code, 0, output);
  const lines = output.split('\n');
  const at = (text: string): number => lines.findIndex((l) => l.includes(text));
  t.true(at('Starting the main app.') >= 0, output);
  for (let step = 0; step < 3; step++) {
    t.true(at(`Do the main app activity here. Step ${step + 1}/3.`) >= 0, output);
    t.true(
      at(`Hello, kopf-example-${step}!`) > at(`Do the main app activity here. Step ${step + 1}/3.`),
      `greeted ${step}`,
    );
    t.true(at(`Good bye, kopf-example-${step}!`) > at(`Hello, kopf-example-${step}!`), `farewell ${step}`);
  }
  t.true(at('Exiting the main app.') > at('Good bye, kopf-example-2!'));
  t.regex(
    output,
    new RegExp(`DEBUG.*\\[${ns}/kopf-example-0\\] Creation is in progress:`),
    'verbose: debug lines',
  );
  t.regex(output, /The operator has stopped\./);
  t.notRegex(output, /Traceback|Unhandled|uncaught/i);
});
