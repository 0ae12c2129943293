import { FunctionFuseError, InternalError, NodeExecutionError, UncloneableValueError } from '../errors.js';
import { resolveArguments } from '../graph/arguments.js';
import type { TaskDefinition } from '../graph/callable.js';
import { type Node, Ref } from '../graph/node.js';
import { inspectValue } from '../threads/inspect-value.js';
import type { BatchResult, NodeJob, RemotePluginCall } from '../threads/messages.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import type { TaskPool } from '../threads/task-pool.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { BatchSizer } from './batch-sizer.js';
import { ReadyQueue } from './ready-queue.js';

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
 * One run of a workflow on the thread pool. The main thread keeps the ready set: a node is
 * queued the moment its last parent finishes, and queued nodes are dispatched in priority,
 * then canonical, order whenever the pool has room.
 *
 * Ownership of results: a result lives in `results` until its last consumer has been
 * dispatched. That consumer receives its typed-array buffers by transfer (moved, not copied),
 * earlier consumers receive copies, so no consumer can see another's mutations. Leaves are
 * never moved: run() returns them.
 */
export class ThreadRun {
  readonly #context: ThreadRunContext;
  readonly #results: unknown[];
  readonly #remainingParents: Int32Array;
  readonly #remainingConsumers: Int32Array;
  readonly #ready: ReadyQueue;
  #inFlight = 0;
  #completed = 0;
  #failure: Error | undefined;
  #settle: { resolve: (results: unknown[]) => void; reject: (error: Error) => void } | undefined;

  constructor(context: ThreadRunContext) {
    this.#context = context;
    const { plan } = context;
    this.#results = new Array<unknown>(plan.nodes.length);
    this.#remainingParents = Int32Array.from(plan.parentIndexes, (parents) => parents.length);
    this.#remainingConsumers = plan.consumerCounts();
    this.#ready = new ReadyQueue(context.priorities);
  }

  /** Runs every node; resolves to the results by plan index (leaves kept, others released). */
  execute(): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      const { nodes } = this.#context.plan;
      for (let index = 0; index < nodes.length; index++) {
        if (this.#remainingParents[index] === 0) this.#ready.push(index);
      }
      this.#pump();
    });
  }

  /** Dispatches ready nodes while the pool has room. */
  #pump(): void {
    const { maxInFlight } = this.#context;
    while (this.#failure === undefined && this.#inFlight < maxInFlight && this.#ready.size > 0) {
      this.#dispatch(this.#takeBatch(maxInFlight - this.#inFlight));
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
    const fairShare = Math.ceil((this.#ready.size + 1) / freeSlots);
    const limit = Math.min(sizer.maxBatchSize, fairShare);
    let expectedMs = sizer.estimate((plan.nodes[first] as Node).callable);
    if (expectedMs === undefined) return batch;
    while (batch.length < limit && this.#ready.size > 0) {
      const next = this.#ready.peek() as number;
      const estimate = sizer.estimate((plan.nodes[next] as Node).callable);
      if (estimate === undefined || expectedMs + estimate > sizer.budgetMs) break;
      expectedMs += estimate;
      batch.push(this.#ready.shift() as number);
    }
    return batch;
  }

  #dispatch(batch: readonly number[]): void {
    const jobs: NodeJob[] = [];
    const jobIndexes: number[] = [];
    const transferList = new Set<ArrayBuffer>();
    for (const index of batch) {
      try {
        jobs.push(this.#prepareJob(index, transferList));
        jobIndexes.push(index);
      } catch (error) {
        this.#fail(index, error);
      }
    }
    if (jobs.length === 0) return;
    this.#inFlight++;
    this.#context.pool
      .run({ jobs }, [...transferList])
      .then(
        (result) => this.#onBatchDone(jobIndexes, result),
        (error: unknown) => this.#onBatchLost(jobIndexes, error),
      )
      .catch((error: unknown) => {
        // A bug in the code above must settle the run, not leave it pending forever.
        this.#failure ??= new InternalError(`ThreadWorkflow's scheduler failed: ${String(error)}`);
        this.#inFlight = 0;
        this.#settleIfDone();
      });
  }

  /**
   * Resolves a node's arguments and decides which buffers move with it: those of parents for
   * which this node is the last consumer. Then releases those parents' results.
   */
  #prepareJob(index: number, transferList: Set<ArrayBuffer>): NodeJob {
    const { plan } = this.#context;
    const node = plan.nodes[index] as Node;
    const definition = node.callable as TaskDefinition;
    const { moduleUrl, key } = definition.location;
    if (moduleUrl === undefined) {
      throw new FunctionFuseError(
        `Task "${definition.baseName}" has no known module, so worker threads cannot load it: ` +
          'pass { module: import.meta.url } to task().',
      );
    }
    checkPlainArguments(node);
    const parents = plan.parentIndexes[index] as Int32Array;
    const movedResults: unknown[] = [];
    const args = resolveArguments(node, (parentNode) => {
      const parent = plan.indexOf.get(parentNode) as number;
      const value = this.#results[parent];
      if (this.#remainingConsumers[parent] === 1 && plan.isLeaf[parent] === 0) movedResults.push(value);
      return value;
    });
    for (const value of movedResults) {
      for (const buffer of inspectValue(value, true).transferables) transferList.add(buffer);
    }
    for (const parent of parents) {
      if (--(this.#remainingConsumers[parent] as number) === 0 && plan.isLeaf[parent] === 0) {
        this.#results[parent] = undefined;
      }
    }
    const plugin = this.#context.pluginCalls[index];
    return plugin === undefined ? { nodeName: node.name, moduleUrl, key, args } : { nodeName: node.name, moduleUrl, key, args, plugin };
  }

  #onBatchDone(jobIndexes: readonly number[], result: BatchResult): void {
    this.#inFlight--;
    const { plan, sizer } = this.#context;
    result.outcomes.forEach((outcome, position) => {
      const index = jobIndexes[position] as number;
      sizer.record((plan.nodes[index] as Node).callable, outcome.durationMs);
      if (outcome.ok) this.#complete(index, outcome.value);
      else this.#fail(index, deserializeThrown(outcome.error));
    });
    this.#pump();
  }

  /** The pool rejected a whole batch: its worker died or the pool was closed. */
  #onBatchLost(jobIndexes: readonly number[], error: unknown): void {
    this.#inFlight--;
    for (const index of jobIndexes) this.#fail(index, error);
    this.#pump();
  }

  #complete(index: number, value: unknown): void {
    const { plan } = this.#context;
    this.#completed++;
    // A result nobody consumes and run() does not return is dropped at once.
    if ((plan.childIndexes[index] as Int32Array).length > 0 || plan.isLeaf[index] === 1) {
      this.#results[index] = value;
    }
    for (const child of plan.childIndexes[index] as Int32Array) {
      if (--(this.#remainingParents[child] as number) === 0) this.#ready.push(child);
    }
  }

  #fail(index: number, cause: unknown): void {
    if (this.#failure !== undefined) return;
    const node = this.#context.plan.nodes[index] as Node;
    this.#failure = new NodeExecutionError(node.name, cause);
  }

  #settleIfDone(): void {
    if (this.#inFlight > 0 || this.#settle === undefined) return;
    if (this.#failure !== undefined) {
      this.#settle.reject(this.#failure);
      this.#settle = undefined;
    } else if (this.#completed === this.#context.plan.nodes.length) {
      this.#settle.resolve(this.#results);
      this.#settle = undefined;
    }
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
