/**
 * Loads the operator's own files (what `kopf-ts run FILE…` and `-m MODULE` name), the same way in the main
 * thread (src/cli/run.ts, src/cli/rbac.ts, embedding) and in every pool thread (worker.ts), once per thread:
 * JavaScript (.js/.mjs/.cjs) as it is; TypeScript (.ts/.mts/.cts) through Node's own type stripping where
 * that suffices, else through tsx, resolved from kopf-ts's own location (never the working directory).
 * Anything that goes wrong becomes an {@link OperatorFileError} that names the file and keeps the cause.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** An operator file could not be found or loaded, or it threw while it ran its top level. */
export class OperatorFileError extends Error {
  override name = 'OperatorFileError';
  /** The file (a path when it is a file, else the URL or the module's name). */
  readonly file: string;
  constructor(file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
  }
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
/** The query that marks a file imported through tsx (a fresh module record after a failed native attempt). */
const TSX_QUERY = 'kopf-ts-loader=tsx';

/** Codes of Node's errors that say its type stripping cannot load the file, while tsx may. */
const NOT_FOR_STRIPPING = new Set([
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', // enums, namespaces, parameter properties…
  'ERR_INVALID_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING', // a .ts file under node_modules
  'ERR_UNKNOWN_FILE_EXTENSION', // type stripping is off (--no-experimental-strip-types)
  'ERR_MODULE_NOT_FOUND', // `import './util'` or `import './util.js'` for util.ts: tsx resolves them
]);

const loaded = new Map<string, Promise<unknown>>();
let tsxRegistered: Promise<void> | null = null;

/** The file: URL of an operator file given by path (relative to `cwd`); a clear error when it is missing. */
export function operatorFileUrl(path: string, cwd: string = process.cwd()): string {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new OperatorFileError(full, `The operator file ${full} does not exist.`);
  return pathToFileURL(full).href;
}

/** The file: URL of an operator module given by name (`-m pkg/handlers`), resolved from `cwd` as Node would. */
export function operatorModuleUrl(name: string, cwd: string = process.cwd()): string {
  try {
    return import.meta.resolve(name, pathToFileURL(resolve(cwd) + '/').href);
  } catch (err) {
    throw new OperatorFileError(
      name,
      `The operator module '${name}' cannot be found from ${resolve(cwd)}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Resolves and imports the operator's files (paths) and modules (names), in order (each registers its handlers
 * on import); returns their URLs, which the pool's threads import in turn. `usage` shows how to name them.
 */
export async function loadOperatorFiles(
  paths: string[],
  modules: string[],
  usage: string,
): Promise<string[]> {
  const urls = [
    ...paths.map((path) => operatorFileUrl(path)),
    ...modules.map((name) => operatorModuleUrl(name)),
  ];
  if (urls.length === 0) throw new Error(`No operator files or modules given: ${usage}.`);
  for (const url of urls) await importOperatorFile(url);
  return urls;
}

/**
 * Imports an operator file once in this thread (later calls share the first one's promise). Rejects with an
 * {@link OperatorFileError} naming the file, with the cause's stack when its own code threw.
 */
export function importOperatorFile(url: string): Promise<unknown> {
  let promise = loaded.get(url);
  if (!promise) {
    promise = load(url);
    loaded.set(url, promise);
  }
  return promise;
}

async function load(url: string): Promise<unknown> {
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  const typescript = url.startsWith('file:') && TYPESCRIPT.has(extname(file));
  const mode = process.env.KOPF_TS_TYPESCRIPT; // 'native' | 'tsx' | unset (native, then tsx)
  if (!typescript) return await importOrExplain(url, file);
  if (mode !== 'tsx' && process.features.typescript) {
    try {
      return await import(url);
    } catch (err) {
      if (mode === 'native' || !strippingCannot(err)) throw explain(err, file);
      return await viaTsx(url, file, err);
    }
  }
  return await viaTsx(url, file, null);
}

async function importOrExplain(url: string, file: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (err) {
    throw explain(err, file);
  }
}

async function viaTsx(url: string, file: string, nativeError: unknown): Promise<unknown> {
  try {
    await registerTsx();
  } catch (err) {
    const why = nativeError
      ? `Node's type stripping cannot load it (${messageOf(nativeError)})`
      : `Node ${process.version} cannot strip types (type stripping is off or missing)`;
    throw new OperatorFileError(
      file,
      `The operator file ${file} cannot be loaded: ${why}, and tsx, which would compile it, is not installed next to kopf-ts (${messageOf(err)}). ` +
        `Install tsx in your project (npm install tsx), use only erasable TypeScript syntax (no enums, namespaces or parameter properties; ` +
        `import local files with their .ts extension), or compile the operator to JavaScript.`,
      { cause: nativeError ?? err },
    );
  }
  const separator = url.includes('?') ? '&' : '?';
  try {
    return await import(`${url}${separator}${TSX_QUERY}`);
  } catch (err) {
    throw explain(err, file);
  }
}

/** Registers tsx's module hooks in this thread (once), from kopf-ts's own dependencies. */
function registerTsx(): Promise<void> {
  tsxRegistered ??= (async () => {
    const api = (await import(import.meta.resolve('tsx/esm/api'))) as { register: () => unknown };
    api.register();
  })();
  return tsxRegistered;
}

function strippingCannot(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NOT_FOR_STRIPPING.has(code)) return true;
  // `import { SomeType } from './types.ts'` without `type`: a link error natively, erased by tsx.
  return err instanceof SyntaxError && /does not provide an export named/.test(err.message);
}

/** The error for a file that failed while loading; its `cause` keeps the original (and its stack, which the CLI prints). */
function explain(err: unknown, file: string): OperatorFileError {
  if (err instanceof OperatorFileError) return err;
  const what = err instanceof Error ? `${err.name}: ${messageOf(err)}` : String(err);
  return new OperatorFileError(file, `The operator file ${file} failed to load: ${what}`, { cause: err });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
