/**
 * Peer records of Kopf's peering, as they are stored in a KopfPeering's `status`: one key per operator
 * identity, `{priority, lifetime, lastseen}`, with `lastseen` in Python's `isoformat()` of a UTC time (what
 * Kopf writes and reads). Parsing, formatting, liveness and the decision (pause or not) — pure functions used
 * by src/peering/peering.ts and src/peering/touch.ts.
 */

/** A peer as parsed from the peering object's status. */
export interface Peer {
  identity: string;
  priority: number;
  /** Seconds. */
  lifetime: number;
  /** ms since the epoch (`Date.now()` when the record has none, as Kopf does). */
  lastseen: number;
  /** `lastseen + lifetime`, ms. */
  deadline: number;
  /** kopf-ts only (Kopf ignores it): the sharding group of a sharded replica; its siblings do not pause for it. */
  sharding?: string;
}

/** What is written for one identity: the record, or null to remove it (lifetime 0 means removal). */
export type PeerRecord = { priority: number; lifetime: number; lastseen: string; sharding?: string } | null;

/** Kopf's default lifetime of a record that does not say its own (a hard-coded 60 s there too). */
const DEFAULT_LIFETIME = 60;

/**
 * A UTC time as Python's `datetime.isoformat()` writes it: `2026-01-02T03:04:05.678000+00:00`, without the
 * fraction when it is zero.
 */
export function pythonIsoFormat(ms: number): string {
  const date = new Date(ms);
  const base = date.toISOString().slice(0, 19);
  const millis = date.getUTCMilliseconds();
  return `${base}${millis ? `.${String(millis * 1000).padStart(6, '0')}` : ''}+00:00`;
}

/** Parses a `status.<identity>` value; records that are not objects (someone else's status fields) are skipped. */
export function parsePeers(status: unknown, now: number): Peer[] {
  if (!status || typeof status !== 'object') return [];
  const peers: Peer[] = [];
  for (const [identity, info] of Object.entries(status as Record<string, unknown>)) {
    if (!info || typeof info !== 'object' || Array.isArray(info)) continue;
    const record = info as { priority?: unknown; lifetime?: unknown; lastseen?: unknown; sharding?: unknown };
    const priority = Number(record.priority ?? 0);
    const lifetime = Math.trunc(Number(record.lifetime ?? DEFAULT_LIFETIME));
    const parsed = typeof record.lastseen === 'string' ? Date.parse(record.lastseen) : NaN;
    const lastseen = Number.isFinite(parsed) ? parsed : now;
    peers.push({
      identity,
      priority: Number.isFinite(priority) ? priority : 0,
      lifetime: Number.isFinite(lifetime) ? lifetime : DEFAULT_LIFETIME,
      lastseen,
      deadline: lastseen + (Number.isFinite(lifetime) ? lifetime : DEFAULT_LIFETIME) * 1000,
      ...(typeof record.sharding === 'string' ? { sharding: record.sharding } : {}),
    });
  }
  return peers;
}

/** A peer is dead once its deadline has come. */
export function isDead(peer: Peer, now: number): boolean {
  return peer.deadline <= now;
}

/**
 * Our record for a keep-alive (null when `lifetime` is 0 or less: the record is removed, as on exit or `resume`).
 * A sharded replica adds its sharding group (an extra field, which Kopf's peers ignore).
 */
export function ownRecord(priority: number, lifetime: number, now: number, sharding?: string): PeerRecord {
  if (lifetime <= 0) return null;
  return {
    priority: Math.trunc(priority),
    lifetime: Math.trunc(lifetime),
    lastseen: pythonIsoFormat(now),
    ...(sharding ? { sharding } : {}),
  };
}

/** How a peer is shown in the logs (Kopf's `<Peer id: priority=…, lifetime=…, lastseen='…'>`). */
export function describePeer(peer: Peer): string {
  return `<Peer ${peer.identity}: priority=${peer.priority}, lifetime=${peer.lifetime}, lastseen='${pythonIsoFormat(peer.lastseen)}'>`;
}

/** What the peers on one peering object mean for us. */
export interface PeeringDecision {
  /** Records to remove (dead peers). */
  dead: Peer[];
  /** Live peers of a higher priority: we pause in their favour. */
  higher: Peer[];
  /** Live peers of our priority: everyone pauses (Kopf's "possibly conflicting operators"). */
  same: Peer[];
  /** Every peer in the status, for the warning. */
  all: Peer[];
}

/**
 * Classifies the peers of a peering object for the operator `identity` at `priority`. Replicas of our own
 * sharding group (`sharding`) share the objects by Leases: they are not conflicts.
 */
export function decide(
  status: unknown,
  identity: string,
  priority: number,
  now: number,
  sharding?: string,
): PeeringDecision {
  const all = parsePeers(status, now);
  const live = all.filter(
    (peer) => !isDead(peer, now) && peer.identity !== identity && !(sharding && peer.sharding === sharding),
  );
  return {
    dead: all.filter((peer) => isDead(peer, now)),
    higher: live.filter((peer) => peer.priority > priority),
    same: live.filter((peer) => peer.priority === priority),
    all,
  };
}

/** Seconds between keep-alives: the lifetime less 5–10 s of jitter, at least 1 (Kopf's schedule). */
export function keepAliveDelay(lifetime: number, random = Math.random): number {
  const jitter = 5 + Math.floor(random() * 6);
  return Math.max(1, Math.min(lifetime, Math.max(1, lifetime - jitter)));
}
