/**
 * `kopf-ts init DIR [--force]`: scaffolds an operator project into DIR from templates/starter/ (handlers.ts, a
 * CRD and an object, a test on Node's runner with `kopf-ts/testing`, tsconfig, Dockerfile, RBAC, README) plus a
 * package.json made here (depending on this very version of kopf-ts), then prints the next steps.
 * Called by src/cli/main.ts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file is src/cli/init.ts in a checkout, dist/src/cli/init.js in the package (which ships templates/).
const ROOT = new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url);
const TEMPLATE = fileURLToPath(new URL('templates/starter/', ROOT));
/**
 * Template files shipped under other names: npm leaves files named .gitignore out of a package (and dotfiles are
 * easy to lose), and kopf-ts's package ships no `*.test.ts` file (its package test checks that).
 */
const RENAMED: Record<string, string> = {
  gitignore: '.gitignore',
  dockerignore: '.dockerignore',
  'operator-test.ts': 'operator.test.ts',
};

interface OwnPackage {
  version: string;
  devDependencies: Record<string, string>;
}

/** Scaffolds the project; throws (with what to do) when DIR is not empty and `force` is not given. */
export function initCommand(dir: string, options: { force?: boolean }): void {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new Error(`${dir} exists and is not a directory`);
    const entries = readdirSync(target);
    if (entries.length && !options.force) {
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
      throw new Error(
        `${dir} is not empty (${shown}); init a new or empty directory, or pass --force to write the starter's files into it (files of the same names are overwritten)`,
      );
    }
  }
  const name = projectName(target);
  const written = copyTemplate(TEMPLATE, target, name);
  writeFileSync(join(target, 'package.json'), JSON.stringify(packageJson(name), null, 2) + '\n');
  written.push('package.json');

  const cd = relative(process.cwd(), target) || '.';
  console.log(`Created the operator project "${name}" in ${target}:`);
  for (const file of written.sort()) console.log(`  ${file}`);
  console.log(`
Next:
  cd ${cd}
  npm install
  npm start      # a local control plane, crd.yaml and obj.yaml applied, the operator running until Ctrl-C
  npm test       # test/operator.test.ts against a real control plane

Keep a control plane across runs with \`npx kopf-ts cluster up\` in another terminal (npm start then uses it).
The handlers are in handlers.ts; README.md says how to deploy the operator.`);
}

/**
 * The project's name: DIR's basename as a DNS label (it names the package, the ServiceAccount and the roles),
 * starting with a letter and not a YAML keyword, so that rbac.yaml reads as `kopf-ts rbac` prints it.
 */
function projectName(target: string): string {
  let label = basename(target)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!label) return 'my-operator';
  if (!/^[a-z]/.test(label) || ['true', 'false', 'null'].includes(label)) label = `operator-${label}`;
  return label.slice(0, 63).replace(/-+$/, '');
}

/** Copies the template tree into `target`, `{{name}}` replaced; returns the written paths (relative). */
function copyTemplate(from: string, target: string, name: string, prefix = ''): string[] {
  mkdirSync(target, { recursive: true });
  const written: string[] = [];
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const destName = RENAMED[entry.name] ?? entry.name;
    if (entry.isDirectory()) {
      written.push(...copyTemplate(source, join(target, destName), name, `${prefix}${destName}/`));
      continue;
    }
    writeFileSync(join(target, destName), readFileSync(source, 'utf8').replaceAll('{{name}}', name));
    written.push(prefix + destName);
  }
  return written;
}

/** The project's package.json: kopf-ts at this version, and the TypeScript this kopf-ts is built with. */
function packageJson(name: string): Record<string, unknown> {
  const own = JSON.parse(readFileSync(fileURLToPath(new URL('package.json', ROOT)), 'utf8')) as OwnPackage;
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=22.18' },
    scripts: {
      start: 'kopf-ts dev handlers.ts --apply crd.yaml --apply obj.yaml',
      test: 'node --test test/operator.test.ts',
      typecheck: 'tsc --noEmit',
      rbac: `kopf-ts rbac handlers.ts -A --name ${name} --service-account-namespace ${name} > rbac.yaml`,
    },
    dependencies: { 'kopf-ts': `^${own.version}` },
    devDependencies: {
      '@types/node': own.devDependencies['@types/node'],
      typescript: own.devDependencies.typescript,
    },
  };
}
