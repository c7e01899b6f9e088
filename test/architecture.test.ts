// The one-way layers of docs/architecture.md, checked: reads every import in src/ and machines/ and fails on
// an arrow that points up or sideways. (Our import linter, in the spirit of Kopf's .importlinter.)
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layer of a project file, by path. */
function layerOf(file: string): string {
  const rel = relative(root, file);
  if (rel.startsWith('machines/')) return 'machines';
  if (['src/index.ts', 'src/on.ts', 'src/testing.ts'].includes(rel)) return 'front';
  const m = /^src\/([^/]+)\//.exec(rel);
  return m ? m[1]! : 'outside';
}

/** Which project layers each layer may import (besides itself). Peers never import each other. */
const allowed: Record<string, string[]> = {
  front: ['engine', 'admission', 'machines', 'kube', 'execution', 'handlers', 'model', 'observe', 'cluster'],
  cli: ['front', 'devtools', 'engine', 'admission', 'indexing', 'peering', 'machines', 'kube', 'execution', 'handlers', 'model', 'observe', 'cluster'],
  devtools: ['engine', 'machines', 'model', 'observe'],
  engine: ['machines', 'kube', 'execution', 'handlers', 'model', 'observe', 'indexing', 'admission', 'peering'],
  // Admission webhooks (server, certificates, managed configurations): a home of its own at the engine's level.
  admission: ['machines', 'kube', 'execution', 'handlers', 'model', 'observe'],
  // Indexes and their readiness: a home of its own at the engine's level (the engine imports it, not back).
  indexing: ['execution', 'handlers', 'model', 'observe'],
  // Kopf's peering and the Lease-held shards: a home of its own at the engine's level (the engine imports it).
  peering: ['machines', 'kube', 'model', 'observe'],
  observe: ['model'],
  machines: [],
  kube: ['model'],
  execution: ['handlers', 'model'],
  handlers: ['model'],
  model: [],
  cluster: [],
};

/** Packages a layer may import. `*` means any. The pure layers get none (node builtins are listed). */
const packages: Record<string, string[] | '*'> = {
  machines: ['xstate'],
  model: [],
  handlers: ['node:async_hooks'],
  front: '*',
  cli: '*',
  devtools: '*',
  engine: '*',
  indexing: '*',
  peering: '*',
  admission: '*',
  observe: '*',
  kube: '*',
  execution: '*',
  cluster: ['node:*'],
};

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

const files = [...walk(join(root, 'src')), ...walk(join(root, 'machines'))];

test('there are files to check', (t) => {
  t.true(files.length > 5);
});

test('every import points down the layers', (t) => {
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const to = layerOf(resolve(dirname(file), spec));
        if (to === from) continue;
        if (to === 'front' && from === 'front') continue;
        if (!(allowed[from] ?? []).includes(to)) violations.push(`${relative(root, file)} (${from}) → ${spec} (${to})`);
      } else {
        const rule = packages[from];
        if (rule === '*' || rule === undefined) continue;
        const ok = rule.some((p) => (p.endsWith('*') ? spec.startsWith(p.slice(0, -1)) : spec === p || spec.startsWith(p + '/')));
        if (!ok) violations.push(`${relative(root, file)} (${from}) → package ${spec}`);
      }
    }
  }
  t.deepEqual(violations, []);
});

test('src/on.ts imports only handlers and model', (t) => {
  const on = join(root, 'src', 'on.ts');
  const specs = importsOf(on).filter((s) => s.startsWith('.'));
  t.true(specs.length > 0);
  for (const spec of specs) t.true(['handlers', 'model'].includes(layerOf(resolve(dirname(on), spec))), spec);
});

test('every source file starts with a note of what it is for', (t) => {
  const bare = files.filter((f) => !/^\s*(\/\*\*|\/\/|\/\*)/.test(readFileSync(f, 'utf8')));
  t.deepEqual(bare.map((f) => relative(root, f)), []);
});

test('the engine never imports the devtools (they observe it from above)', (t) => {
  const engine = files.filter((f) => layerOf(f) === 'engine');
  t.true(engine.length > 0);
  for (const file of engine) for (const spec of importsOf(file)) if (spec.startsWith('.')) t.not(layerOf(resolve(dirname(file), spec)), 'devtools', `${relative(root, file)} → ${spec}`);
});
