/**
 * The state of one node within one run. Every node is in exactly one state at every moment;
 * {@link RunCore} is the only code that changes it, and only along the transitions its table
 * allows.
 *
 * - `waiting`: some parent has not finished.
 * - `looking-up`: its stored result is being read.
 * - `ready`: its inputs are there; it waits for a place to run (task nodes, in the ready queue).
 * - `running`: an attempt is under way.
 * - `retry-wait`: an attempt failed and the next waits for its `retryDelay`.
 * - `saving`: it computed, and its result is being saved; its children wait for the save.
 * - `done`, `failed`, `skipped` (an ancestor failed, or a `failFast` stop came first), `cancelled`:
 *   final.
 */
export const NodeState = {
  waiting: 0,
  lookingUp: 1,
  ready: 2,
  running: 3,
  retryWait: 4,
  saving: 5,
  done: 6,
  failed: 7,
  skipped: 8,
  cancelled: 9,
} as const;

export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** Names for messages, by state number. */
export const NODE_STATE_NAMES: readonly string[] = Object.freeze([
  'waiting',
  'looking-up',
  'ready',
  'running',
  'retry-wait',
  'saving',
  'done',
  'failed',
  'skipped',
  'cancelled',
]);

/** States a run waits on: while a node is in one, the run is not over. */
export function isInFlight(state: NodeState): boolean {
  return (
    state === NodeState.lookingUp ||
    state === NodeState.running ||
    state === NodeState.retryWait ||
    state === NodeState.saving
  );
}

/** States a node never leaves. */
export function isFinal(state: NodeState): boolean {
  return state >= NodeState.done;
}
