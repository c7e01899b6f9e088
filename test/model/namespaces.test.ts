// Unit tests of src/model/namespaces.ts: Kopf's namespace patterns, compared with the real
// references.match_namespace over a grid of patterns and names (test/model/fixtures/kopf-1.44.6.json).
import test from 'ava';
import {
  globMatch,
  matchAnyNamespace,
  matchNamespace,
  specificNamespaces,
} from '../../src/model/namespaces.ts';
import { kopf } from './kopf-fixtures.ts';

test('matches equal Kopf`s for every fixture pattern and name', (t) => {
  t.true(kopf.namespaces.length > 50);
  for (const { pattern, name, match } of kopf.namespaces)
    t.is(matchNamespace(name, pattern), match, `${pattern} ~ ${name}`);
});

test('the first inclusive glob decides; an exclusion first implies *', (t) => {
  t.true(matchNamespace('myapp-pr-123', 'myapp-*, !*-pr-*, *pr-123'));
  t.false(matchNamespace('otherapp-pr-123', 'myapp-*, !*-pr-*, *pr-123'));
  t.true(matchNamespace('otherapp-pr-123', '!*-pr-*, *pr-123'));
  t.false(matchNamespace('kube-system', '!kube-*'));
  t.true(matchNamespace('default', ' !kube-* '));
});

test('regexps must match the whole name', (t) => {
  t.true(matchNamespace('team-a', /team-\w+/));
  t.false(matchNamespace('my-team-a', /team-\w+/));
  t.false(matchNamespace('team-a-x', /team-a/g));
});

test('lists of patterns, specific names, and glob details', (t) => {
  t.true(matchAnyNamespace('ns2', ['ns1', 'ns?']));
  t.false(matchAnyNamespace('ns2', []));
  t.deepEqual(specificNamespaces(['ns1', 'ns*', '!x', 'a,b', /re/, 'ns1', 'ns2']), ['ns1', 'ns2']);
  t.true(globMatch('a.b', 'a.b'));
  t.false(globMatch('axb', 'a.b'), 'dots are literal');
  t.true(globMatch(']a', '[]]*'), 'a ] first in a set is literal');
  t.false(globMatch('a]', '[]]*'));
  t.true(globMatch('x[', 'x['), 'an unclosed bracket is literal');
});
