import type { TaskDefinition } from '../graph/callable.js';

/**
 * Plugins take plain functions or tasks (for threads, where workers find functions as tasks).
 * A task factory builds nodes when called, so a plugin keeps the task's own function instead.
 */
export function unwrapTask<F>(fn: F | { readonly definition: object }): F {
  const definition = (fn as { definition?: TaskDefinition }).definition;
  return (definition?.kind === 'task' ? definition.fn : fn) as F;
}
