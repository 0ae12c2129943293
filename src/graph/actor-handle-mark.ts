import type { Node } from './node.js';

/**
 * The prototype of every actor handle. A handle holds its class's methods as node builders, so
 * as an argument it would reach a task as an object of functions (`undefined` results on
 * LocalWorkflow, "is a function" on threads); its own prototype lets argument walks tell it
 * from a plain object at the cost of one comparison, and refuse it.
 */
export const actorHandlePrototype: object = Object.freeze(Object.create(Object.prototype));

/** The init node of `value` when it is an actor handle, else undefined. */
export function actorHandleNode(value: unknown): Node | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Object.getPrototypeOf(value) !== actorHandlePrototype) return undefined;
  return (value as { readonly node: Node }).node;
}
