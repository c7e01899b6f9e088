// An operator file that the example tests load before an example (`kopf-ts run e2e-settings.ts operator.ts`)
// to give it the settings of Kopf's e2e test: retries after 1 s instead of 60 s, so that a handler failing
// with an arbitrary error (and no `backoff` of its own) is retried within the test's time.
import * as kopf from 'kopf-ts';

kopf.on.startup(async function e2e_settings({ settings }) {
  settings.execution.defaultBackoff = 1;
});
