// Unit tests of src/model/essence.ts and src/model/pyjson.ts: essences and diff-base annotations compared byte
// for byte with the real Kopf's AnnotationsDiffBaseStorage.build/store + SmartProgressStorage.clear
// (test/model/fixtures/kopf-1.44.6.json, made by test/model/fixtures/generate-kopf-fixtures.py).
import test from 'ava';
import {
  buildEssence,
  clearEssence,
  decodeDiffBase,
  diffBaseKeys,
  encodeDiffBase,
  storeDiffBase,
} from '../../src/model/essence.ts';
import { dumpsCompact } from '../../src/model/pyjson.ts';
import { newPatch, prunePatch } from '../../src/model/patch.ts';
import type { Body } from '../../src/model/body.ts';
import { kopf } from './kopf-fixtures.ts';

test('essences, their encoding and the stored patch equal Kopf`s for every fixture body', (t) => {
  t.true(kopf.essences.length >= 8);
  for (const { name, body, extra, prefix, essence, encoded, patch } of kopf.essences) {
    const built = buildEssence(body, { prefix, extraFields: extra });
    t.deepEqual(built, essence, name);
    t.is(encodeDiffBase(built), encoded, `${name}: same bytes`);
    const ours = newPatch();
    storeDiffBase(ours, body, built, { prefix });
    t.deepEqual(prunePatch(ours), patch, `${name}: same patch`);
  }
});

test('the essence keeps Kopf`s key order: body order, then metadata, then extra fields', (t) => {
  const body: Body = {
    metadata: { name: 'n', labels: { a: '1' } },
    spec: { b: 1 },
    data: { c: 2 },
    status: { phase: 'x' },
  };
  t.is(
    encodeDiffBase(buildEssence(body, { extraFields: ['status.phase'] })),
    '{"spec":{"b":1},"data":{"c":2},"metadata":{"labels":{"a":"1"}},"status":{"phase":"x"}}\n',
  );
});

test('ignored fields are removed', (t) => {
  const body: Body = { metadata: {}, spec: { a: 1, b: { c: 1 } } };
  t.deepEqual(buildEssence(body, { ignoredFields: ['spec.b.c', 'spec.absent'] }), { spec: { a: 1 } });
});

test('the body is not changed by building its essence', (t) => {
  const body: Body = { metadata: { annotations: { 'kopf.zalando.org/x': '1', y: '2' } }, spec: { a: 1 } };
  const before = JSON.stringify(body);
  buildEssence(body);
  t.is(JSON.stringify(body), before);
});

test('decodeDiffBase reads the stored essence, cleared, or null', (t) => {
  const essence = {
    spec: { a: 1 },
    metadata: { annotations: { 'kopf.zalando.org/leftover': 'x', keep: 'y' } },
  };
  const body: Body = {
    metadata: { annotations: { 'kopf.zalando.org/last-handled-configuration': encodeDiffBase(essence) } },
  };
  t.deepEqual(decodeDiffBase(body), { spec: { a: 1 }, metadata: { annotations: { keep: 'y' } } });
  t.is(decodeDiffBase({ metadata: {} }), null);
  t.is(
    decodeDiffBase({ metadata: { annotations: { 'kopf.zalando.org/last-handled-configuration': 'null' } } }),
    null,
  );
});

test('a malformed diff-base is reported and counts as absent', (t) => {
  const reported: string[] = [];
  const onMalformed = (key: string) => reported.push(key);
  t.is(
    decodeDiffBase(
      { metadata: { annotations: { 'kopf.zalando.org/last-handled-configuration': '{oops' } } },
      { onMalformed },
    ),
    null,
  );
  t.is(
    decodeDiffBase(
      { metadata: { annotations: { 'kopf.zalando.org/last-handled-configuration': '[1]' } } },
      { onMalformed },
    ),
    null,
  );
  t.deepEqual(reported, [
    'kopf.zalando.org/last-handled-configuration',
    'kopf.zalando.org/last-handled-configuration',
  ]);
});

test('diff-base keys follow the prefix and the -ofDRS mark', (t) => {
  t.deepEqual(diffBaseKeys({ metadata: {} }, { prefix: 'example.com' }), [
    'example.com/last-handled-configuration',
  ]);
  const rs: Body = {
    kind: 'ReplicaSet',
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u' }] },
  };
  t.deepEqual(diffBaseKeys(rs), ['kopf.zalando.org/last-handled-configuration-ofDRS']);
});

test('clearEssence drops own annotations and status.kopf.progress', (t) => {
  const essence = {
    status: { kopf: { progress: { a: {} } }, phase: 'x' },
    metadata: { annotations: { 'p.io/a': '1' } },
  };
  t.deepEqual(clearEssence(essence, { prefix: 'p.io' }), { status: { phase: 'x' } });
});

test('dumpsCompact escapes like Python`s json.dumps', (t) => {
  t.is(
    dumpsCompact({ s: 'é✓😀\u007f\u0001\t"\\/' }),
    '{"s":"\\u00e9\\u2713\\ud83d\\ude00\\u007f\\u0001\\t\\"\\\\/"}',
  );
  t.is(dumpsCompact([1, null, true, 1.5]), '[1,null,true,1.5]');
  t.throws(() => dumpsCompact(undefined));
});
