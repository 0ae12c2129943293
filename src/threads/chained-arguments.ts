/**
 * Worker side of a chain: a chained job's arguments, with results of earlier jobs of its batch
 * put into the spots the main thread left empty (see drivers/compose-batch.ts).
 */
import { readPath } from '../graph/node.js';
import { jobName, linkKey, type WireBatch } from './batch-wire.js';

/** What the batch has made so far: each earlier job's result, and whether it succeeded. */
export interface BatchResultsSoFar {
  readonly values: readonly unknown[];
  readonly succeeded: Uint8Array;
}

/**
 * The job's arguments, or undefined when a job it reads did not succeed (then it does not
 * run). Its slots are `batch.links` from `start` to `end`, as WireBatchWriter.addLink wrote
 * them; `args` is the job's own copy of its template, filled in place. A slot marked `copy`
 * gets a structured clone, one per job and source, so two spots that name one result still hold
 * one object, as they would had it come from the main thread.
 */
export function fillChained(
  batch: WireBatch,
  start: number,
  end: number,
  args: unknown[],
  soFar: BatchResultsSoFar,
): unknown[] | undefined {
  const { links } = batch;
  let copies: Map<number, unknown> | undefined;
  let next = start;
  while (next < end) {
    const atLength = links[next] as number;
    const atStart = next + 1;
    next = atStart + atLength;
    const job = links[next] as number;
    const copy = links[next + 1] === 1;
    const pathLength = links[next + 2] as number;
    const pathStart = next + 3;
    next = pathStart + pathLength;
    if (soFar.succeeded[job] !== 1) return undefined;
    let value = soFar.values[job];
    if (copy && typeof value === 'object' && value !== null) {
      copies ??= new Map();
      if (!copies.has(job)) copies.set(job, structuredClone(value));
      value = copies.get(job);
    }
    let item = value;
    if (pathLength > 0) {
      const path: (string | number)[] = [];
      for (let key = pathStart; key < pathStart + pathLength; key++)
        path.push(linkKey(batch, links[key] as number));
      item = readPath(value, path, jobName(batch, job));
    }
    let container = args as unknown as Record<string | number, unknown>;
    for (let depth = 0; depth < atLength - 1; depth++) {
      container = container[linkKey(batch, links[atStart + depth] as number)] as Record<
        string | number,
        unknown
      >;
    }
    container[linkKey(batch, links[atStart + atLength - 1] as number)] = item;
  }
  return args;
}
