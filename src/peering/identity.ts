/**
 * The identity of an operator among its peers, as Kopf makes it: `$POD_ID` when set (a Deployment passes
 * the pod's name), else `user@host/YYYYmmddHHMMSS/xyz` (three random characters) for a running operator, or
 * `user@host` for the `freeze`/`resume` commands. Called by src/peering/peering.ts and src/cli/freeze.ts.
 */
import { hostname, userInfo } from 'node:os';
import { randomInt } from 'node:crypto';

/** Kopf's alphabet for the random suffix (it has no `g`). */
const ALPHABET = 'abcdefhijklmnopqrstuvwxyz0123456789';

/** The host name without `.local` / `.localdomain` suffixes. */
function descriptiveHostname(): string {
  let name = hostname();
  for (;;) {
    const stripped = name.replace(/\.(local|localdomain)$/, '');
    if (stripped === name) return name;
    name = stripped;
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
}

/** Our identity: `$POD_ID`, else `user@host` (`manual`: freeze/resume) or `user@host/stamp/rnd` (an operator). */
export function detectOwnId(manual: boolean, env: NodeJS.ProcessEnv = process.env): string {
  if (env.POD_ID !== undefined) return env.POD_ID;
  const who = `${userName()}@${descriptiveHostname()}`;
  if (manual) return who;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-T:]/g, '');
  const rnd = Array.from({ length: 3 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${who}/${stamp}/${rnd}`;
}
