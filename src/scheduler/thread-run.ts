import { InternalError, NodeTimeoutError } from '../errors.js';
import { eventTime, type WorkflowEvents } from '../events/workflow-events.js';
import { timeoutError } from '../executor/deadline.js';
import type { Node } from '../graph/node.js';
import type { SealedRecord } from '../storage/sealed-record.js';
import type { BatchResult, RemotePluginCall } from '../threads/messages.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import type { TaskPool } from '../threads/task-pool.js';
import { workerFailure } from '../threads/worker-failure.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { type ActorNodeDone, ActorSupervisor } from './actor-supervisor.js';
import type { BatchSizer } from './batch-sizer.js';
import { checkPlainArguments, composeBatch, type PreparedJob, prepareTaskJob } from './prepared-job.js';
import { ReadyQueue } from './ready-queue.js';
import { ResultStore } from './result-store.js';
import { nodeFailure, type RunOutcomes } from './run-outcomes.js';
import { RunTimings } from './run-timings.js';
import type { StoredResults } from './stored-results.js';

/** What a run needs from its workflow. */
export interface ThreadRunContext {
  readonly plan: ExecutionPlan;
  readonly pool: TaskPool;
  readonly sizer: BatchSizer;
  readonly outcomes: RunOutcomes;
  /** Each node's options (priority, retries, timeout), by plan index. */
  readonly nodeOptions: readonly ResolvedNodeOptions[];
  /** Node priorities by plan index. */
  readonly priorities: Float64Array;
  /** How many batches may be in the pool at once. */
  readonly maxInFlight: number;
  /** Each node's plugin call (spec and payload), by plan index; prepared in canonical order. */
  readonly pluginCalls: readonly (RemotePluginCall | undefined)[];
  readonly signal: AbortSignal | undefined;
  readonly events: WorkflowEvents;
  /** How the run uses its storage, when it has one. */
  readonly stored: StoredResults | undefined;
}

/**
 * One run of a workflow on threads. The main thread keeps the ready set: a node becomes ready
 * the moment its last parent finishes. Ready task nodes wait in a queue for room in the pool and
 * leave it in priority, then canonical, order; actor nodes go straight to their actor's thread.
 *
 * Failures: a failed attempt is retried while the node's `retries` allow; then the node fails,
 * and RunOutcomes says whether the run stops (failFast) or goes on around it. A worker that
 * dies fails only its own node: quick nodes batched with it are sent again, one by one. The
 * run settles once nothing is in flight, after every actor thread has ended.
 */
export class ThreadRun {
  readonly #context: ThreadRunContext;
  readonly #store: ResultStore;
  readonly #actors: ActorSupervisor;
  readonly #outcomes: RunOutcomes;
  readonly #remainingParents: Int32Array;
  readonly #attempts: Uint16Array;
  readonly #ready: ReadyQueue;
  /** Batches in the pool, actor operations and retry waits under way. */
  #pending = 0;
  #batchesInPool = 0;
  /** Aborting one stops its batch's worker: on cancellation, every one is aborted. */
  readonly #batchControllers = new Set<AbortController>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #settle: { resolve: (results: readonly unknown[]) => void; reject: (error: Error) => void } | undefined;
  readonly #timings: RunTimings;

  constructor(context: ThreadRunContext) {
    this.#context = context;
    const { plan } = context;
    this.#store = new ResultStore(plan);
    this.#actors = new ActorSupervisor(plan);
    this.#outcomes = context.outcomes;
    this.#remainingParents = Int32Array.from(plan.parentIndexes, (parents) => parents.length);
    this.#attempts = new Uint16Array(plan.nodes.length);
    this.#ready = new ReadyQueue(context.priorities);
    this.#timings = new RunTimings(context.events, plan.nodes.length);
  }

