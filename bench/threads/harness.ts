/**
 * What every ThreadWorkflow benchmark case shares: the thread count, a tinybench suite with the
 * settings every case uses, and the raw Piscina worker the baselines run.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

/** Every case uses every core of the machine. */
export const threads = availableParallelism();

/** The raw Piscina worker of the baselines (same work as bench/fixtures/bench-tasks.mjs). */
export const rawPiscinaWorker = fileURLToPath(new URL('../fixtures/raw-piscina-worker.mjs', import.meta.url));

/** A suite of at least `iterations` runs of each task, after one warm-up. */
export function bench(iterations: number): Bench {
  return new Bench({ time: 1, iterations, warmupIterations: 1, warmupTime: 1 });
}
