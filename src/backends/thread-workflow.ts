import { BatchSizer } from '../drivers/batch-sizer.js';
import { startOnThreadPool } from '../drivers/thread-pool-driver.js';
import { WarmTargets } from '../drivers/warm-targets.js';
import type { Leaves, RunResult } from '../graph/types.js';
import { ActorHostPool } from '../threads/actor-host-pool.js';
import { TaskPool, type TaskPoolOptions } from '../threads/task-pool.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';
import type { RunOptions } from '../workflow/run-options.js';
import {
  resolveThreadWorkflowOptions,
  type ThreadWorkflowOptions,
  threadWorkflowOptionNames,
} from '../workflow/thread-workflow-options.js';
import { refuseThreadsInWorker } from '../workflow/worker-guard.js';
import { ActiveRuns, type StoppableRun } from './active-runs.js';
import { prepareRemoteRun } from './prepare-remote-run.js';

export type { ThreadWorkflowOptions, WorkerResourceLimits } from '../workflow/thread-workflow-options.js';

/** Time a batch of quick nodes may take in a worker, in ms: long enough to amortise a round trip. */
const batchBudgetMs = 2;

/** How long warm() lets a worker wait for the others to start, in ms. */
const warmUpWaitMs = 30_000;

/**
 * Runs the graph on a pool of worker threads (Piscina), one node per thread at a time, every
 * node dispatched as soon as its parents are done. Same graph, same results as LocalWorkflow.
 *
 * The pool starts with the first run and is reused by later runs; idle workers do not keep
 * the process alive. `close()` (or `await using`) ends it.
 *
 * It runs every node that descends from a root of the leaves, those of other workflows built
 * from the same nodes included (see {@link BaseWorkflow}).
 *
 * @example
 * const wf = new ThreadWorkflow([m, a1], { workflowName: 'demo', threads: 2 });
 * const [rm, ra] = await wf.run();
 * await wf.close();
 */
export class ThreadWorkflow<const L extends Leaves = Leaves> extends BaseWorkflow<L> {
  readonly threads: number;
  readonly #poolOptions: TaskPoolOptions;
  readonly #sizer: BatchSizer;
  /** The expected sizes of shared results, learnt run by run like the sizer's durations. */
  readonly #warmTargets = new WarmTargets();
  #pool: TaskPool | undefined;
  /** Actor threads kept between runs, as the pool's are: a run's actors take them. */
  #actorHosts: ActorHostPool | undefined;
  readonly #activeRuns: ActiveRuns;

  constructor(leaves: L, options: ThreadWorkflowOptions) {
    super(leaves, options, threadWorkflowOptionNames);
    const { threads, maxBatchSize, resourceLimits } = resolveThreadWorkflowOptions(options);
    this.threads = threads;
    this.#poolOptions = { threads, ...(resourceLimits === undefined ? {} : { resourceLimits }) };
    this.#sizer = new BatchSizer(batchBudgetMs, maxBatchSize);
    this.#activeRuns = new ActiveRuns(this.workflowName, 'worker threads');
  }

  /**
   * Runs every node on the worker threads and resolves to the leaves' values. See
   * {@link RunOptions} for `failFast` and `signal`.
   */
  override run(options?: RunOptions): Promise<RunResult<L>> {
    return this.#activeRuns.track((started) => this.#run(started, options));
  }

  async #run(
    started: (handle: StoppableRun) => void,
    options: RunOptions | undefined,
  ): Promise<RunResult<L>> {
    const { run, pluginCalls } = await prepareRemoteRun(this.workflowName, 'ThreadWorkflow', options, () =>
      this.runInputs(),
    );
    this.#pool ??= new TaskPool(this.#poolOptions);
    this.#actorHosts ??= new ActorHostPool();
    const handle = startOnThreadPool(run, {
      pool: this.#pool,
      actorHosts: this.#actorHosts,
      sizer: this.#sizer,
      maxInFlight: this.threads * 2,
      pluginCalls,
      warmTargets: this.#warmTargets,
    });
    started(handle);
    const results = await handle.results;
    return this.collectResults((node) => results[run.plan.indexOf.get(node) as number]);
  }

  /**
   * Starts the worker threads and imports the graph's task modules in every one of them (tsx
   * first, for TypeScript modules), so that a run measured afterwards pays for none of it: the
   * first run of a workflow otherwise starts the threads, and the first node of each module on
   * each thread waits for its import. Actors' threads start with the first run that has
   * actors, and wait idle for the next run's.
   *
   * @example
   * await using wf = new ThreadWorkflow(leaves, { workflowName: 'bench' });
   * await wf.warm();
   * const started = performance.now();
   * await wf.run(); // threads up, modules loaded
   */
  async warm(): Promise<void> {
    refuseThreadsInWorker(this.workflowName, 'ThreadWorkflow');
    const moduleUrls = new Set<string>();
    for (const node of this.plan().nodes) {
      if (node.callable.kind !== 'task') continue;
      const { moduleUrl } = node.callable.location;
      if (moduleUrl !== undefined) moduleUrls.add(moduleUrl);
    }
    this.#pool ??= new TaskPool(this.#poolOptions);
    await this.#pool.warm([...moduleUrls], warmUpWaitMs);
  }

  /**
   * Ends the worker threads. A run still under way is stopped first, and rejects with a
   * WorkflowClosedError. The workflow can run again afterwards, with a new pool.
   */
  override async close(): Promise<void> {
    // The pool's end rejects what still runs on it: its runs end at once, not awaited here.
    void this.#activeRuns.stopAll();
    const pool = this.#pool;
    this.#pool = undefined;
    const actorHosts = this.#actorHosts;
    this.#actorHosts = undefined;
    await actorHosts?.close();
    await pool?.close();
  }
}
