/**
 * What identifies a task or actor method across runs and machines: its module's path relative
 * to the project root (the nearest folder with a package.json), its key within the module, and
 * its source text. An absolute path would make every result stale when the project moves.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Callable } from '../graph/callable.js';

/** The project root of each folder looked at, so a run looks at each folder once. */
const rootOfFolder = new Map<string, string | undefined>();

/**
 * The module's path relative to its project root, with `/` separators; the whole path when no
 * package.json is above it; empty when the module is unknown (a task defined in `eval`).
 *
 * @example
 * projectRelativeModule('file:///home/me/app/src/tasks.ts'); // 'src/tasks.ts'
 */
export function projectRelativeModule(moduleUrl: string | undefined): string {
  if (moduleUrl === undefined) return '';
  const path = fileURLToPath(moduleUrl);
  const root = projectRootOf(dirname(path));
  return (root === undefined ? path : relative(root, path)).split(sep).join('/');
}

function projectRootOf(folder: string): string | undefined {
  if (rootOfFolder.has(folder)) return rootOfFolder.get(folder);
  const parent = dirname(folder);
  const root = existsSync(join(folder, 'package.json'))
    ? folder
    : parent === folder
      ? undefined
      : projectRootOf(parent);
  rootOfFolder.set(folder, root);
  return root;
}

/**
 * The text that identifies what a node calls: kind, module, key, method, then source. An
 * actor's init and method nodes share the class's source (a method's code is in it).
 *
 * @example
 * callableIdentity(sumNode.callable); // { identity: 'task src/tasks.ts sum', source: 'function sum(a, b) {…}' }
 */
export function callableIdentity(callable: Callable): { identity: string; source: string } {
  switch (callable.kind) {
    case 'task':
      return {
        identity: `task ${projectRelativeModule(callable.location.moduleUrl)} ${callable.location.key}`,
        source: Function.prototype.toString.call(callable.fn),
      };
    case 'actor-init':
    case 'actor-call': {
      const { actor } = callable;
      const member = callable.kind === 'actor-init' ? 'new' : `.${callable.method}`;
      return {
        identity: `actor ${projectRelativeModule(actor.location.moduleUrl)} ${actor.location.key} ${member}`,
        source: Function.prototype.toString.call(actor.cls),
      };
    }
  }
}
