/**
 * Drives a run on a pool of worker threads (ThreadWorkflow). The run core decides what is
 * ready; this driver decides how it travels: ready task nodes leave the core's queue in its
 * order while the pool has room, quick ones batched into one message (BatchSizer), slow or
 * timed ones alone; actor nodes go to their actor's thread (ActorSupervisor); storage is read
 * and written from the main thread, after the workers ran the storage's save step.
 *
 * Quick nodes whose quick children become ready inside their batch are sent with those
 * children (chains, see ready-batches.ts): the worker runs them in order, and a result only
 * they read never comes back. What comes back of a batch is applied by ThreadBatchOutcomes
 * (thread-batch-outcomes.ts); jobs sent again and nodes that go alone are ThreadResends'
 * (thread-resends.ts); where results go, ResultFlow's (result-flow.ts). The run
 * settles when the core says so, after every actor thread has ended.
 */
import { InternalError } from '../errors.js';
import { timeoutError } from '../executor/deadline.js';
import type { Node } from '../graph/node.js';
import { idleRun } from '../scheduler/idle-run.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { ActorHostPool } from '../threads/actor-host-pool.js';
import { type WireBatch, WireBatchWriter } from '../threads/batch-wire.js';
import type { RemotePluginCall } from '../threads/messages.js';
import type { WireOutcomes } from '../threads/outcome-wire.js';
import { feelDeferredSharedMemorySoon } from '../threads/shared-memory-pressure.js';
import { keepShapes } from '../util/kept-shapes.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import { ActorSupervisor } from './actor-supervisor.js';
import { BatchSizer } from './batch-sizer.js';
import { threadChaining } from './chained-job.js';
import { composeBatch } from './compose-batch.js';
import { DriverLoop, type RunSettlement } from './driver-loop.js';
import { checkPlainArguments, type PreparedJob, prepareTaskJob } from './prepared-job.js';
import { type Chaining, sendNextBatch } from './ready-batches.js';
import { ResultFlow } from './result-flow.js';
import { ResultStore } from './result-store.js';
import { ThreadBatchOutcomes } from './thread-batch-outcomes.js';
import { ThreadResends } from './thread-resends.js';
import type { WarmTargets } from './warm-targets.js';

/** Where batches run: the task pool, or a stand-in in tests. */
export interface BatchRunner {
  run(batch: WireBatch, transferList: readonly ArrayBuffer[], signal?: AbortSignal): Promise<WireOutcomes>;
  /** Has idle workers collect the memory their jobs left (TaskPool's says how). */
  collectInIdleWorkers?(): Promise<void>;
}

/** What the driver needs besides the run. */
export interface ThreadPoolDriverOptions {
  readonly pool: BatchRunner;
  readonly sizer: BatchSizer;
  /** How many batches may be in the pool at once. */
  readonly maxInFlight: number;
  /** Each node's plugin call (spec and payload), by plan index; prepared in canonical order. */
  readonly pluginCalls: readonly (RemotePluginCall | undefined)[];
  /** The workflow's expected sizes of shared results, to fault their memory in ahead. */
  readonly warmTargets?: WarmTargets;
  /** The workflow's actor threads kept between runs (none: each actor gets a thread of its own). */
  readonly actorHosts?: ActorHostPool;
}

/** A run started on the pool. */
export interface ThreadPoolRunHandle {
  /** The results by plan index (leaves kept, others released); rejects with the run's error. */
  readonly results: Promise<readonly unknown[]>;
  /** Cancels the run as its signal would (ThreadWorkflow.close() during run()). */
  cancel(reason: unknown): void;
}

/** Starts running every node on the pool. */
export function startOnThreadPool(run: PreparedRun, options: ThreadPoolDriverOptions): ThreadPoolRunHandle {
  const driver = new ThreadPoolRun(run, options);
  return { results: driver.execute(), cancel: (reason) => driver.cancel(reason) };
}

/** Runs every node on the pool; resolves to the results by plan index (leaves kept, others released). */
export function runOnThreadPool(
  run: PreparedRun,
  options: ThreadPoolDriverOptions,
): Promise<readonly unknown[]> {
  return startOnThreadPool(run, options).results;
}

