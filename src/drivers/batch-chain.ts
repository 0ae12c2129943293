/**
 * How a batch with chained jobs travels: each chained job's slots name the batch positions of
 * the jobs whose results fill them, with a copy wherever the original also goes elsewhere (out
 * of the worker, or to a later job of the batch); a result that nothing outside the batch reads
 * stays in the worker.
 */
import type { BatchSlot, NodeJob } from '../threads/messages.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { PreparedJob } from './prepared-job.js';

/**
 * What a batch with chained jobs adds to each job: slots naming batch positions, with a copy
 * wherever the original goes elsewhere too (out of the worker, or to a later job), and which
 * results stay in the worker.
 */
export function chainOf(
  batch: readonly PreparedJob[],
  plan: ExecutionPlan,
  mustReturn: (index: number) => boolean,
): { jobAt(position: number, job: Omit<NodeJob, 'plugin'>): Omit<NodeJob, 'plugin'> } {
  const positions = new Map<number, number>();
  for (const [position, prepared] of batch.entries()) positions.set(prepared.index, position);
  const returned = batch.map(
    ({ index }) =>
      plan.isLeaf[index] === 1 ||
      mustReturn(index) ||
      (plan.childIndexes[index] as Int32Array).some((child) => !positions.has(child)),
  );
  // The last job of the batch to read each result gets the original, unless it also leaves.
  const lastReader = new Map<number, number>();
  batch.forEach((prepared, position) => {
    for (const slot of prepared.chainedSlots ?? [])
      lastReader.set(positions.get(slot.parent) as number, position);
  });
  return {
    jobAt(position, job) {
      const prepared = batch[position] as PreparedJob;
      const slots = prepared.chainedSlots;
      let withChain = job;
      if (slots !== undefined) {
        const chained = slots.map((slot): BatchSlot => {
          const source = positions.get(slot.parent) as number;
          return {
            at: slot.at,
            job: source,
            jobName: slot.parentName,
            path: slot.path,
            copy: returned[source] === true || lastReader.get(source) !== position,
          };
        });
        withChain = { ...withChain, chained };
      }
      return returned[position] === true ? withChain : { ...withChain, returnResult: false };
    },
  };
}
