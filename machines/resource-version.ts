/**
 * Comparing Kubernetes resourceVersions: as integers when both are decimal strings (as etcd-backed servers
 * issue them), otherwise only "different from what we know" counts as newer. Used by machines/object.ts.
 */

/** Whether `candidate` is newer than `known` (null/undefined `known`: anything is newer). */
export function isNewer(candidate: string | null | undefined, known: string | null | undefined): boolean {
  if (!known) return true;
  if (!candidate) return false;
  if (/^\d+$/.test(candidate) && /^\d+$/.test(known)) {
    return candidate.length !== known.length ? candidate.length > known.length : candidate > known;
  }
  return candidate !== known;
}
