/**
 * Main-thread driver: which task nodes take its fast path, called straight from the loop with
 * no closure, timer or promise of their own (see the driver's callPlainTask). A task takes it
 * when it has no timeout, no retries and no plugin, in a run with no signal and nobody listening
 * to timings. A run with no node options and no plugin decides it once for every task node, so
 * that the loop over a big graph reads no options per node.
 */
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';

/**
 * Every task node of `run` takes the fast path: no node has options or a plugin, there is no
 * signal and nobody listens to timings.
 *
 * @example
 * const plainRun = isPlainRun(run); // true for a LocalWorkflow run with no options
 */
export function isPlainRun(run: PreparedRun): boolean {
  return (
    run.optionsAreDefault && run.plugins.length === 0 && run.signal === undefined && !run.timings.enabled
  );
}

/**
 * Task node `index` of `run` takes the fast path (asked only when the run is not plain).
 *
 * @example
 * if (callable.kind === 'task' && isPlainTask(run, index)) return callPlainTask(index, node, callable.fn);
 */
export function isPlainTask(run: PreparedRun, index: number): boolean {
  const { timeout, retries } = run.nodeOptions[index] as ResolvedNodeOptions;
  return (
    timeout === undefined &&
    retries === 0 &&
    run.plugins[index] === undefined &&
    run.signal === undefined &&
    !run.timings.enabled
  );
}
