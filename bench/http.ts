/**
 * The bench's own plain HTTP client (undici, no rate limit, its own user agent) and an object tracker built
 * on a LIST + WATCH. The scenarios use it as the "driver" (creating, updating and deleting objects, waiting
 * for results) and as the bare-client limit. It deliberately does not use kopf-ts's KubeClient, so that the
 * figures of kopf-ts are compared against something independent of it.
 */
import { Agent, request } from 'undici';
import { loadConnection } from '../src/kube/config.ts';

export const GROUP_PATH = '/apis/kopf.dev/v1';
export const DIFF_BASE = 'kopf.zalando.org/last-handled-configuration';
export const FINALIZER = 'kopf.zalando.org/KopfFinalizerMarker';

/** A KopfExample as the bench sees it. */
export interface KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown>;
  status?: Record<string, any>;
}

export function collection(namespace: string): string {
  return `${GROUP_PATH}/namespaces/${namespace}/kopfexamples`;
}

/** A plain client: one keep-alive agent, bearer/cert auth from a kubeconfig, retries of 429/5xx only. */
export class BenchClient {
  readonly userAgent: string;
  readonly requests = new Map<string, number>();
  #server = '';
  #headers: Record<string, string> = {};
  #agent: Agent | null = null;

  private constructor(userAgent: string) {
    this.userAgent = userAgent;
  }

