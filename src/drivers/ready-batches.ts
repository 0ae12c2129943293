/**
 * How ready task nodes are grouped for a remote runner (a worker thread, a cluster worker):
 * the first ready node, with more ready nodes while they are known to be quick, up to the
 * batch time budget and a fair share of the ready nodes per free slot. A node that must go
 * alone (a timeout, large buffers to move, a batch that lost its worker) is sent alone.
 * Both pooled drivers send this way, so both batch alike.
 *
 * A driver that can chain (see {@link Chaining}) also sends quick descendants that become ready
 * inside the batch: a child whose parents are all done or in the batch runs after them in the
 * same worker, so a chain of quick nodes costs one round trip per batch, not one per node.
 */
import type { Node } from '../graph/node.js';
import { NodeState } from '../scheduler/node-state.js';
import type { RunCore } from '../scheduler/run-core.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { BatchSizer } from './batch-sizer.js';

/** A prepared node, as far as batching cares. */
export interface Batchable {
  readonly index: number;
  readonly solo: boolean;
}

/** What a driver that runs chains in its workers says of each node. */
export interface Chaining<P> {
  /** Whether waiting node `index` may run after parents of its batch (a quick task, nothing to save or retry). */
  mayRunChained(index: number): boolean;
  /** Whether children of `index` may run after it in its batch (its result is not saved first, it is not retried). */
  mayChainAfter(index: number): boolean;
  /** The chained job of `index`, after the batch's jobs `inBatch` names; undefined leaves it for its turn. */
  prepareChained(index: number, inBatch: ReadonlyMap<number, number>): P | undefined;
}

/**
 * Takes the next batch from the core's ready queue and hands it to `send` (with any lone node
 * met on the way). `prepare` returns undefined for a node it refused (it told the core).
 */
export function sendNextBatch<P extends Batchable>(
  core: RunCore,
  plan: ExecutionPlan,
  sizer: BatchSizer,
  freeSlots: number,
  prepare: (index: number) => P | undefined,
  send: (batch: readonly P[]) => void,
  chaining?: Chaining<P>,
): void {
  const first = prepare(core.takeReady() as number);
  if (first === undefined) return;
  let expectedMs = sizer.estimate((plan.nodes[first.index] as Node).callable);
  if (first.solo || expectedMs === undefined) {
    send([first]);
    return;
  }
  const batch: P[] = [first];
  const limit = Math.min(sizer.maxBatchSize, Math.ceil((core.readyCount + 1) / freeSlots));
  while (batch.length < limit && core.readyCount > 0) {
    const estimate = sizer.estimate((plan.nodes[core.peekReady() as number] as Node).callable);
    if (estimate === undefined || expectedMs + estimate > sizer.budgetMs) break;
    const next = prepare(core.takeReady() as number);
    if (next === undefined) continue;
    if (next.solo) send([next]);
    else {
      batch.push(next);
      expectedMs += estimate;
    }
  }
  if (chaining !== undefined) addChained(batch, core, plan, sizer, chaining);
  send(batch);
}

/**
 * Adds to `batch`, breadth first in canonical order, each waiting child whose parents are all
 * done or in the batch, while the chained nodes stay within the time budget and the batch
 * within its size. The budget counts the chained nodes alone: they could not start anywhere
 * before their parents end, so a slow parent is no reason to send its quick children apart.
 */
function addChained<P extends Batchable>(
  batch: P[],
  core: RunCore,
  plan: ExecutionPlan,
  sizer: BatchSizer,
  chaining: Chaining<P>,
): void {
  // Made when the first child is met: a batch of nodes without waiting children needs none.
  let inBatch: Map<number, number> | undefined;
  let total = 0;
  for (let next = 0; next < batch.length && batch.length < sizer.maxBatchSize; next++) {
    const source = (batch[next] as P).index;
    if (!chaining.mayChainAfter(source)) continue;
    const { childStart, childList } = plan;
    const end = childStart[source + 1] as number;
    for (let edge = childStart[source] as number; edge < end; edge++) {
      const child = childList[edge] as number;
      if (batch.length >= sizer.maxBatchSize) return;
      if (core.stateOf(child) !== NodeState.waiting) continue;
      if (inBatch === undefined) {
        inBatch = new Map();
        for (let position = 0; position < batch.length; position++)
          inBatch.set((batch[position] as P).index, position);
      } else if (inBatch.has(child)) continue;
      if (!parentsDoneOrIn(child, plan, core, inBatch, chaining)) continue;
      const estimate = sizer.estimate((plan.nodes[child] as Node).callable);
      if (estimate === undefined || total + estimate > sizer.budgetMs || !chaining.mayRunChained(child))
        continue;
      const prepared = chaining.prepareChained(child, inBatch);
      if (prepared === undefined) continue;
      inBatch.set(child, batch.length);
      batch.push(prepared);
      total += estimate;
    }
  }
}

function parentsDoneOrIn(
  child: number,
  plan: ExecutionPlan,
  core: RunCore,
  inBatch: ReadonlyMap<number, number>,
  chaining: Chaining<unknown>,
): boolean {
  const { parentStart, parentList } = plan;
  const end = parentStart[child + 1] as number;
  for (let edge = parentStart[child] as number; edge < end; edge++) {
    const parent = parentList[edge] as number;
    if (inBatch.has(parent)) {
      if (!chaining.mayChainAfter(parent)) return false;
    } else if (core.stateOf(parent) !== NodeState.done) return false;
  }
  return true;
}
