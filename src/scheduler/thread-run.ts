import { FunctionFuseError, InternalError, NodeExecutionError, UncloneableValueError } from '../errors.js';
import type { TaskDefinition } from '../graph/callable.js';
import { type Node, Ref } from '../graph/node.js';
import type { RemotePluginSpec } from '../plugins/remote-plugin.js';
import { inspectValue } from '../threads/inspect-value.js';
import type { BatchResult, JobOutcome, NodeJob, RemotePluginCall } from '../threads/messages.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import type { TaskPool } from '../threads/task-pool.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { ActorSupervisor } from './actor-supervisor.js';
import type { BatchSizer } from './batch-sizer.js';
import { ReadyQueue } from './ready-queue.js';
import { ResultStore } from './result-store.js';

/** What a run needs from its workflow. */
export interface ThreadRunContext {
  readonly plan: ExecutionPlan;
  readonly pool: TaskPool;
  readonly sizer: BatchSizer;
  /** Node priorities by plan index. */
  readonly priorities: Float64Array;
  /** How many batches may be in the pool at once. */
  readonly maxInFlight: number;
  /** Each node's plugin call (spec and payload), by plan index; prepared in canonical order. */
  readonly pluginCalls: readonly (RemotePluginCall | undefined)[];
}

/**
 * One run of a workflow on threads. The main thread keeps the ready set: a node becomes ready
 * the moment its last parent finishes. Ready task nodes wait in a queue for room in the pool and
 * leave it in priority, then canonical, order; actor nodes go straight to their actor's thread.
 * On the first failure nothing new starts; the run rejects once everything in flight is back
 * and every actor thread has ended.
 */
export class ThreadRun {
  readonly #context: ThreadRunContext;
  readonly #store: ResultStore;
  readonly #actors: ActorSupervisor;
  readonly #remainingParents: Int32Array;
  readonly #ready: ReadyQueue;
  /** Batches in the pool plus actor operations under way. */
  #pending = 0;
  #batchesInPool = 0;
  #completed = 0;
  #failure: Error | undefined;
  #settle: { resolve: (results: readonly unknown[]) => void; reject: (error: Error) => void } | undefined;

  constructor(context: ThreadRunContext) {
    this.#context = context;
    const { plan } = context;
    this.#store = new ResultStore(plan);
    this.#actors = new ActorSupervisor(plan);
    this.#remainingParents = Int32Array.from(plan.parentIndexes, (parents) => parents.length);
    this.#ready = new ReadyQueue(context.priorities);
  }

