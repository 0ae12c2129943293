import { WorkflowClosedError } from '../errors.js';
import type { Leaves, RunResult } from '../graph/types.js';
import { preparePluginCalls } from '../plugins/remote-plugin.js';
import { BatchSizer } from '../scheduler/batch-sizer.js';
import { RunOutcomes } from '../scheduler/run-outcomes.js';
import { StoredResults } from '../scheduler/stored-results.js';
import { ThreadRun } from '../scheduler/thread-run.js';
import { TaskPool, type TaskPoolOptions } from '../threads/task-pool.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';
import { resolveNodeOptions } from '../workflow/node-options.js';
import { type RunOptions, resolveRunOptions } from '../workflow/run-options.js';
import {
  resolveThreadWorkflowOptions,
  type ThreadWorkflowOptions,
  threadWorkflowOptionNames,
} from '../workflow/thread-workflow-options.js';
import { refuseWorkflowInWorker } from '../workflow/worker-guard.js';

export type { ThreadWorkflowOptions, WorkerResourceLimits } from '../workflow/thread-workflow-options.js';

/** A run under way, so that `close()` can stop it and the run can say why it ended. */
interface ActiveRun {
  closed: boolean;
  threadRun: ThreadRun | undefined;
}

/** Time a batch of quick nodes may take in a worker, in ms: long enough to amortise a round trip. */
const batchBudgetMs = 2;

/**
 * Runs the graph on a pool of worker threads (Piscina), one node per thread at a time, every
 * node dispatched as soon as its parents are done. Same graph, same results as LocalWorkflow.
 *
 * The pool starts with the first run and is reused by later runs; idle workers do not keep
 * the process alive. `close()` (or `await using`) ends it.
 *
 * @example
 * const wf = new ThreadWorkflow([m, a1], { workflowName: 'demo', threads: 2 });
 * const [rm, ra] = await wf.run();
 * await wf.close();
 */
export class ThreadWorkflow<const L extends Leaves = Leaves> extends BaseWorkflow<L> {
  readonly threads: number;
  readonly #maxBatchSize: number;
  readonly #poolOptions: TaskPoolOptions;
  readonly #sizer: BatchSizer;
  #pool: TaskPool | undefined;
  readonly #activeRuns = new Set<ActiveRun>();

  constructor(leaves: L, options: ThreadWorkflowOptions) {
    super(leaves, options, threadWorkflowOptionNames);
    const { threads, maxBatchSize, resourceLimits } = resolveThreadWorkflowOptions(options);
    this.threads = threads;
    this.#maxBatchSize = maxBatchSize;
    this.#poolOptions = { threads, ...(resourceLimits === undefined ? {} : { resourceLimits }) };
    this.#sizer = new BatchSizer(batchBudgetMs, this.#maxBatchSize);
  }

  /**
   * Runs every node on the worker threads and resolves to the leaves' values. See
   * {@link RunOptions} for `failFast` and `signal`.
   */
  override async run(options?: RunOptions): Promise<RunResult<L>> {
    const { failFast, signal } = resolveRunOptions(options);
    refuseWorkflowInWorker(this.workflowName);
    const active: ActiveRun = { closed: false, threadRun: undefined };
    this.#activeRuns.add(active);
    try {
      return await this.#run(active, failFast, signal);
    } catch (error) {
      if (!active.closed) throw error;
      throw new WorkflowClosedError(
        `Workflow "${this.workflowName}" was closed while running: close() stopped its nodes and ended its ` +
          'worker threads before run() settled. Await run() before calling close().',
        { cause: error },
      );
    } finally {
      this.#activeRuns.delete(active);
    }
  }

  async #run(active: ActiveRun, failFast: boolean, signal: AbortSignal | undefined): Promise<RunResult<L>> {
    const plan = this.plan();
    const pluginCalls = await preparePluginCalls(plan.nodes, this.preparePlugins(plan));
    const { storage } = this;
    const stored =
      storage === undefined ? undefined : new StoredResults(storage, this.workflowName, this.loggedNodes);
    if (storage !== undefined) await storage.newWorkflow(this.workflowName);
    await stored?.prepare();
    if (active.closed) throw new Error('close() was called before the first node started');
    this.#pool ??= new TaskPool(this.#poolOptions);
    const nodeOptions = plan.nodes.map((node) => resolveNodeOptions(this.settingsOf(node)?.options));
    const outcomes = new RunOutcomes(plan, this.workflowName, failFast, this.events);
    const threadRun = new ThreadRun({
      plan,
      pool: this.#pool,
      sizer: this.#sizer,
      outcomes,
      nodeOptions,
      priorities: Float64Array.from(nodeOptions, (options) => options.priority),
      maxInFlight: this.threads * 2,
      pluginCalls,
      signal,
      events: this.events,
      stored,
    });
    active.threadRun = threadRun;
    const results = await threadRun.execute().finally(() => outcomes.finish());
    return this.collectResults((node) => results[plan.indexOf.get(node) as number]);
  }

  /**
   * Ends the worker threads. A run still under way is stopped first, and rejects with a
   * WorkflowClosedError. The workflow can run again afterwards, with a new pool.
   */
  async close(): Promise<void> {
    for (const active of this.#activeRuns) {
      active.closed = true;
      active.threadRun?.cancel(new Error(`ThreadWorkflow "${this.workflowName}" was closed`));
    }
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
