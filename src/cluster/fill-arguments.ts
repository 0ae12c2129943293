/**
 * Worker side: a node's arguments, with its parents' results put into the spots the
 * coordinator left empty (ClusterNodeJob.slots). Each job decodes its own copy of each input,
 * so no node sees another's mutations, batched or not.
 */
import { readPath } from '../graph/node.js';
import type { ClusterNodeJob } from './cluster-messages.js';

/** The job's arguments; `inputOf(parent)` is the parent's decoded result, fresh for this job. */
export function fillArguments(job: ClusterNodeJob, inputOf: (parent: number) => unknown): unknown[] {
  const args = [...job.args];
  const decoded = new Map<number, unknown>();
  for (const slot of job.slots) {
    let value = decoded.get(slot.parent);
    if (!decoded.has(slot.parent)) {
      value = inputOf(slot.parent);
      decoded.set(slot.parent, value);
    }
    const item = slot.path.length === 0 ? value : readPath(value, slot.path, slot.parentName);
    let container = args as unknown as Record<string | number, unknown>;
    for (let depth = 0; depth < slot.at.length - 1; depth++) {
      container = container[slot.at[depth] as string | number] as Record<string | number, unknown>;
    }
    container[slot.at[slot.at.length - 1] as string | number] = item;
  }
  return args;
}
