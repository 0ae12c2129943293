import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What plugins prepare for one node where it runs, and what the node can read back while it
 * runs (including across its own `await`s, through AsyncLocalStorage).
 */
export interface NodeContext {
  /** The name of the node about to run. */
  readonly nodeName: string;
  /** The node's own seeded generator, set by {@link RandomStatePlugin}. */
  random?: () => number;
}

export const nodeContextStorage = new AsyncLocalStorage<NodeContext>();

/**
 * The seeded generator `RandomStatePlugin` prepared for the node that is running now. Unlike
 * `Math.random`, it belongs to this node alone, so async nodes that interleave on one thread
 * still draw reproducible sequences.
 *
 * @example
 * export const noise = task(async function noise(n: number) {
 *   const random = nodeRandom();
 *   await somethingAsync();
 *   return Array.from({ length: n }, () => random());
 * });
 */
export function nodeRandom(): () => number {
  const random = nodeContextStorage.getStore()?.random;
  if (random === undefined) {
    throw new Error(
      'nodeRandom() was called outside a node that has a RandomStatePlugin: set one with ' +
        "workflow.query('<node pattern>').setPlugin(new RandomStatePlugin({ seed }))",
    );
  }
  return random;
}