class ThreadPoolRun extends DriverLoop {
  readonly #options: ThreadPoolDriverOptions;
  readonly #store: ResultStore;
  readonly #actors: ActorSupervisor;
  readonly #chaining: Chaining<PreparedJob>;
  readonly #resends = new ThreadResends();
  readonly #results: ResultFlow;
  readonly #outcomes: ThreadBatchOutcomes;
  /** The workflow's expected sizes of shared results; only for a run with a `shareResult` node. */
  readonly #warmTargets: WarmTargets | undefined;
  #batchesInPool = 0;
  /** Aborting one stops its batch's worker: on cancellation, every one is aborted. */
  readonly #batchControllers = new Set<AbortController>();

  constructor(run: PreparedRun, options: ThreadPoolDriverOptions) {
    super(run, "ThreadWorkflow's driver");
    this.#options = options;
    const shareResult = run.nodeOptions.map((nodeOptions) => nodeOptions.shareResult);
    this.#warmTargets = shareResult.includes(true) ? options.warmTargets : undefined;
    this.#store = new ResultStore(run.plan, true, shareResult);
    this.#chaining = threadChaining(run, this.#store, options.pluginCalls, this.#resends.alone);
    this.#actors = new ActorSupervisor(run.plan, options.actorHosts);
    this.#results = new ResultFlow(run, this.#store);
    this.#outcomes = new ThreadBatchOutcomes(
      run,
      this.#store,
      options.sizer,
      this.#resends,
      this.#results,
      (event) => this.tell(event),
    );
  }

  execute(): Promise<readonly unknown[]> {
    return this.startRun();
  }

  protected override stopRunning(): void {
    const reason = this.run.core.finalError();
    for (const controller of this.#batchControllers) controller.abort(reason);
    void this.#actors.terminateAll(reason);
  }

  /** Sends ready task nodes to the pool while it has room (batched as ready-batches.ts says). */
  protected override pump(): void {
    const { core } = this.run;
    const { maxInFlight } = this.#options;
    while (this.#batchesInPool < maxInFlight && core.readyCount > 0) {
      sendNextBatch(
        core,
        this.run.plan,
        this.#options.sizer,
        maxInFlight - this.#batchesInPool,
        (index) => this.#prepare(index),
        (batch) => this.#send(batch),
        this.#chaining,
      );
    }
    // A worker the run leaves idle collects now the memory its jobs left, on a core nobody else
    // uses (idle-collection.ts); finish() asks the rest once the run has settled.
    if (core.readyCount === 0 && !this.settled) void this.#options.pool.collectInIdleWorkers?.();
  }

  /** The job of node `index` (now running in the core), or undefined when it was refused. */
  #prepare(index: number): PreparedJob | undefined {
    const kept = this.#resends.kept(index);
    if (kept !== undefined) return kept;
    const { plan, nodeOptions, stored } = this.run;
    const node = plan.nodes[index] as Node;
    try {
      return this.#resends.prepared(
        prepareTaskJob(
          node,
          index,
          this.#store,
          nodeOptions[index] as ResolvedNodeOptions,
          this.#options.pluginCalls[index],
          stored?.workerSaveRequestFor(node),
        ),
      );
    } catch (error) {
      this.tell({ kind: 'refused', index, error });
      return undefined;
    }
  }

  #send(batch: readonly PreparedJob[]): void {
    const { signal, plan, stored } = this.run;
    const warmTargets = this.#warmTargets;
    const warm = warmTargets?.targetsFor(batch, plan);
    const { message, transferList, timeoutMs, bytesMoved } = composeBatch(
      batch,
      plan,
      stored === undefined ? undefined : (index) => stored.isCached(plan.nodes[index] as Node),
      warm,
    );
    // A controller only when the batch may have to be stopped: it costs on every dispatch.
    const controller = timeoutMs === undefined && signal === undefined ? undefined : new AbortController();
    const first = batch[0] as PreparedJob;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => controller?.abort(timeoutError(first.nodeName, timeoutMs)), timeoutMs);
    this.#batchesInPool++;
    if (controller !== undefined) this.#batchControllers.add(controller);
    const done = (): void => {
      clearTimeout(timer);
      if (controller !== undefined) this.#batchControllers.delete(controller);
      this.#batchesInPool--;
      this.pump();
    };
    this.#options.pool.run(message, transferList, controller?.signal).then(
      (result) =>
        this.guarded(() => {
          warmTargets?.learn(batch, plan, result, warm);
          this.#onBatchDone(batch, result, bytesMoved);
        }, done),
      (error: unknown) =>
        this.guarded(() => {
          warmTargets?.abandon(warm);
          this.#outcomes.lost(batch, controller?.signal, error);
        }, done),
    );
  }

  /** Applies a batch's outcomes in batch order, sending nothing meanwhile (thread-batch-outcomes.ts says why). */
  #onBatchDone(batch: readonly PreparedJob[], outcomes: WireOutcomes, bytesMoved: number): void {
    this.withPumpHeld(() => {
      for (const [position, prepared] of batch.entries())
        this.#outcomes.apply(prepared, outcomes, position, bytesMoved);
    });
  }

  protected override readStored(index: number): void {
    this.#results.readStored(index).then((event) => this.guarded(() => this.tell(event)));
  }

  /** Saves a computed result, then lets its children go (result-flow.ts says why they wait). */
  protected override save(index: number): void {
    this.#results.save(index).then((event) => this.guarded(() => this.tell(event)));
  }

  protected override callActor(index: number): void {
    const { plan, nodeOptions } = this.run;
    const node = plan.nodes[index] as Node;
    let operation: ReturnType<ActorSupervisor['run']>;
    try {
      checkPlainArguments(node);
      const transferList = new Set<ArrayBuffer>();
      const args = this.#store.argumentsFor(index, transferList);
      const { timeout } = nodeOptions[index] as ResolvedNodeOptions;
      operation = this.#actors.run(index, args, [...transferList], this.#options.pluginCalls[index], timeout);
    } catch (error) {
      this.tell({ kind: 'refused', index, error });
      return;
    }
    operation.then(
      (done) =>
        this.guarded(() => {
          this.#store.store(index, done.value);
          if (done.snapshot !== undefined) this.#store.store(done.snapshot.initIndex, done.snapshot.value);
          this.tell({ kind: 'attempt-succeeded', index, timing: done.timing });
        }),
      (error: unknown) =>
        this.guarded(() => {
          const { core } = this.run;
          if (core.stopped && this.run.signal?.aborted) this.tell({ kind: 'attempt-stopped', index });
          else this.tell({ kind: 'attempt-failed', index, error });
        }),
    );
  }

  protected override finish(settle: RunSettlement): void {
    // What the run's results held of shared memory is told once the run has settled, so that the
    // collection it starts runs while the next run begins, not while this one's consumers wait.
    feelDeferredSharedMemorySoon();
    // The workers collect what the run left now, so that a rerun does not make its data while
    // the last run's is still held (over 12 back-to-back reruns of an 80 MB shared result, the
    // peak went from 5 to 3 × the array; bench/threads/fan-out.ts). A rerun that starts at once
    // sends its first nodes to a worker that is not collecting, if there is one.
    void this.#options.pool.collectInIdleWorkers?.();
    const failure = this.run.core.finalError();
    this.#actors.terminateAll(failure).then(
      () => (failure === undefined ? settle.resolve(this.#store.results) : settle.reject(failure)),
      (error: unknown) =>
        settle.reject(failure ?? new InternalError(`could not end actor threads: ${String(error)}`)),
    );
  }
}

// One driver object over the kept idle run, and one batch writer with its batch, so these
// classes keep their hidden classes between runs (see util/kept-shapes.ts): in a process whose
// other work ran full collections between two runs, every run's per-node code was thrown away
// and a chain of 1,000 quick nodes took 30 ms instead of 5. The driver object holds one of each
// of its parts (ThreadResends, ResultFlow, ThreadBatchOutcomes), which keeps theirs too.
keepShapes(
  new ThreadPoolRun(idleRun(), {
    pool: { run: () => Promise.reject(new InternalError('the kept idle run never sends')) },
    sizer: new BatchSizer(0, 1),
    maxInFlight: 1,
    pluginCalls: [],
  }),
  new WireBatchWriter(),
  new WireBatchWriter().finish([]),
);
