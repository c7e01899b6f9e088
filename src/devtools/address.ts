/**
 * The devtools' listening address: parses `--devtools [HOST:PORT]` (`HOST:PORT`, `:PORT`, `PORT`, `HOST`,
 * `[::1]:PORT`; default 127.0.0.1 and a free port) and refuses a non-loopback host unless explicitly allowed.
 * Called by src/devtools/index.ts (and so by `kopf-ts run --devtools`).
 */

/** Where the devtools server listens. Port 0 means a free port. */
export interface DevtoolsAddress {
  host: string;
  port: number;
}

/** Parses the `--devtools` value (`true` when the flag has no value). */
export function parseAddress(value: string | boolean | undefined): DevtoolsAddress {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) return { host: '127.0.0.1', port: 0 };
  const wrong = (why: string): Error =>
    new Error(`--devtools expects HOST:PORT, :PORT, PORT or HOST (e.g. 127.0.0.1:8080 or [::1]:8080); got '${text}': ${why}.`);
  const port = (p: string): number => {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n > 65535) throw wrong(`'${p}' is not a port (0-65535)`);
    return n;
  };
  const host = (h: string): string => {
    if (!/^[A-Za-z0-9._-]+$/.test(h) && !/^[0-9A-Fa-f:.]+$/.test(h)) throw wrong(`'${h}' is not a host name or address`);
    return h;
  };
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  if (bracketed) return { host: host(bracketed[1]!), port: bracketed[2] ? port(bracketed[2]) : 0 };
  if (/^\d+$/.test(text)) return { host: '127.0.0.1', port: port(text) };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [h, p] = text.split(':') as [string, string];
    return { host: h ? host(h) : '127.0.0.1', port: p ? port(p) : 0 };
  }
  return { host: host(text), port: 0 }; // a bare host (or a bare IPv6 address)
}

/** Whether a host is a loopback address (only this machine can connect). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Throws unless the host is loopback or remote access was asked for explicitly. */
export function checkHost(host: string, allowRemote: boolean): void {
  if (isLoopback(host) || allowRemote) return;
  throw new Error(
    `Refusing to serve the devtools on ${host}, which is not a loopback address: anyone who can reach it and learns the token sees your objects. ` +
      'Pass --devtools-allow-remote to do it anyway.',
  );
}
