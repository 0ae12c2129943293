/**
 * Worker side: a node's arguments, with its parents' results put into the spots the
 * coordinator left empty (ClusterNodeJob.slots). Each job decodes its own copy of each input,
 * so no node sees another's mutations, batched or not.
 */

import type { Redis } from 'ioredis';
import { FunctionFuseError } from '../errors.js';
import { readPath } from '../graph/node.js';
import type { ArgumentSlot, ClusterNodeJob } from './cluster-messages.js';
import { readResults } from './result-reads.js';
import type { StoredValue } from './wire-format.js';

/** The job's arguments; `inputOf(parent)` is the parent's decoded result, fresh for this job. */
export function fillArguments(
  job: Pick<ClusterNodeJob, 'nodeName' | 'args' | 'slots'>,
  inputOf: (parent: number) => unknown,
): unknown[] {
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

/** Whether the run goes on, and every parent's result the jobs read, by plan index: one round trip (see result-reads.ts). */
export async function readRunInputs(
  redis: Redis,
  runId: string,
  jobs: readonly { readonly slots: readonly ArgumentSlot[] }[],
): Promise<{ alive: boolean; inputs: Map<number, StoredValue> }> {
  const parents = new Set<number>();
  for (const job of jobs) for (const slot of job.slots) parents.add(slot.parent);
  const { alive, results } = await readResults(redis, runId, [...parents], true);
  return { alive, inputs: results };
}

export function missingInput(nodeName: string, parent: number): FunctionFuseError {
  return new FunctionFuseError(
    `An input of node "${nodeName}" (the result of node #${parent}) is no longer in Redis: its run ended, or ` +
      'Redis evicted it (give Redis the memory of the largest results in flight, or a noeviction policy).',
  );
}
