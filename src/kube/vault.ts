/**
 * The credentials vault, after Kopf's: the credentials the login handlers returned, by handler id. Every
 * request uses one of those with the highest priority (at random among equals); expired ones are dropped
 * when a request asks; credentials the API server refused (401) are invalidated and remembered, so a
 * re-login that returns them again does not bring them back. When none are left, the login handlers run
 * again (once, however many requests wait: they all continue with the new credentials). When a login fails
 * for good or returns no usable credentials, every waiting and further request fails with a LoginError and
 * `onFailed` is told (the operator stops, as Kopf's does). `connection()` is what the KubeClient uses.
 * Made by src/engine/login.ts; read by client.ts through the Connection it hands out.
 */
import type { Auth, Connection } from './config.ts';
import type { Credential } from './credentials.ts';

/** No valid credentials can be had (Kopf's `kopf.LoginError`). */
export class LoginError extends Error {
  override name = 'LoginError';
}

/** Why the login handlers run. */
export type LoginReason = 'initial' | 'expired' | 'unauthorized';

/** Options of a {@link Vault}. */
export interface VaultOptions {
  /** Runs the login handlers; resolves with the credentials by handler id; rejects when login failed for good. */
  login: (reason: LoginReason) => Promise<Map<string, Credential>>;
  /** Told once when no credentials can be had any more. */
  onFailed?: (error: LoginError) => void;
}

/** Invalidated fingerprints remembered at most (Kopf keeps a short history per handler). */
const REMEMBERED = 100;

/** The operator's credentials. */
export class Vault {
  readonly #options: VaultOptions;
  readonly #current = new Map<string, Credential>();
  readonly #invalid = new Set<string>();
  readonly #listeners: ((identity: object) => void)[] = [];
  #pending: Promise<void> | null = null;
  #failed: LoginError | null = null;

  constructor(options: VaultOptions) {
    this.#options = options;
  }

  /** The first login; rejects with a LoginError when it brings no credentials. */
  async login(): Promise<void> {
    await (this.#pending ??= this.#relogin('initial'));
    if (this.#failed) throw this.#failed;
  }

  /** The credentials for the next request (re-logging in first if none are valid). */
  async select(): Promise<[string, Credential]> {
    for (;;) {
      if (this.#failed) throw this.#failed;
      if (this.#pending) {
        await this.#pending;
        continue;
      }
      const expired = this.#expire();
      const top = this.#top();
      if (top) return top;
      this.#pending = this.#relogin(expired ? 'expired' : 'unauthorized');
    }
  }

  /** The server refused `credential` (401): drop it and wait for new ones; rejects when there are none. */
  async invalidate(key: string, credential: Credential, error: Error): Promise<void> {
    if (this.#current.get(key) === credential) {
      this.#current.delete(key);
      this.#remember(credential.fingerprint);
      this.#retire(credential);
    }
    if (this.#current.size === 0 && !this.#pending && !this.#failed)
      this.#pending = this.#relogin('unauthorized');
    if (this.#pending) await this.#pending;
    if (this.#failed) throw new LoginError(this.#failed.message, { cause: error });
  }

  /** A Connection whose every request authenticates with the vault's current credentials. */
  connection(): Connection {
    const top = (): Credential | undefined => this.#top()?.[1];
    return {
      get server() {
        return top()?.server ?? '';
      },
      get insecure() {
        return top()?.insecure ?? false;
      },
      get defaultNamespace() {
        return top()?.defaultNamespace ?? 'default';
      },
      authenticate: async (): Promise<Auth> => {
        const [key, credential] = await this.select();
        const auth = await credential.authenticate();
        return {
          ...auth,
          server: credential.server,
          insecure: credential.insecure,
          identity: credential,
          invalidate: (error) => this.invalidate(key, credential, error),
        };
      },
      onRetired: (listener) => {
        this.#listeners.push(listener);
      },
    };
  }

  async #relogin(reason: LoginReason): Promise<void> {
    try {
      const fresh = await this.#options.login(reason);
      for (const [key, credential] of fresh) {
        if (this.#invalid.has(credential.fingerprint)) continue;
        const old = this.#current.get(key);
        this.#current.set(key, credential);
        if (old) this.#retire(old);
      }
      if (this.#current.size === 0) {
        this.#fail(
          new LoginError(
            reason === 'initial'
              ? 'Ran out of valid credentials: the login handlers returned none. Return a kopf.ConnectionInfo from a kopf.on.login handler.'
              : 'Ran out of valid credentials: the login handlers returned none that the API server accepts (it answered 401 to them, or they expired).',
          ),
        );
      }
    } catch (err) {
      this.#fail(err instanceof LoginError ? err : new LoginError((err as Error).message, { cause: err }));
    } finally {
      this.#pending = null;
    }
  }

  #fail(error: LoginError): void {
    if (this.#failed) return;
    this.#failed = error;
    this.#options.onFailed?.(error);
  }

  /** Drops expired credentials; true if some were dropped. */
  #expire(): boolean {
    const now = Date.now();
    let expired = false;
    for (const [key, credential] of this.#current) {
      if (credential.expiration !== null && now >= credential.expiration) {
        this.#current.delete(key);
        this.#retire(credential);
        expired = true;
      }
    }
    return expired;
  }

  /** One of the credentials of the highest priority, at random. */
  #top(): [string, Credential] | undefined {
    const items = [...this.#current];
    if (items.length === 0) return undefined;
    const best = Math.max(...items.map(([, c]) => c.priority));
    const top = items.filter(([, c]) => c.priority === best);
    return top[Math.floor(Math.random() * top.length)];
  }

  #remember(fingerprint: string): void {
    this.#invalid.add(fingerprint);
    if (this.#invalid.size > REMEMBERED) this.#invalid.delete(this.#invalid.values().next().value!);
  }

  #retire(credential: Credential): void {
    for (const listener of this.#listeners) listener(credential);
  }
}
