/**
 * How ready task nodes are grouped for a remote runner (a worker thread, a cluster worker):
 * the first ready node, with more ready nodes while they are known to be quick, up to the
 * batch time budget and a fair share of the ready nodes per free slot. A node that must go
 * alone (a timeout, large buffers to move, a batch that lost its worker) is sent alone.
 * Both pooled drivers send this way, so both batch alike.
 */
import type { Node } from '../graph/node.js';
import type { RunCore } from '../scheduler/run-core.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { BatchSizer } from './batch-sizer.js';

/** A prepared node, as far as batching cares. */
export interface Batchable {
  readonly index: number;
  readonly solo: boolean;
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
  send(batch);
}