  static async create(kubeconfig: string, userAgent: string): Promise<BenchClient> {
    const client = new BenchClient(userAgent);
    const connection = loadConnection({ kubeconfig });
    const auth = await connection.authenticate();
    client.#server = connection.server;
    client.#headers = { ...auth.headers, accept: 'application/json', 'user-agent': userAgent };
    client.#agent = new Agent({
      connect: { ca: auth.ca, cert: auth.cert, key: auth.key, rejectUnauthorized: !connection.insecure },
      keepAliveTimeout: 60_000,
      bodyTimeout: 0,
    });
    return client;
  }

  /** One JSON request; resolves with status and parsed body; retries 429 and 5xx a few times. */
  async req(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
    for (let attempt = 0; ; attempt++) {
      this.requests.set(method, (this.requests.get(method) ?? 0) + 1);
      const res = await request(this.#server + path, {
        method: method as 'GET',
        headers: body === undefined ? this.#headers : { ...this.#headers, 'content-type': contentType },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#agent!,
      });
      const text = await res.body.text();
      if ((res.statusCode === 429 || res.statusCode >= 500) && attempt < 8) {
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        continue;
      }
      let json: any = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON (e.g. /metrics)
      }
      return { status: res.statusCode, json };
    }
  }

  /** Like req(), but throws unless the status is 2xx (or one of `allowed`). */
  async must(method: string, path: string, body?: unknown, contentType?: string, allowed: number[] = []): Promise<any> {
    const res = await this.req(method, path, body, contentType);
    if ((res.status < 200 || res.status >= 300) && !allowed.includes(res.status)) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${typeof res.json === 'string' ? res.json.slice(0, 300) : JSON.stringify(res.json).slice(0, 300)}`);
    }
    return res.json;
  }

  /** A raw text GET (for /metrics). */
  async text(path: string): Promise<string> {
    const res = await request(this.#server + path, { method: 'GET', headers: { ...this.#headers, accept: 'text/plain' }, dispatcher: this.#agent! });
    return await res.body.text();
  }

  /** Streams a watch; yields `{type, object}` until the server closes it or `signal` aborts. */
  async *watch(path: string, signal: AbortSignal): AsyncGenerator<{ type: string; object: KubeObject }> {
    const res = await request(this.#server + path, { method: 'GET', headers: this.#headers, dispatcher: this.#agent!, signal });
    if (res.statusCode >= 400) throw new Error(`WATCH ${path}: HTTP ${res.statusCode} ${await res.body.text()}`);
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += (chunk as Buffer).toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) yield JSON.parse(line) as { type: string; object: KubeObject };
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async close(): Promise<void> {
    await this.#agent?.close();
  }
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** A watch on one namespace's KopfExamples with the latest body of each object, and waits on predicates. */
export class Tracker {
  readonly objects = new Map<string, KubeObject>();
  readonly #abort = new AbortController();
  #waiters: { pending: Set<string>; pred: (obj: KubeObject | undefined) => boolean; resolve: () => void; onEvent?: (obj: KubeObject, type: string) => void }[] = [];
  #listeners: ((type: string, obj: KubeObject) => void)[] = [];
  #done: Promise<void> = Promise.resolve();

  constructor(
    readonly client: BenchClient,
    readonly namespace: string,
  ) {}

  /** Lists, then watches from the list's resourceVersion (so nothing is missed); resolves once watching. */
  async start(): Promise<void> {
    const list = await this.client.must('GET', collection(this.namespace));
    for (const item of list.items as KubeObject[]) this.objects.set(item.metadata.name, item);
    const rv = list.metadata.resourceVersion as string;
    const signal = this.#abort.signal;
    this.#done = (async () => {
      let from = rv;
      while (!signal.aborted) {
        try {
          for await (const { type, object } of this.client.watch(`${collection(this.namespace)}?watch=true&allowWatchBookmarks=true&resourceVersion=${from}`, signal)) {
            if (type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(object)}`);
            from = object.metadata.resourceVersion ?? from;
            if (type === 'BOOKMARK') continue;
            this.#apply(type, object);
          }
        } catch (err) {
          if (signal.aborted) return;
          process.stderr.write(`bench tracker: ${(err as Error).message}; re-watching\n`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  #apply(type: string, object: KubeObject): void {
    const name = object.metadata.name;
    if (type === 'DELETED') this.objects.delete(name);
    else this.objects.set(name, object);
    for (const listener of this.#listeners) listener(type, object);
    const current = this.objects.get(name);
    for (const waiter of this.#waiters) {
      if (waiter.pending.has(name) && waiter.pred(current)) {
        waiter.pending.delete(name);
        if (waiter.pending.size === 0) waiter.resolve();
      }
    }
    this.#waiters = this.#waiters.filter((w) => w.pending.size > 0);
  }

  /** Calls `listener` on every later event. */
  onEvent(listener: (type: string, obj: KubeObject) => void): void {
    this.#listeners.push(listener);
  }

  /** Resolves once `pred` holds for every named object (undefined: the object is gone), or throws after `timeoutMs`. */
  until(names: readonly string[], pred: (obj: KubeObject | undefined) => boolean, timeoutMs: number, what: string): Promise<void> {
    const pending = new Set(names.filter((n) => !pred(this.objects.get(n))));
    if (pending.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${pending.size} of ${names.length} objects left (e.g. ${[...pending].slice(0, 3).join(', ')})`));
      }, timeoutMs);
      const waiter = {
        pending,
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }
}

/** At most `max` calls of run() in flight; the others wait in order. */
export class Limiter {
  #active = 0;
  readonly #queue: (() => void)[] = [];
  readonly #all = new Set<Promise<void>>();
  constructor(readonly max: number) {}

  /** Queues `fn`; the returned promise settles with it. */
  run(fn: () => Promise<void>): Promise<void> {
    const p = (async () => {
      if (this.#active >= this.max) await new Promise<void>((r) => this.#queue.push(r));
      this.#active++;
      try {
        await fn();
      } finally {
        this.#active--;
        this.#queue.shift()?.();
      }
    })();
    this.#all.add(p);
    void p.finally(() => this.#all.delete(p)).catch(() => {});
    return p;
  }

  /** Resolves when everything queued so far is done (rejects with the first failure). */
  async drain(): Promise<void> {
    while (this.#all.size) await Promise.all([...this.#all]);
  }
}
