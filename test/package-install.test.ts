/**
 * The package as a user gets it: `npm pack` of a copy of the sources with no dist/ (a fresh
 * clone, so prepack must build it), installed into fresh projects: CommonJS as `npm init -y`
 * makes it, an ES module project, and TypeScript compiled with tsc under a `tsc --init` config.
 * Each runs the tutorial pipeline, tasks in a module of their own, on ThreadWorkflow.
 * It installs the dependencies from npm's cache or the registry.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const typeScriptCompiler = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const installTimeoutMs = 240_000;

interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (bounded), rejecting with its output when it fails. */
function runCommand(command: string, args: readonly string[], cwd: string): Promise<CommandOutput> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      [...args],
      { cwd, env: userEnvironment(), timeout: installTimeoutMs, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error === null) resolvePromise({ stdout, stderr });
        else
          reject(
            new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, {
              cause: error,
            }),
          );
      },
    );
  });
}

/** This process's environment without what `npm test` adds about this repository's package. */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_(?:package|lifecycle|config_local_prefix)/i.test(key),
    ),
  );
}

const tasksCommonJs = `const { task } = require('functionfuse');

exports.sum = task(function sum(a, b) { return a + b; });
exports.minus = task(function minus(a, b) { return a - b; });
exports.pair = task(function pair(a, b) { return [a + b, b]; });
`;

const mainCommonJs = `const { ThreadWorkflow } = require('functionfuse');
const { minus, pair, sum } = require('./tasks.js');

async function main() {
  const s1 = sum(1, 1);
  const s2 = sum(s1, 1).setName('second');
  const m = minus(pair(s1, s2).item(0), s2);
  const wf = new ThreadWorkflow([m, s2], { workflowName: 'demo', threads: 2 });
  console.log(JSON.stringify(await wf.run()));
  await wf.close();
}
main();
`;

const tasksTypeScript = `import { task } from 'functionfuse';

export const sum = task(function sum(a: number, b: number) { return a + b; });
export const minus = task(function minus(a: number, b: number) { return a - b; });
export const pair = task(function pair(a: number, b: number) { return [a + b, b] as const; });
`;

const mainTypeScript = `import { ThreadWorkflow } from 'functionfuse';
import { minus, pair, sum } from './tasks.js';

const s1 = sum(1, 1);
const s2 = sum(s1, 1).setName('second');
const m = minus(pair(s1, s2).item(0), s2);
const wf = new ThreadWorkflow([m, s2], { workflowName: 'demo', threads: 2 });
const results: [number, number] = await wf.run();
console.log(JSON.stringify(results));
await wf.close();
`;

/** The ES module project's files: the TypeScript ones without their types. */
const tasksModule = tasksTypeScript.replaceAll(/: number/g, '').replace(' as const', '');
const mainModule = mainTypeScript.replace('const results: [number, number] =', 'const results =');

let workFolder: string;
let tarball: string;
let packedFiles: readonly string[];
const projects = new Map<'commonjs' | 'module' | 'typescript', string>();

/** A fresh project as `npm init -y` makes it (CommonJS), with the tarball installed. */
async function newProject(name: string, moduleType: 'commonjs' | 'module'): Promise<string> {
  const folder = join(workFolder, name);
  await mkdir(folder);
  await runCommand('npm', ['init', '-y'], folder);
  if (moduleType === 'module') await runCommand('npm', ['pkg', 'set', 'type=module'], folder);
  await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], folder);
  return folder;
}

beforeAll(async () => {
  workFolder = await mkdtemp(join(tmpdir(), 'functionfuse-install-'));
  const source = join(workFolder, 'source');
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'README.md',
    'src',
    'workers',
  ]) {
    await cp(join(repositoryRoot, entry), join(source, entry), { recursive: true });
  }
  await symlink(join(repositoryRoot, 'node_modules'), join(source, 'node_modules'), 'dir');
  const packed = await runCommand('npm', ['pack', '--json', '--pack-destination', workFolder], source);
  const [summary] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(workFolder, summary.filename);
  packedFiles = summary.files.map((file) => file.path);
  const [commonJs, module, typeScript] = await Promise.all([
    newProject('commonjs-app', 'commonjs'),
    newProject('module-app', 'module'),
    newProject('typescript-app', 'module'),
  ]);
  projects.set('commonjs', commonJs);
  projects.set('module', module);
  projects.set('typescript', typeScript);
}, 3 * installTimeoutMs);

afterAll(async () => {
  if (workFolder !== undefined) await rm(workFolder, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('is built by prepack from sources with no dist/, and ships its workers and the sources its maps name', () => {
    expect(packedFiles).toContain('dist/src/index.js');
    expect(packedFiles).toContain('dist/src/index.d.ts');
    expect(packedFiles).toContain('dist/workers/task-worker-loader.cjs');
    expect(packedFiles).toContain('dist/workers/actor-host-loader.cjs');
    expect(packedFiles).toContain('src/index.ts');
    expect(
      packedFiles.filter((path) => path.startsWith('test/') || path.startsWith('node_modules/')),
    ).toEqual([]);
  });

  it('has source maps whose every source is a file in the installed package', async () => {
    const installed = join(projects.get('module')!, 'node_modules', 'functionfuse');
    const maps = packedFiles.filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(installed, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        if (!existsSync(resolve(dirname(join(installed, map)), source))) missing.push(`${map} -> ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('installed into a fresh project', () => {
  it('works in a CommonJS project from npm init -y: require() and CommonJS task modules on threads', async () => {
    const folder = projects.get('commonjs')!;
    expect(JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')).type).toBe('commonjs');
    await writeFile(join(folder, 'tasks.js'), tasksCommonJs);
    await writeFile(join(folder, 'main.js'), mainCommonJs);
    expect(await runCommand(process.execPath, ['main.js'], folder)).toEqual({
      stdout: '[2,3]\n',
      stderr: '',
    });
  });

  it('works in an ES module project', async () => {
    const folder = projects.get('module')!;
    await writeFile(join(folder, 'tasks.js'), tasksModule);
    await writeFile(join(folder, 'main.js'), mainModule);
    expect(await runCommand(process.execPath, ['main.js'], folder)).toEqual({
      stdout: '[2,3]\n',
      stderr: '',
    });
  });

  it('compiles with tsc under the config of tsc --init (module nodenext), library checks included, and runs', async () => {
    const folder = projects.get('typescript')!;
    await runCommand(process.execPath, [typeScriptCompiler, '--init'], folder);
    expect(await readFile(join(folder, 'tsconfig.json'), 'utf8')).toContain('"module": "nodenext"');
    await writeFile(join(folder, 'tasks.ts'), tasksTypeScript);
    await writeFile(join(folder, 'main.ts'), mainTypeScript);
    // The published declarations must compile on their own, not only under skipLibCheck.
    expect(
      await runCommand(process.execPath, [typeScriptCompiler, '-p', '.', '--skipLibCheck', 'false'], folder),
    ).toEqual({ stdout: '', stderr: '' });
    expect((await readdir(folder)).filter((name) => name.endsWith('.js')).sort()).toEqual([
      'main.js',
      'tasks.js',
    ]);
    expect(await runCommand(process.execPath, ['main.js'], folder)).toEqual({
      stdout: '[2,3]\n',
      stderr: '',
    });
  });
});
