// Unit tests of src/model/results.ts: Kopf's delivery of handler results into status.<id>, and kopf-ts's
// skipping of results that the object already holds.
import test from 'ava';
import {
  deliverResult,
  deliverResultIfChanged,
  resultIsUnchanged,
  resultToJson,
} from '../../src/model/results.ts';
import { newPatch, prunePatch } from '../../src/model/patch.ts';
import type { Body } from '../../src/model/body.ts';

test('mappings merge into status.<id>, other values replace it, null/undefined deliver nothing', (t) => {
  const patch = newPatch();
  deliverResult(patch, 'fn', { a: 1, b: 1 });
  deliverResult(patch, 'fn', { b: 2 });
  deliverResult(patch, 'scalar', 'hello');
  deliverResult(patch, 'list', [1, 2]);
  deliverResult(patch, 'nothing', null);
  deliverResult(patch, 'nothing', undefined);
  deliverResult(patch, 'zero', 0);
  t.deepEqual(prunePatch(patch), { status: { fn: { a: 1, b: 2 }, scalar: 'hello', list: [1, 2], zero: 0 } });
});

test('results become JSON: dates as strings, undefined dropped; BigInt is refused with the handler id', (t) => {
  t.deepEqual(resultToJson({ when: new Date(0), u: undefined }), { when: '1970-01-01T00:00:00.000Z' });
  t.throws(() => resultToJson({ n: 1n }, 'my_fn'), { instanceOf: TypeError, message: /my_fn/ });
});

test('unchanged results are detected with merge-patch semantics', (t) => {
  const body: Body = { metadata: {}, status: { fn: { a: 1, extra: 2 }, s: 'x' } };
  t.true(resultIsUnchanged(body, 'fn', { a: 1 }));
  t.false(resultIsUnchanged(body, 'fn', { a: 2 }));
  t.true(resultIsUnchanged(body, 's', 'x'));
  t.false(resultIsUnchanged(body, 's', 'y'));
  t.false(resultIsUnchanged({ metadata: {} }, 'fn', { a: 1 }));
  t.true(resultIsUnchanged(body, 'none', undefined));
});

test('deliverResultIfChanged skips unchanged results unless asked to rewrite', (t) => {
  const body: Body = { metadata: {}, status: { tick: { n: 1 } } };
  const patch = newPatch();
  t.false(deliverResultIfChanged(patch, body, 'tick', { n: 1 }));
  t.deepEqual(prunePatch(patch), {});
  t.true(deliverResultIfChanged(patch, body, 'tick', { n: 1 }, { rewriteUnchanged: true }));
  t.true(deliverResultIfChanged(patch, body, 'tock', 5));
  t.deepEqual(prunePatch(patch), { status: { tick: { n: 1 }, tock: 5 } });
  const touched = newPatch({ status: { tick: { n: 9 } } });
  t.true(deliverResultIfChanged(touched, body, 'tick', { n: 1 }), 'the patch already changes it: deliver');
  t.deepEqual(touched.status['tick'], { n: 1 });
});