  /** Runs every node; resolves to the results by plan index (leaves kept, others released). */
  execute(): Promise<readonly unknown[]> {
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      const { nodes } = this.#context.plan;
      for (let index = 0; index < nodes.length; index++) {
        if (this.#remainingParents[index] === 0) this.#becomeReady(index);
      }
      this.#pump();
    });
  }

  #becomeReady(index: number): void {
    if ((this.#context.plan.nodes[index] as Node).callable.kind === 'task') this.#ready.push(index);
    else this.#dispatchActorNode(index);
  }

  /** Sends ready task nodes to the pool while it has room. */
  #pump(): void {
    const { maxInFlight } = this.#context;
    while (this.#failure === undefined && this.#batchesInPool < maxInFlight && this.#ready.size > 0) {
      this.#dispatchBatch(this.#takeBatch(maxInFlight - this.#batchesInPool));
    }
    this.#settleIfDone();
  }

  /**
   * The next batch: the first ready node, then more while they are known to be quick, up to
   * the time budget and to a fair share of the ready nodes per free slot.
   */
  #takeBatch(freeSlots: number): number[] {
    const { sizer, plan } = this.#context;
    const first = this.#ready.shift() as number;
    const batch = [first];
    let expectedMs = sizer.estimate((plan.nodes[first] as Node).callable);
    if (expectedMs === undefined) return batch;
    const limit = Math.min(sizer.maxBatchSize, Math.ceil((this.#ready.size + 1) / freeSlots));
    while (batch.length < limit && this.#ready.size > 0) {
      const estimate = sizer.estimate((plan.nodes[this.#ready.peek() as number] as Node).callable);
      if (estimate === undefined || expectedMs + estimate > sizer.budgetMs) break;
      expectedMs += estimate;
      batch.push(this.#ready.shift() as number);
    }
    return batch;
  }

  #dispatchBatch(batch: readonly number[]): void {
    const jobs: NodeJob[] = [];
    const jobIndexes: number[] = [];
    const transferList = new Set<ArrayBuffer>();
    const plugins = new Map<RemotePluginSpec, number>();
    for (const index of batch) {
      try {
        jobs.push(this.#prepareTaskJob(index, transferList, plugins));
        jobIndexes.push(index);
      } catch (error) {
        this.#fail(index, error);
      }
    }
    if (jobs.length === 0) return;
    this.#pending++;
    this.#batchesInPool++;
    this.#context.pool
      .run({ jobs, plugins: [...plugins.keys()] }, [...transferList])
      .then(
        (result) => this.#onBatchDone(jobIndexes, result),
        (error: unknown) => this.#onBatchLost(jobIndexes, error),
      )
      .catch((error: unknown) => this.#onSchedulerBug(error));
  }

  #prepareTaskJob(
    index: number,
    transferList: Set<ArrayBuffer>,
    plugins: Map<RemotePluginSpec, number>,
  ): NodeJob {
    const node = this.#context.plan.nodes[index] as Node;
    const definition = node.callable as TaskDefinition;
    const { moduleUrl, key } = definition.location;
    if (moduleUrl === undefined) {
      throw new FunctionFuseError(
        `Task "${definition.baseName}" has no known module, so worker threads cannot load it: ` +
          'pass { module: import.meta.url } to task().',
      );
    }
    checkPlainArguments(node);
    const args = this.#store.argumentsFor(index, transferList);
    const job: NodeJob = { nodeName: node.name, moduleUrl, key, args };
    const plugin = this.#context.pluginCalls[index];
    if (plugin === undefined) return job;
    let spec = plugins.get(plugin.spec);
    if (spec === undefined) {
      spec = plugins.size;
      plugins.set(plugin.spec, spec);
    }
    return { ...job, plugin: { spec, payload: plugin.payload } };
  }

  #onBatchDone(jobIndexes: readonly number[], result: BatchResult): void {
    this.#pending--;
    this.#batchesInPool--;
    const { plan, sizer } = this.#context;
    result.outcomes.forEach((outcome, position) => {
      const index = jobIndexes[position] as number;
      sizer.record((plan.nodes[index] as Node).callable, outcome.durationMs);
      this.#applyOutcome(index, outcome);
    });
    this.#pump();
  }

  /** The pool rejected a whole batch: its worker died or the pool was closed. */
  #onBatchLost(jobIndexes: readonly number[], error: unknown): void {
    this.#pending--;
    this.#batchesInPool--;
    for (const index of jobIndexes) this.#fail(index, error);
    this.#pump();
  }

  #dispatchActorNode(index: number): void {
    if (this.#failure !== undefined) return;
    let operation: Promise<JobOutcome>;
    try {
      checkPlainArguments(this.#context.plan.nodes[index] as Node);
      const transferList = new Set<ArrayBuffer>();
      const args = this.#store.argumentsFor(index, transferList);
      operation = this.#actors.dispatch(index, args, [...transferList], this.#context.pluginCalls[index]);
    } catch (error) {
      this.#fail(index, error);
      return;
    }
    this.#pending++;
    operation
      .then(
        async (outcome) => {
          // An actor's object stays in its thread: its init node's value is only a snapshot
          // taken at the end, and only when run() returns it.
          this.#applyOutcome(
            index,
            outcome.ok && this.#isActorInit(index) ? { ...outcome, value: undefined } : outcome,
          );
          if (outcome.ok) await this.#afterActorNode(index);
        },
        (error: unknown) => this.#fail(index, error),
      )
      .catch((error: unknown) => this.#onSchedulerBug(error))
      .finally(() => {
        this.#pending--;
        this.#pump();
      });
  }

  async #afterActorNode(index: number): Promise<void> {
    const finished = await this.#actors.finished(index);
    if (finished?.snapshot === undefined) return;
    if (finished.snapshot.ok) this.#store.store(finished.initIndex, finished.snapshot.value);
    else this.#fail(finished.initIndex, deserializeThrown(finished.snapshot.error));
  }

  #isActorInit(index: number): boolean {
    return (this.#context.plan.nodes[index] as Node).callable.kind === 'actor-init';
  }

  #applyOutcome(index: number, outcome: JobOutcome): void {
    if (!outcome.ok) {
      this.#fail(index, deserializeThrown(outcome.error));
      return;
    }
    this.#completed++;
    this.#store.store(index, outcome.value);
    for (const child of this.#context.plan.childIndexes[index] as Int32Array) {
      if (--(this.#remainingParents[child] as number) === 0) this.#becomeReady(child);
    }
  }

  #fail(index: number, cause: unknown): void {
    if (this.#failure !== undefined) return;
    const node = this.#context.plan.nodes[index] as Node;
    this.#failure = new NodeExecutionError(node.name, cause);
  }

  /** A bug in the code above must settle the run, not leave it pending forever. */
  #onSchedulerBug(error: unknown): void {
    this.#failure ??= new InternalError(`ThreadWorkflow's scheduler failed: ${String(error)}`);
    this.#pending = 0;
    this.#settleIfDone();
  }

  #settleIfDone(): void {
    const settle = this.#settle;
    if (this.#pending > 0 || settle === undefined) return;
    const failure = this.#failure;
    if (failure === undefined && this.#completed < this.#context.plan.nodes.length) return;
    this.#settle = undefined;
    this.#actors.terminateAll().then(
      () => (failure === undefined ? settle.resolve(this.#store.results) : settle.reject(failure)),
      (error: unknown) =>
        settle.reject(failure ?? new InternalError(`could not end actor threads: ${String(error)}`)),
    );
  }
}

/** Refuses plain argument values that cannot reach a worker, naming the node and the spot. */
function checkPlainArguments(node: Node): void {
  node.args.forEach((arg, position) => {
    if (arg instanceof Ref || arg === null || (typeof arg !== 'object' && typeof arg !== 'function')) return;
    const { problem } = inspectValue(arg, false, (value) => value instanceof Ref);
    if (problem !== undefined) {
      throw new UncloneableValueError(
        `Argument ${position + 1} of node "${node.name}" cannot be sent to a worker thread: ` +
          `args[${position}]${problem.path} is ${problem.description}.`,
      );
    }
  });
}
