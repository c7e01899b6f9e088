// Unit tests of src/model/resource.ts: API paths and printable names of resources.
import test from 'ava';
import { resourcePath, resourceName, apiVersionOf } from '../../src/model/resource.ts';

const kex = { group: 'kopf.dev', version: 'v1', plural: 'kopfexamples', namespaced: true };
const pods = { group: '', version: 'v1', plural: 'pods', namespaced: true };

test('paths of custom and core resources', (t) => {
  t.is(resourcePath(kex), '/apis/kopf.dev/v1/kopfexamples');
  t.is(resourcePath(kex, { namespace: 'ns1', name: 'a', subresource: 'status' }), '/apis/kopf.dev/v1/namespaces/ns1/kopfexamples/a/status');
  t.is(resourcePath(pods, { namespace: 'ns1' }), '/api/v1/namespaces/ns1/pods');
  t.is(resourcePath({ ...pods, plural: 'namespaces', namespaced: false }, { namespace: 'x', name: 'n' }), '/api/v1/namespaces/n');
});

test('names and apiVersions', (t) => {
  t.is(resourceName(kex), 'kopfexamples.v1.kopf.dev');
  t.is(resourceName(pods), 'pods.v1');
  t.is(apiVersionOf(kex), 'kopf.dev/v1');
  t.is(apiVersionOf(pods), 'v1');
});
