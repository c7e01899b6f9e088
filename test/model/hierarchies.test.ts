// Unit tests of src/model/hierarchies.ts: adopting children as Kopf's kopf.adopt does.
import test from 'ava';
import { adopt, appendOwnerReference, removeOwnerReference, harmonizeNaming, label, adjustNamespace } from '../../src/model/hierarchies.ts';
import type { Body } from '../../src/model/body.ts';

const owner: Body = {
  apiVersion: 'kopf.dev/v1',
  kind: 'KopfExample',
  metadata: { name: 'parent', namespace: 'ns1', uid: 'u-1', labels: { a: '1', b: '2' } },
};

test('adopt sets the owner reference, generated name, namespace and labels', (t) => {
  const child: Body = { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { b: 'own' } } };
  adopt(child, owner);
  t.deepEqual(child.metadata, {
    labels: { a: '1', b: 'own' },
    ownerReferences: [{ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name: 'parent', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
    generateName: 'parent-',
    namespace: 'ns1',
  });
  adopt(child, owner);
  t.is(child.metadata.ownerReferences!.length, 1, 'not duplicated');
});

test('adopt keeps existing names and namespaces unless forced; strict uses the exact name', (t) => {
  const named: Body = { metadata: { name: 'mine', namespace: 'other' } };
  adopt(named, owner);
  t.is(named.metadata.name, 'mine');
  t.is(named.metadata.namespace, 'other');
  adopt(named, owner, { forced: true, strict: true });
  t.is(named.metadata.name, 'parent');
  t.is(named.metadata.namespace, 'ns1');
  t.is(named.metadata.generateName, undefined);
});

test('owner references are added and removed by uid', (t) => {
  const objs: Body[] = [{ metadata: {} }, { metadata: {} }];
  appendOwnerReference(objs, owner, { controller: false });
  t.false(objs[0]!.metadata.ownerReferences![0]!.controller);
  removeOwnerReference(objs, owner);
  t.deepEqual(objs[1]!.metadata.ownerReferences, []);
});

test('an owner without a uid cannot be referenced', (t) => {
  t.throws(() => appendOwnerReference({ metadata: {} }, { metadata: { name: 'x' } }), { message: /uid/ });
});

test('label, harmonizeNaming, adjustNamespace respect forced', (t) => {
  const obj: Body = { metadata: { labels: { a: 'x' }, generateName: 'g-' } };
  label(obj, { a: 'y', c: 'z' });
  t.deepEqual(obj.metadata.labels, { a: 'x', c: 'z' });
  label(obj, { a: 'y' }, { forced: true });
  t.is(obj.metadata.labels!.a, 'y');
  harmonizeNaming(obj, 'n');
  t.is(obj.metadata.generateName, 'g-');
  adjustNamespace(obj, undefined);
  t.is(obj.metadata.namespace, undefined);
});
