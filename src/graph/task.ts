import type { TaskDefinition } from './callable.js';
import { callerModuleUrl, locateDefinition, toModuleUrl } from './definition-location.js';
import { Node } from './node.js';
import { registerDefinition } from './registry.js';
import type { InputArgs } from './types.js';

/** Options of {@link task}. */
export interface TaskOptions {
  /**
   * The base of default node names and the key a worker finds the task by.
   * @default the function's own name
   */
  readonly name?: string;
  /**
   * The module that defines the task, for code where it cannot be detected (bundles, eval).
   * Pass `import.meta.url`.
   * @default the module that called `task()`
   */
  readonly module?: string | URL;
}

/** The node factory `task()` returns: call it to add a node to the graph. */
export interface TaskFactory<A extends unknown[], R> {
  (...args: InputArgs<A>): Node<Awaited<R>>;
  /** The wrapped function and where workers find it. */
  readonly definition: TaskDefinition;
}

/**
 * Wraps a plain (possibly async) function so that calling it builds a graph node instead of
 * running it. Arguments may be values, nodes, items, or arrays / plain objects holding them.
 *
 * Define tasks at the top level of a module that does not start a workflow when imported:
 * worker threads import that module to find the function.
 *
 * @example
 * export const sum = task(function sum(a: number, b: number) { return a + b; });
 * const s1 = sum(1, 1);      // Node<number> named "sum_0000"; nothing has run
 * const s2 = sum(s1, 2);
 */
export function task<A extends unknown[], R>(
  fn: (...args: A) => R,
  options: TaskOptions = {},
): TaskFactory<A, R> {
  if (typeof fn !== 'function') {
    throw new TypeError(`Expected \`fn\` to be a function, got ${typeof fn}`);
  }
  const baseName = definitionName(fn.name, options.name, 'task');
  const moduleUrl = options.module === undefined ? callerModuleUrl(task) : toModuleUrl(options.module);
  const definition: TaskDefinition = {
    kind: 'task',
    fn,
    baseName,
    location: locateDefinition(moduleUrl, baseName),
  };
  registerDefinition(definition);
  const factory = (...args: InputArgs<A>): Node<Awaited<R>> => new Node(definition, args);
  Object.defineProperty(factory, 'name', { value: baseName });
  return Object.assign(factory, { definition });
}

/** The same as {@link task}, under the original's name. */
export const workflow = task;

/** Checks an explicit name option, or falls back to the function's or class's own name. */
export function definitionName(
  ownName: string,
  option: string | undefined,
  what: 'task' | 'actor' | 'pluginClass',
): string {
  if (option !== undefined) {
    if (typeof option !== 'string' || option.length === 0) {
      throw new TypeError(
        `Expected the \`name\` option of ${what}() to be a non-empty string, got ${JSON.stringify(option)} (${typeof option})`,
      );
    }
    return option;
  }
  if (ownName === '') {
    throw new TypeError(
      `${what}() needs a name: the ${what === 'task' ? 'function' : 'class'} is anonymous. ` +
        `Write a named ${what === 'task' ? 'function' : 'class'} or pass { name: '...' }.`,
    );
  }
  return ownName;
}
