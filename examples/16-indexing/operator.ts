// Example 16: indexes. Two indexes of pods (whether each is running, by namespace and name; pod names by
// each label), filled on every pod event, and a timer that reads both. Kopf's tuple keys are arrays here; a
// `Map` returned by an index function is Kopf's dict. Two probes report from the index on the liveness
// endpoint. Tested by example.test.ts.
import * as kopf from 'kopf-ts';

type IsRunning = kopf.Index<[string, string], boolean>;
type ByLabel = kopf.Index<[string, string], string>;

kopf.index('pods', function is_running({ namespace, name, status }) {
  return new Map([[[namespace, name], status.phase === 'Running']]);
  // {['kube-system', 'traefik-…-…']: [true],
  //  ['kube-system', 'helm-install-traefik-…']: [false],
  //    …}
});

kopf.index('pods', function by_label({ labels, name }) {
  return new Map(Object.entries(labels).map(([label, value]) => [[label, value], name]));
  // {['app', 'traefik']: ['traefik-…-…'],
  //  ['job-name', 'helm-install-traefik']: ['helm-install-traefik-…'],
  //    …}
});

kopf.on.probe(function pod_count(kwargs) {
  const { is_running } = kwargs as typeof kwargs & { is_running: IsRunning };
  return is_running.size;
});

kopf.on.probe(function pod_names(kwargs) {
  const { is_running } = kwargs as typeof kwargs & { is_running: IsRunning };
  return [...is_running.keys()].map(([, name]) => name);
});

kopf.timer('kex', { interval: 5 }, function intervalled(kwargs) {
  const { is_running, by_label, patch } = kwargs as typeof kwargs & {
    is_running: IsRunning;
    by_label: ByLabel;
  };
  console.log(
    Object.fromEntries([...by_label.entries()].map(([key, store]) => [key.join('='), store.toArray()])),
  );
  patch.status['running-pods'] = [...is_running.entries()]
    .filter(([[ns]]) => ['kube-system', 'default'].includes(ns))
    .filter(([, isRunning]) => isRunning) // a Store, always truthy: as in Kopf's example
    .map(([[ns, name]]) => `${ns}::${name}`);
});
