// The operator of bench/admission-latency.ts: one validating handler on KopfExamples labelled `bench: yes` (async,
// or a plain function on the worker pool with BENCH_ADMISSION_PLAIN=1), served by a WebhookServer on loopback
// with managed configurations named by BENCH_ADMISSION_MANAGED (the label is the webhook's objectSelector). Started with `kopf-ts run --standalone -n NS`.
import * as kopf from 'kopf-ts';

kopf.on.startup(async function configure({ settings }) {
  settings.admission.server = new kopf.WebhookServer({ addr: '127.0.0.1' });
  settings.admission.managed = process.env.BENCH_ADMISSION_MANAGED ?? 'bench.kopf.dev';
});

if (process.env.BENCH_ADMISSION_PLAIN === '1') {
  kopf.on.validate('kopfexamples', { labels: { bench: 'yes' } }, function check_plain({ spec }) {
    if (spec.field === 'forbidden') throw new kopf.AdmissionError('No.');
  });
} else {
  kopf.on.validate('kopfexamples', { labels: { bench: 'yes' } }, async function check_async({ spec }) {
    if (spec.field === 'forbidden') throw new kopf.AdmissionError('No.');
  });
}
