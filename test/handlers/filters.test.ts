// Unit tests of src/handlers/filters.ts: Kopf's label/annotation/field/value/old/new/when filters and the
// combinators, plus the registration-time validation.
import test from 'ava';
import { ABSENT, PRESENT, all_, any_, matchFilters, none_, not_, validateFilters } from '../../src/handlers/filters.ts';
import type { Body } from '../../src/model/body.ts';

const body: Body = { metadata: { labels: { a: '1', empty: '' }, annotations: { note: 'x' } }, spec: { field: 'value', n: 0 } };
const subject = (extra: object = {}) => ({ body, kwargs: () => ({ spec: body.spec, body }), ...extra });

test('labels and annotations: values, PRESENT, ABSENT, callbacks', (t) => {
  t.true(matchFilters({ labels: { a: '1' } }, null, subject()));
  t.false(matchFilters({ labels: { a: '2' } }, null, subject()));
  t.true(matchFilters({ labels: { empty: PRESENT } }, null, subject()), 'an empty value counts as present');
  t.true(matchFilters({ labels: { missing: ABSENT } }, null, subject()));
  t.false(matchFilters({ labels: { a: ABSENT } }, null, subject()));
  t.true(matchFilters({ annotations: { note: (v: unknown) => v === 'x' } }, null, subject()));
  t.true(matchFilters({ annotations: { missing: (v: unknown) => v === null } }, null, subject()), 'absent keys reach callbacks as null');
});

test('field and value: present by default, equality, PRESENT/ABSENT, callbacks, either side on changes', (t) => {
  t.true(matchFilters({}, ['spec', 'field'], subject()));
  t.false(matchFilters({}, ['spec', 'nope'], subject()));
  t.true(matchFilters({ value: 'value' }, ['spec', 'field'], subject()));
  t.false(matchFilters({ value: 'other' }, ['spec', 'field'], subject()));
  t.true(matchFilters({ value: 0 }, ['spec', 'n'], subject()), 'a falsy value is still a value');
  t.true(matchFilters({ value: ABSENT }, ['spec', 'nope'], subject()));
  t.true(matchFilters({ value: (v: unknown) => v === 'value' }, ['spec', 'field'], subject()));
  const change = subject({ old: { spec: { field: 'before' } }, new: { spec: { field: 'after' } } });
  t.true(matchFilters({ value: 'before' }, ['spec', 'field'], change, { changeCause: true }), 'the old side may satisfy');
});

test('old/new and the field-change requirement of update handlers', (t) => {
  const change = subject({ old: { spec: { field: 'value' } }, new: { spec: { field: 'changed' } } });
  t.true(matchFilters({ old: 'value', new: 'changed' }, ['spec', 'field'], change, { changeCause: true, fieldNeedsChange: true }));
  t.false(matchFilters({ old: 'other' }, ['spec', 'field'], change, { changeCause: true, fieldNeedsChange: true }));
  const same = subject({ old: { spec: { field: 'v' } }, new: { spec: { field: 'v' } } });
  t.false(matchFilters({}, ['spec', 'field'], same, { changeCause: true, fieldNeedsChange: true }));
  t.true(matchFilters({}, ['spec', 'field'], same, { changeCause: true, fieldNeedsChange: true, prematch: true }), 'pre-matching ignores the change');
});

test('when, with not_/all_/any_/none_', (t) => {
  const yes = () => true;
  const no = () => false;
  t.true(matchFilters({ when: yes }, null, subject()));
  t.false(matchFilters({ when: no }, null, subject()));
  t.true(matchFilters({ when: not_(no) }, null, subject()));
  t.false(matchFilters({ when: all_([yes, no]) }, null, subject()));
  t.true(matchFilters({ when: any_([no, yes]) }, null, subject()));
  t.true(matchFilters({ when: none_([no, no]) }, null, subject()));
  t.true(matchFilters({ when: ({ spec }: { spec: { field: string } }) => spec.field === 'value' }, null, subject()), 'callbacks get the cause kwargs');
});

test('registration errors with Kopf wording', (t) => {
  t.throws(() => validateFilters({ labels: { a: null as never } }, null), { message: /kopf\.PRESENT or kopf\.ABSENT/ });
  t.throws(() => validateFilters({ value: 1 }, null), { message: /need a field/ });
  t.throws(() => validateFilters({ value: 1, old: 2 }, ['spec', 'x']), { message: /not both/ });
});
