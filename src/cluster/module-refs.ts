/**
 * Naming code across machines. A task's module is known to the coordinator by a file URL of
 * its own disk; a worker on another machine has the same project somewhere else. So a job
 * names the module by its path relative to the project root, with a hash of its content, and
 * the worker resolves the path against its own root and checks the hash: a worker whose copy
 * differs refuses the node rather than run other code than the coordinator. Modules of
 * functionfuse itself (its plugin classes) are named relative to the package, on both sides.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FunctionFuseError, WorkerCodeMismatchError } from '../errors.js';

/** A module as a job names it. */
export type ModuleRef =
  | { readonly kind: 'project'; readonly path: string; readonly hash: string }
  | { readonly kind: 'package'; readonly path: string };

/** Coordinator side: the references of one run, each module read and hashed once. */
export class ModuleReferrer {
  readonly #root: string;
  readonly #refs = new Map<string, ModuleRef>();

  constructor(root: string) {
    this.#root = root;
  }

  /** `moduleUrl` as a job names it; `user` says who needs it, for the message when it cannot be named. */
  refer(moduleUrl: string, user: string): ModuleRef {
    let ref = this.#refs.get(moduleUrl);
    if (ref !== undefined) return ref;
    ref = this.#make(moduleUrl, user);
    this.#refs.set(moduleUrl, ref);
    return ref;
  }

  #make(moduleUrl: string, user: string): ModuleRef {
    if (!moduleUrl.startsWith('file:')) {
      throw new FunctionFuseError(
        `${user} is defined in ${moduleUrl}, which is not a file: cluster workers load task modules from files.`,
      );
    }
    const file = fileURLToPath(moduleUrl);
    const inProject = relative(this.#root, file);
    const underRoot = !inProject.startsWith('..') && !isAbsolute(inProject);
    if (!underRoot || inProject.split(sep).includes('node_modules')) {
      const inPackage = relative(packageRoot, file);
      if (!inPackage.startsWith('..') && !isAbsolute(inPackage))
        return { kind: 'package', path: toPosix(inPackage) };
    }
    if (!underRoot) {
      throw new FunctionFuseError(
        `${user} is defined in ${file}, outside the project root ${this.#root}. Workers find task modules by ` +
          'their path relative to the root: pass the folder that holds every task module as `root` to BullMQWorkflow ' +
          '(and as --root to functionfuse worker).',
      );
    }
    return { kind: 'project', path: toPosix(inProject), hash: hashFile(file) };
  }
}

/** Worker side: turns references into this machine's module URLs, checking each project file's hash. */
export class ModuleResolver {
  readonly #root: string;
  /** Hashes by path, kept while the file's size and modification time stay the same. */
  readonly #hashes = new Map<
    string,
    { readonly mtimeMs: number; readonly size: number; readonly hash: string }
  >();

  constructor(root: string) {
    this.#root = root;
  }

  /**
   * The URL this worker imports for `ref`.
   *
   * @throws {WorkerCodeMismatchError} when the worker's file is missing or differs from the coordinator's.
   */
  resolve(ref: ModuleRef, nodeName: string): string {
    if (ref.kind === 'package') return pathToFileURL(join(packageRoot, ref.path)).href;
    const file = join(this.#root, ref.path);
    let stats: { mtimeMs: number; size: number };
    try {
      stats = statSync(file);
    } catch {
      throw new WorkerCodeMismatchError(
        `Node "${nodeName}" needs the module ${ref.path}, which this worker does not have under its root ` +
          `${this.#root}: the worker runs other code than the coordinator (start it with --root at a copy of the project).`,
      );
    }
    let known = this.#hashes.get(file);
    if (known === undefined || known.mtimeMs !== stats.mtimeMs || known.size !== stats.size) {
      known = { mtimeMs: stats.mtimeMs, size: stats.size, hash: hashFile(file) };
      this.#hashes.set(file, known);
    }
    if (known.hash !== ref.hash) {
      throw new WorkerCodeMismatchError(
        `Node "${nodeName}" was not run: this worker's ${ref.path} (under ${this.#root}) differs from the ` +
          "coordinator's (its content hashes differently), so the worker runs other code than the coordinator. " +
          'Deploy the same code to every worker and restart it.',
      );
    }
    return pathToFileURL(file).href;
  }
}

function hashFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 32);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** The folder of this copy of functionfuse: the nearest one up with its package.json. */
const packageRoot = ((): string => {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json')) || !isFunctionFusePackage(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return dirname(fileURLToPath(import.meta.url));
    folder = parent;
  }
  return folder;
})();

function isFunctionFusePackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'functionfuse';
  } catch {
    return false;
  }
}
