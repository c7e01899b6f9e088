// The operator's end-to-end test (`npm test`, Node's own test runner): a real local control plane (etcd +
// kube-apiserver, started for this test), the CRD, the operator of handlers.ts run as `kopf-ts run` does, and
// an object: its handlers run and their results land in the object's status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyManifests, KopfRunner, startControlPlane, type ControlPlane } from 'kopf-ts/testing';

const project = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string): string => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

test('the operator handles a KopfExample', { timeout: 180_000 }, async () => {
  const plane = await startControlPlane();
  try {
    await applyManifests(plane.kubeconfigPath, read('crd.yaml'), 'default');
    const operator = new KopfRunner(['run', '-n', 'default', 'handlers.ts'], {
      cwd: project,
      env: { ...process.env, KUBECONFIG: plane.kubeconfigPath },
    }).start();
    try {
      await operator.waitFor('Watching kopfexamples', 60_000);
      await applyManifests(plane.kubeconfigPath, read('obj.yaml'), 'default');
      await operator.waitFor("Handler 'create_fn' succeeded.");
      assert.deepEqual(await result(plane, 'create_fn'), { message: 'hello world' });

      // A change of spec.field runs field_fn, a plain function: on a worker thread of the pool.
      await applyManifests(
        plane.kubeconfigPath,
        read('obj.yaml').replace('field: value', 'field: changed'),
        'default',
      );
      // A handler on a field has the field in its id (as in Kopf): its result is status['field_fn/spec.field'].
      await operator.waitFor("Handler 'field_fn/spec.field' succeeded.");
      const fieldFn = (await result(plane, 'field_fn/spec.field')) as { field: string; threadId: number };
      assert.equal(fieldFn.field, 'changed');
      assert.ok(fieldFn.threadId > 0, 'field_fn ran on a worker thread');
    } finally {
      assert.equal(await operator.stop(), 0, operator.output); // SIGTERM: a graceful stop, as Ctrl-C
    }
  } finally {
    await plane.stop();
  }
});

/** Polls kopf-example-1 until its status holds the handler's result (written once the handler has succeeded). */
async function result(plane: ControlPlane, handler: string): Promise<unknown> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = (await kopfExample(plane)).status?.[handler];
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`status.${handler} is not written within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads the object kopf-example-1 straight from the API server with the control plane's credentials. */
function kopfExample(plane: ControlPlane): Promise<{ status?: Record<string, unknown> }> {
  const path = '/apis/kopf.dev/v1/namespaces/default/kopfexamples/kopf-example-1';
  return new Promise((resolve, reject) => {
    const options = { ca: plane.ca, headers: { authorization: `Bearer ${plane.token}` } };
    get(new URL(path, plane.server), options, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(JSON.parse(text))
          : reject(new Error(`GET ${path}: ${res.statusCode} ${text}`)),
      );
    }).on('error', reject);
  });
}
