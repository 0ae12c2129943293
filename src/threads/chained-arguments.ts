/**
 * Worker side of a chain: a chained job's arguments, with results of earlier jobs of its batch
 * put into the spots the main thread left empty (see drivers/batch-chain.ts).
 */
import { readPath } from '../graph/node.js';
import type { NodeJob } from './messages.js';

/** What the batch has made so far: each earlier job's result, and whether it succeeded. */
export interface BatchResultsSoFar {
  readonly values: readonly unknown[];
  readonly succeeded: Uint8Array;
}

/**
 * The job's arguments, or undefined when a job it reads did not succeed (then it does not
 * run). `args` is the job's own copy of its template, filled in place. A slot marked `copy`
 * gets a structured clone, one per job and source, so two spots that name one result still
 * hold one object, as they would had it come from the main thread.
 */
export function fillChained(job: NodeJob, args: unknown[], soFar: BatchResultsSoFar): unknown[] | undefined {
  const slots = job.chained ?? [];
  for (const slot of slots) if (soFar.succeeded[slot.job] !== 1) return undefined;
  const filled = [...args];
  let copies: Map<number, unknown> | undefined;
  for (const slot of slots) {
    let value = soFar.values[slot.job];
    if (slot.copy && typeof value === 'object' && value !== null) {
      copies ??= new Map();
      if (!copies.has(slot.job)) copies.set(slot.job, structuredClone(value));
      value = copies.get(slot.job);
    }
    const item = slot.path.length === 0 ? value : readPath(value, slot.path, slot.jobName);
    let container = filled as unknown as Record<string | number, unknown>;
    for (let depth = 0; depth < slot.at.length - 1; depth++) {
      container = container[slot.at[depth] as string | number] as Record<string | number, unknown>;
    }
    container[slot.at[slot.at.length - 1] as string | number] = item;
  }
  return filled;
}
