import { runInMainThread } from '../drivers/main-thread-driver.js';
import type { Leaves, RunResult } from '../graph/types.js';
import { prepareRun } from '../scheduler/run-setup.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';
import type { RunOptions } from '../workflow/run-options.js';

/**
 * Runs the graph in the main thread, one node at a time, in priority then canonical order,
 * awaiting async nodes. The reference backend: every other backend gives the same results.
 *
 * It runs every node that descends from a root of the leaves, those of other workflows built
 * from the same nodes included (see {@link BaseWorkflow}).
 *
 * @example
 * const wf = new LocalWorkflow([m, a1], { workflowName: 'demo' });
 * const [rm, ra] = await wf.run();
 */
export class LocalWorkflow<const L extends Leaves = Leaves> extends BaseWorkflow<L> {
  /**
   * Runs every node and resolves to the leaves' values. See {@link RunOptions} for `failFast`
   * and `signal`.
   */
  override async run(options?: RunOptions): Promise<RunResult<L>> {
    const run = await prepareRun(this.workflowName, options, () => this.runInputs());
    const results = await runInMainThread(run);
    return this.collectResults((node) => results[run.plan.indexOf.get(node) as number]);
  }
}
