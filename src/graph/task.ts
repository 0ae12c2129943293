import type { TaskDefinition } from './callable.js';
import { type DefinitionOptions, nameAndLocation } from './definition.js';
import { Node } from './node.js';
import { registerDefinition } from './registry.js';
import type { InputArgs } from './types.js';

/** Options of {@link task}. */
export type TaskOptions = DefinitionOptions;

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
  const { baseName, location, version } = nameAndLocation(fn, options, task, 'task');
  const definition: TaskDefinition = { kind: 'task', fn, baseName, location, version };
  registerDefinition(definition);
  const factory = (...args: InputArgs<A>): Node<Awaited<R>> => new Node(definition, args);
  Object.defineProperty(factory, 'name', { value: baseName });
  return Object.assign(factory, { definition });
}

/** The same as {@link task}, under the original's name. */
export const workflow = task;
