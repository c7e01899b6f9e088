/**
 * Kopf's namespace patterns (`references.match_namespace`): comma-separated globs with `*`, `?` and `[…]`,
 * `!` for exclusions, an implied `*` when the first glob is an exclusion, and "the first inclusive glob
 * decides": later inclusive globs only re-include names that the first one matched.
 *
 * Used by src/cli (`-n`, repeatable) and the engine's namespace observer to decide which namespaces to serve.
 * Pure.
 */

/** A namespace pattern: Kopf's glob syntax, or a RegExp that must match the whole name. */
export type NamespacePattern = string | RegExp;

/**
 * True when namespace `name` matches `pattern`. E.g. `"myapp-*, !*-pr-*, *pr-123"` matches `myapp-live` and
 * `myapp-pr-123` but neither `myapp-pr-456` nor `otherapp-pr-123`; `"!kube-*"` matches all but `kube-*`.
 * Spaces around globs are ignored.
 */
export function matchNamespace(name: string, pattern: NamespacePattern): boolean {
  if (pattern instanceof RegExp) return fullMatch(pattern, name);
  const globs = pattern.split(',').map((glob) => glob.trim());
  if (globs[0]!.startsWith('!')) globs.unshift('*');
  const firstMatch = globMatch(name, globs[0]!);
  let matches = firstMatch;
  for (const glob of globs.slice(1)) {
    if (glob.startsWith('!')) matches = matches && !globMatch(name, glob.replace(/^!+/, ''));
    else matches = matches || (firstMatch && globMatch(name, glob));
  }
  return matches;
}

/** True when `name` matches any of the patterns (the repeatable `-n` option). No patterns match nothing. */
export function matchAnyNamespace(name: string, patterns: Iterable<NamespacePattern>): boolean {
  for (const pattern of patterns) if (matchNamespace(name, pattern)) return true;
  return false;
}

/**
 * The patterns that are plain namespace names (no `!`, `*`, `?` or `,`; not RegExps): what can still be
 * served when listing namespaces is forbidden (Kopf's `select_specific_namespaces`).
 */
export function specificNamespaces(patterns: Iterable<NamespacePattern>): string[] {
  const names = new Set<string>();
  for (const pattern of patterns) {
    if (typeof pattern === 'string' && !/[!*?,]/.test(pattern)) names.add(pattern);
  }
  return [...names];
}

/** True when a glob matches the whole name, as Python's `fnmatch` on POSIX (case-sensitive). */
export function globMatch(name: string, glob: string): boolean {
  return globToRegExp(glob).test(name);
}

const cache = new Map<string, RegExp>();

/** The anchored RegExp of a glob: `*` any run, `?` one character, `[abc]`/`[!abc]` a (negated) set. */
export function globToRegExp(glob: string): RegExp {
  let regexp = cache.get(glob);
  if (regexp) return regexp;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else if (char === '[') {
      let j = i + 1;
      if (glob[j] === '!' || glob[j] === '^') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        source += '\\[';
      } else {
        let set = glob
          .slice(i + 1, j)
          .replaceAll('\\', '\\\\')
          .replaceAll(']', '\\]');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        else if (set.startsWith('^')) set = `\\${set}`;
        source += `[${set}]`;
        i = j;
      }
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  regexp = new RegExp(`^(?:${source})$`, 's');
  cache.set(glob, regexp);
  return regexp;
}

function fullMatch(pattern: RegExp, name: string): boolean {
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
  return anchored.test(name);
}
