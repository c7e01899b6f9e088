// Example 06: several operators on one cluster, aware of each other through Kopf's peering. One create handler
// that does nothing (Kopf's `def create_fn(**_): pass`, so a plain function on the pool).
// Run it: npx kopf-ts run examples/06-peering/operator.ts --verbose   (twice; see README.md; tested by example.test.ts)
import * as kopf from 'kopf-ts';

kopf.on.create('kopfexamples', function create_fn() {});