  /** Runs every node; resolves to the results by plan index (leaves kept, others released). */
  execute(): Promise<readonly unknown[]> {
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      const { signal } = this.#context;
      if (signal?.aborted) this.#cancel(signal.reason);
      else signal?.addEventListener('abort', () => this.#cancel(signal.reason), { once: true });
      const { nodes } = this.#context.plan;
      for (let index = 0; index < nodes.length; index++) {
        if (this.#remainingParents[index] === 0) this.#becomeReady(index);
      }
      this.#pump();
    });
  }

  /**
   * Stops the run as its signal would (`ThreadWorkflow.close()` during `run()`): nothing new
   * starts, running nodes are stopped, and the run rejects with an AbortError caused by `reason`.
   */
  cancel(reason: unknown): void {
    this.#cancel(reason);
  }

  #becomeReady(index: number): void {
    if (this.#outcomes.stopped || this.#outcomes.isSkipped(index)) return;
    const node = this.#context.plan.nodes[index] as Node;
    const { stored } = this.#context;
    if (stored?.mayHold(node)) {
      this.#readStored(index, node, stored);
      return;
    }
    this.#queue(index, node);
  }

  #queue(index: number, node: Node): void {
    this.#timings.queued(index, node.name);
    if (node.callable.kind === 'task') this.#ready.push(index);
    else this.#dispatchActorNode(index);
  }

  /** Uses the node's stored result when there is a usable one, else queues the node to run. */
  #readStored(index: number, node: Node, stored: StoredResults): void {
    this.#track(
      stored.read(node),
      (lookup) => {
        if (this.#outcomes.stopped) return;
        if (lookup.found) this.#succeed(index, lookup.value, true);
        else this.#queue(index, node);
      },
      (error) => this.#outcomes.fail(index, nodeFailure(node.name, error)),
    );
  }

  /**
   * Follows an asynchronous step of the run (a storage call, an actor call): the run does not
   * settle while it is under way, and a bug in its handlers settles the run instead of hanging it.
   */
  #track<T>(
    operation: Promise<T>,
    onDone: (value: T) => void | Promise<void>,
    onError: (error: unknown) => void,
    onSettled?: () => void,
  ): void {
    this.#pending++;
    operation
      .then(onDone, onError)
      .catch((error: unknown) => this.#onSchedulerBug(error))
      .finally(() => {
        onSettled?.();
        this.#pending--;
        this.#pump();
      });
  }

  /**
   * Saves a computed result when the node is cached (writing the record its worker sealed, if
   * it did), then lets its children go: with `alwaysRead`, with the stored copy. Children wait
   * for the save: the record's raw parts are the result's own buffers, which a child may be
   * handed and may change.
   */
  #computed(index: number, value: unknown, sealed?: SealedRecord): void {
    const node = this.#context.plan.nodes[index] as Node;
    const { stored } = this.#context;
    if (stored === undefined || !stored.isCached(node)) {
      this.#succeed(index, value);
      return;
    }
    this.#track(
      sealed === undefined ? stored.save(node, value) : stored.saveSealed(node, value, sealed),
      (kept) => this.#succeed(index, kept),
      (error) => this.#outcomes.fail(index, nodeFailure(node.name, error)),
    );
  }

  /** Sends ready task nodes to the pool while it has room. */
  #pump(): void {
    const { maxInFlight } = this.#context;
    while (!this.#outcomes.stopped && this.#batchesInPool < maxInFlight && this.#ready.size > 0) {
      this.#sendNextBatch(maxInFlight - this.#batchesInPool);
    }
    this.#settleIfDone();
  }

  /**
   * Sends the first ready node, with more ready nodes while they are known to be quick, up to
   * the batch time budget and a fair share of the ready nodes per free slot. A node with a
   * timeout, or with large buffers to move, goes alone: stopping it must not stop others, and
   * only a lone node moves buffers (so a batch can be sent again after a crash).
   */
  #sendNextBatch(freeSlots: number): void {
    const { sizer, plan } = this.#context;
    const first = this.#prepare(this.#ready.shift() as number);
    if (first === undefined) return;
    let expectedMs = sizer.estimate((plan.nodes[first.index] as Node).callable);
    if (first.solo || expectedMs === undefined) {
      this.#send([first]);
      return;
    }
    const batch: PreparedJob[] = [first];
    const limit = Math.min(sizer.maxBatchSize, Math.ceil((this.#ready.size + 1) / freeSlots));
    while (batch.length < limit && this.#ready.size > 0) {
      const estimate = sizer.estimate((plan.nodes[this.#ready.peek() as number] as Node).callable);
      if (estimate === undefined || expectedMs + estimate > sizer.budgetMs) break;
      const next = this.#prepare(this.#ready.shift() as number);
      if (next === undefined) continue;
      if (next.solo) this.#send([next]);
      else {
        batch.push(next);
        expectedMs += estimate;
      }
    }
    this.#send(batch);
  }

  /** The job for node `index`, or undefined when preparing it failed (the node failed). */
  #prepare(index: number): PreparedJob | undefined {
    try {
      return prepareTaskJob(
        this.#context.plan.nodes[index] as Node,
        index,
        this.#store,
        this.#context.nodeOptions[index] as ResolvedNodeOptions,
        this.#context.pluginCalls[index],
        this.#context.stored?.sealRequestFor(this.#context.plan.nodes[index] as Node),
      );
    } catch (error) {
      this.#outcomes.fail(index, nodeFailure((this.#context.plan.nodes[index] as Node).name, error));
      return undefined;
    }
  }

  #send(batch: readonly PreparedJob[]): void {
    for (const prepared of batch) {
      this.#attempts[prepared.index] = (this.#attempts[prepared.index] as number) + 1;
      this.#timings.started(prepared.index, prepared.nodeName);
    }
    const { message, transferList, timeoutMs, bytesMoved } = composeBatch(batch, this.#context.plan);
    // A controller only when the batch may have to be stopped: it costs on every dispatch.
    const controller =
      timeoutMs === undefined && this.#context.signal === undefined ? undefined : new AbortController();
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => controller?.abort(timeoutError((batch[0] as PreparedJob).nodeName, timeoutMs)),
            timeoutMs,
          );
    this.#pending++;
    this.#batchesInPool++;
    if (controller !== undefined) this.#batchControllers.add(controller);
    const done = (): void => {
      clearTimeout(timer);
      if (controller !== undefined) this.#batchControllers.delete(controller);
      this.#pending--;
      this.#batchesInPool--;
      this.#pump();
    };
    this.#context.pool.run(message, transferList, controller?.signal).then(
      (result) => this.#guarded(() => this.#onBatchDone(batch, result, bytesMoved), done),
      (error: unknown) => this.#guarded(() => this.#onBatchLost(batch, controller?.signal, error), done),
    );
  }

  /** Runs a completion handler; a bug in it settles the run instead of leaving it pending. */
  #guarded(handler: () => void, then: () => void): void {
    try {
      handler();
    } catch (error) {
      this.#onSchedulerBug(error);
    }
    then();
  }

  #onBatchDone(batch: readonly PreparedJob[], result: BatchResult, bytesMoved: number): void {
    const { sizer, plan } = this.#context;
    result.outcomes.forEach((outcome, position) => {
      const prepared = batch[position] as PreparedJob;
      sizer.record((plan.nodes[prepared.index] as Node).callable, outcome.durationMs);
      if (outcome.ok) {
        this.#timings.finished(prepared.index, prepared.nodeName, outcome, bytesMoved);
        this.#computed(prepared.index, outcome.value, outcome.sealed);
      } else {
        this.#attemptFailed(prepared, deserializeThrown(outcome.error));
      }
    });
  }

  /** The pool rejected a batch: cancelled, timed out, or its worker died. */
  #onBatchLost(batch: readonly PreparedJob[], signal: AbortSignal | undefined, error: unknown): void {
    if (this.#outcomes.stopped && signal?.aborted) return; // cancelled: the run reports it
    const first = batch[0] as PreparedJob;
    if (signal?.reason instanceof NodeTimeoutError) {
      this.#attemptFailed(first, signal.reason);
      return;
    }
    if (batch.length > 1) {
      // Which job killed the worker is unknown: each goes again alone, not counted as a try.
      for (const prepared of batch) {
        this.#attempts[prepared.index] = (this.#attempts[prepared.index] as number) - 1;
        this.#send([prepared]);
      }
      return;
    }
    this.#attemptFailed(first, workerFailure(first.nodeName, error));
  }

  /** Retries the node if its options allow (and its arguments were kept), else fails it. */
  #attemptFailed(prepared: PreparedJob, cause: unknown): void {
    const attempts = this.#attempts[prepared.index] as number;
    if (attempts > prepared.retries || this.#outcomes.stopped) {
      this.#outcomes.fail(prepared.index, nodeFailure(prepared.nodeName, cause, attempts));
      return;
    }
    this.#context.events.emit('node-retried', {
      node: prepared.nodeName,
      index: prepared.index,
      time: eventTime(),
      attempt: attempts + 1,
      error: cause,
    });
    this.#pending++;
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#pending--;
      if (!this.#outcomes.stopped) this.#send([prepared]);
      this.#pump();
    }, prepared.retryDelayMs);
    this.#retryTimers.add(timer);
  }

  #dispatchActorNode(index: number): void {
    const node = this.#context.plan.nodes[index] as Node;
    let operation: Promise<ActorNodeDone>;
    try {
      checkPlainArguments(node);
      const transferList = new Set<ArrayBuffer>();
      const args = this.#store.argumentsFor(index, transferList);
      const { timeout } = this.#context.nodeOptions[index] as ResolvedNodeOptions;
      operation = this.#actors.run(index, args, [...transferList], this.#context.pluginCalls[index], timeout);
    } catch (error) {
      this.#outcomes.fail(index, nodeFailure(node.name, error));
      return;
    }
    this.#timings.started(index, node.name);
    this.#track(
      operation,
      (done) => {
        this.#timings.finished(index, node.name, done.timing, 0);
        this.#succeed(index, done.value);
        if (done.snapshot !== undefined) this.#store.store(done.snapshot.initIndex, done.snapshot.value);
      },
      (error) => {
        if (!this.#outcomes.stopped) this.#outcomes.fail(index, nodeFailure(node.name, error));
      },
    );
  }

  #succeed(index: number, value: unknown, cached = false): void {
    this.#outcomes.complete(index, cached);
    this.#store.store(index, value);
    for (const child of this.#context.plan.childIndexes[index] as Int32Array) {
      if (--(this.#remainingParents[child] as number) === 0) this.#becomeReady(child);
    }
  }

  /** Cancellation: nothing new starts; running batches and actors are stopped. */
  #cancel(reason: unknown): void {
    this.#outcomes.abort(reason);
    for (const controller of this.#batchControllers) controller.abort(reason);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#pending -= this.#retryTimers.size;
    this.#retryTimers.clear();
    void this.#actors.terminateAll(reason);
    this.#settleIfDone();
  }

  /** A bug in the code above must settle the run (with that bug), not leave it pending forever. */
  #onSchedulerBug(error: unknown): void {
    this.#outcomes.breakDown(new InternalError(`ThreadWorkflow's scheduler failed: ${String(error)}`));
    this.#settleIfDone();
  }

  #settleIfDone(): void {
    const settle = this.#settle;
    if (settle === undefined || this.#pending > 0) return;
    if (!this.#outcomes.stopped && !this.#outcomes.allSettled) return;
    this.#settle = undefined;
    const failure = this.#outcomes.finalError();
    this.#actors.terminateAll(failure).then(
      () => (failure === undefined ? settle.resolve(this.#store.results) : settle.reject(failure)),
      (error: unknown) =>
        settle.reject(failure ?? new InternalError(`could not end actor threads: ${String(error)}`)),
    );
  }
}
