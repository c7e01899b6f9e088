// The peer records of Kopf's peering (src/peering/peers.ts): Python's isoformat, parsing with Kopf's defaults,
// the decision (dead / higher / same), the keep-alive schedule; and the identity (src/peering/identity.ts).
import test from 'ava';
import {
  decide,
  describePeer,
  keepAliveDelay,
  ownRecord,
  parsePeers,
  pythonIsoFormat,
} from '../../src/peering/peers.ts';
import { detectOwnId } from '../../src/peering/identity.ts';

const NOW = Date.parse('2026-01-02T03:04:05.678Z');

test('lastseen is written as Python writes a UTC isoformat (microseconds, +00:00; no fraction when zero)', (t) => {
  t.is(pythonIsoFormat(NOW), '2026-01-02T03:04:05.678000+00:00');
  t.is(pythonIsoFormat(Date.parse('2026-01-02T03:04:05Z')), '2026-01-02T03:04:05+00:00');
  t.deepEqual(ownRecord(7, 60, NOW), {
    priority: 7,
    lifetime: 60,
    lastseen: '2026-01-02T03:04:05.678000+00:00',
  });
  t.is(ownRecord(7, 0, NOW), null, 'lifetime 0 removes the record');
});

test("records are parsed with Kopf's defaults (lifetime 60, lastseen now) and Kopf's own times are read", (t) => {
  const peers = parsePeers(
    { a: { priority: 5, lifetime: 10, lastseen: '2026-01-02T03:04:00.123456+00:00' }, b: {}, junk: 'x' },
    NOW,
  );
  t.is(peers.length, 2);
  t.deepEqual(peers[0], {
    identity: 'a',
    priority: 5,
    lifetime: 10,
    lastseen: Date.parse('2026-01-02T03:04:00.123Z'),
    deadline: Date.parse('2026-01-02T03:04:10.123Z'),
  });
  t.deepEqual(peers[1], { identity: 'b', priority: 0, lifetime: 60, lastseen: NOW, deadline: NOW + 60_000 });
  t.is(
    describePeer(peers[0]!),
    "<Peer a: priority=5, lifetime=10, lastseen='2026-01-02T03:04:00.123000+00:00'>",
  );
});

test('the decision: dead peers to clean, higher ones to yield to, same ones to warn about; never ourselves', (t) => {
  const at = (s: number): string => pythonIsoFormat(NOW - s * 1000);
  const status = {
    me: { priority: 1, lifetime: 60, lastseen: at(0) },
    dead: { priority: 100, lifetime: 10, lastseen: at(11) },
    higher: { priority: 2, lifetime: 60, lastseen: at(1) },
    same: { priority: 1, lifetime: 60, lastseen: at(1) },
    lower: { priority: 0, lifetime: 60, lastseen: at(1) },
  };
  const d = decide(status, 'me', 1, NOW);
  t.deepEqual(
    d.dead.map((p) => p.identity),
    ['dead'],
  );
  t.deepEqual(
    d.higher.map((p) => p.identity),
    ['higher'],
  );
  t.deepEqual(
    d.same.map((p) => p.identity),
    ['same'],
  );
  t.is(d.all.length, 5);
});

test('keep-alives come 5–10 s before the lifetime ends, at least every second', (t) => {
  t.is(
    keepAliveDelay(60, () => 0),
    55,
  );
  t.is(
    keepAliveDelay(60, () => 0.999),
    50,
  );
  t.is(
    keepAliveDelay(3, () => 0.5),
    1,
  );
});

test("the identity: POD_ID, else user@host (manual) or user@host/stamp/rnd (Kopf's format)", (t) => {
  t.is(detectOwnId(false, { POD_ID: 'pod-1' }), 'pod-1');
  t.regex(detectOwnId(true, {}), /^[^@/]+@[^/]+$/);
  t.regex(detectOwnId(false, {}), /^[^@/]+@[^/]+\/\d{14}\/[a-z0-9]{3}$/);
});
