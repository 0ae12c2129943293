import { startInMainThread } from '../drivers/main-thread-driver.js';
import type { Leaves, RunResult } from '../graph/types.js';
import { prepareRun } from '../scheduler/run-setup.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';
import type { RunOptions } from '../workflow/run-options.js';
import { ActiveRuns, type StoppableRun } from './active-runs.js';

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
  readonly #activeRuns = new ActiveRuns(this.workflowName, undefined);

  /**
   * Runs every node and resolves to the leaves' values. See {@link RunOptions} for `failFast`
   * and `signal`.
   */
  override run(options?: RunOptions): Promise<RunResult<L>> {
    return this.#activeRuns.track((started) => this.#run(started, options));
  }

  async #run(
    started: (handle: StoppableRun) => void,
    options: RunOptions | undefined,
  ): Promise<RunResult<L>> {
    const run = await prepareRun(this.workflowName, options, () => this.runInputs());
    const handle = startInMainThread(run);
    started(handle);
    const results = await handle.results;
    return this.collectResults((node) => results[run.plan.indexOf.get(node) as number]);
  }

  /**
   * Stops a run still under way, which rejects with a WorkflowClosedError: at once if it waits
   * for a retry's delay, else once its running node returns (nothing can interrupt a function
   * running in this thread). Resolves without waiting for that: a LocalWorkflow holds no
   * threads or connections, so there is nothing else to end. It can run again afterwards.
   */
  override async close(): Promise<void> {
    void this.#activeRuns.stopAll();
  }
}
