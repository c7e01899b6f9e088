// Unit tests of src/model/settings-merge.ts for settings that take null to turn a feature off (issue 16:
// execution.passivateAfter), while other numbers still refuse null. No cluster.
import test from 'ava';
import { defaultSettings } from '../../src/model/settings.ts';
import { mergeSettings } from '../../src/model/settings-merge.ts';

test('execution.passivateAfter takes null (never passivate) and numbers; other number settings refuse null', (t) => {
  const settings = defaultSettings();
  t.is(settings.execution.passivateAfter, 60);
  mergeSettings(settings, { execution: { passivateAfter: null } }, 'KOPF_TS_SETTINGS');
  t.is(settings.execution.passivateAfter, null);
  mergeSettings(settings, { execution: { passivateAfter: 5 } }, 'KOPF_TS_SETTINGS');
  t.is(settings.execution.passivateAfter, 5);
  t.throws(() => mergeSettings(settings, { execution: { defaultBackoff: null } }, 'KOPF_TS_SETTINGS'), { message: /defaultBackoff must be a number/ });
  t.throws(() => mergeSettings(settings, { execution: { passivateAfter: 'soon' } }, 'KOPF_TS_SETTINGS'), { message: /passivateAfter must be a number/ });
});
