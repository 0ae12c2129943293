/**
 * Worker side of a chain: a chained job's arguments, with results of earlier jobs of its batch
 * put into the spots the main thread left empty (see drivers/compose-batch.ts).
 */
import { readPath } from '../graph/node.js';

/** What the batch has made so far: each earlier job's result, and whether it succeeded. */
export interface BatchResultsSoFar {
  readonly values: readonly unknown[];
  readonly succeeded: Uint8Array;
}

/**
 * The job's arguments, or undefined when a job it reads did not succeed (then it does not
 * run). `links` are its slots as batch-wire.ts's pushLink wrote them; `args` is the job's own
 * copy of its template, filled in place. A slot marked `copy` gets a structured clone, one per
 * job and source, so two spots that name one result still hold one object, as they would had
 * it come from the main thread.
 */
export function fillChained(
  links: readonly unknown[],
  args: unknown[],
  soFar: BatchResultsSoFar,
): unknown[] | undefined {
  let copies: Map<number, unknown> | undefined;
  let next = 0;
  while (next < links.length) {
    const atLength = links[next] as number;
    const atStart = next + 1;
    next = atStart + atLength;
    const job = links[next] as number;
    const copy = links[next + 1] === 1;
    const pathLength = links[next + 2] as number;
    const pathStart = next + 3;
    next = pathStart + pathLength;
    const jobName = links[next++] as string;
    if (soFar.succeeded[job] !== 1) return undefined;
    let value = soFar.values[job];
    if (copy && typeof value === 'object' && value !== null) {
      copies ??= new Map();
      if (!copies.has(job)) copies.set(job, structuredClone(value));
      value = copies.get(job);
    }
    const item =
      pathLength === 0
        ? value
        : readPath(value, links.slice(pathStart, pathStart + pathLength) as PropertyKey[], jobName);
    let container = args as unknown as Record<string | number, unknown>;
    for (let depth = 0; depth < atLength - 1; depth++) {
      container = container[links[atStart + depth] as string | number] as Record<string | number, unknown>;
    }
    container[links[atStart + atLength - 1] as string | number] = item;
  }
  return args;
}
