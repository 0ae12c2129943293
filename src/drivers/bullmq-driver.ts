/**
 * Drives a run on cluster workers through BullMQ (BullMQWorkflow). The run core keeps the
 * graph; BullMQ only carries ready work: ready task nodes leave the core's queue in its order,
 * quick ones batched into one job (as ThreadWorkflow batches them into one message), and each
 * job's outcome comes back through the queue's events. Results stay in Redis under the run's
 * keys (cluster-results.ts); the coordinator reads only leaves and what it saves.
 *
 * Delivery is at least once: a job whose worker died is taken by another once its lock lapses,
 * and may run twice. The first outcome of a node's current job is taken, later ones ignored.
 * Storage is read and written here, in the coordinator, as on the other backends.
 */
import type { ClusterBatch, ClusterJobResult, ClusterOutcome } from '../cluster/cluster-messages.js';
import type { ModuleReferrer } from '../cluster/module-refs.js';
import { watchConnection } from '../cluster/redis-connection.js';
import { cancelChannel, jobId, newRunId, runOfJob } from '../cluster/run-keys.js';
import { fromBase64, toBase64 } from '../cluster/wire-format.js';
import { hasWorkers } from '../cluster/worker-presence.js';
import { FunctionFuseError, InternalError, RedisConnectionError, WorkerDiedError } from '../errors.js';
import { timeoutError } from '../executor/deadline.js';
import type { Node } from '../graph/node.js';
import { NodeState } from '../scheduler/node-state.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { RemotePluginCall } from '../threads/messages.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import { workerFailure } from '../threads/worker-failure.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { BatchSizer } from './batch-sizer.js';
import { ClusterActorCalls } from './cluster-actor-calls.js';
import type { ClusterConnections } from './cluster-connections.js';
import { ClusterJobs, type ClusterPreparedJob } from './cluster-jobs.js';
import { ClusterResults } from './cluster-results.js';
import { DriverLoop, type RunSettlement } from './driver-loop.js';
import { sendNextBatch } from './ready-batches.js';
import { ResultStore } from './result-store.js';
import { readStoredStep, saveStep } from './storage-steps.js';

export interface BullMQDriverOptions {
  readonly connections: ClusterConnections;
  readonly referrer: ModuleReferrer;
  readonly sizer: BatchSizer;
  /** How many jobs may be queued or running at once. */
  readonly maxInFlight: number;
  readonly pluginCalls: readonly (RemotePluginCall | undefined)[];
  readonly resultTtlMs: number;
  /** How long Redis may be unreachable during a run before the run fails, in ms. */
  readonly redisLostMs: number;
  /** How long jobs may wait with no live worker on the queue before the run fails, in ms. */
  readonly workerWaitMs: number;
  /** The server's URL, for messages. */
  readonly url: string;
}

export interface ClusterRunHandle {
  readonly results: Promise<readonly unknown[]>;
  cancel(reason: unknown): void;
}

/** How long a stopped run waits for the workers holding its jobs to stop them, in ms. */
const stopWaitMs = 5000;

/** How long the end of a run waits for Redis to delete its keys, in ms. */
const cleanupWaitMs = 5000;

export function startOnCluster(run: PreparedRun, options: BullMQDriverOptions): ClusterRunHandle {
  const driver = new ClusterRun(run, options);
  return { results: driver.execute(), cancel: (reason) => driver.cancel(reason) };
}

interface InFlightJob {
  readonly batch: readonly ClusterPreparedJob[];
}

class ClusterRun extends DriverLoop {
  readonly #options: BullMQDriverOptions;
  readonly #runId = newRunId();
  readonly #store: ResultStore;
  readonly #jobs: ClusterJobs;
  readonly #results: ClusterResults;
  readonly #actors: ClusterActorCalls;
  #jobCount = 0;
  /** The last addBulk under way: a stop removes waiting jobs once it is done. */
  #adding: Promise<unknown> = Promise.resolve();
  readonly #inFlight = new Map<string, InFlightJob>();
  /** The job that now carries each running node: outcomes of any other job for it are stale. */
  readonly #currentJob = new Map<number, string>();
  /** Nodes whose batch lost its worker: each goes alone from now on. */
  readonly #alone = new Set<number>();
  /** Leaves' values on their way from Redis; awaited before the run ends. */
  readonly #fetches: Promise<void>[] = [];
  /** Consumers still to finish, per node: its result is deleted from Redis at 0. */
  readonly #remainingConsumers: Int32Array;
  #detach: (() => void) | undefined;
  /** Why the run cannot go on whatever its nodes do: Redis gone, no worker. Ends the run with it. */
  #infrastructureError: Error | undefined;
  #fetchError: unknown;
  readonly #stopWatching: { resolve: () => void; promise: Promise<void> } = withResolvers();

  constructor(run: PreparedRun, options: BullMQDriverOptions) {
    super(run, "BullMQWorkflow's driver");
    this.#options = options;
    this.#store = new ResultStore(run.plan, true);
    this.#jobs = new ClusterJobs(run.plan, options.referrer);
    this.#results = new ClusterResults(options.connections.redis, this.#runId, options.resultTtlMs);
    this.#actors = new ClusterActorCalls(
      run.plan,
      this.#runId,
      options.connections,
      this.#jobs,
      this.#results,
    );
    this.#remainingConsumers = run.plan.consumerCounts();
  }

  /** The run's id: its jobs' ids and its Redis keys start with it. */
  get runId(): string {
    return this.#runId;
  }

  async execute(): Promise<readonly unknown[]> {
    await this.#results.begin();
    this.#detach = this.#listen();
    const stopLossWatch = watchConnection(
      this.#options.connections.redis,
      this.#options.redisLostMs,
      (cause) =>
        this.#failInfrastructure(
          new RedisConnectionError(
            `Lost Redis at ${this.#options.url} for more than ${this.#options.redisLostMs} ms during a run of ` +
              `workflow "${this.run.workflowName}": ${cause instanceof Error ? cause.message : String(cause)}`,
            { cause },
          ),
        ),
    );
    const presence = this.#watchWorkers();
    void this.#stopWatching.promise.then(() => {
      stopLossWatch();
      clearInterval(presence);
    });
    return this.startRun();
  }

  /** Ends the run with `error`: in-flight nodes are stopped, and run() rejects with it. */
  #failInfrastructure(error: Error): void {
    if (this.#infrastructureError !== undefined) return;
    this.#infrastructureError = error;
    this.#stopWatching.resolve();
    this.cancel(error);
  }

  /**
   * Checks every second, while jobs are out, that some worker lives on the queue; with none for
   * workerWaitMs, the run fails rather than wait for ever.
   */
  #watchWorkers(): NodeJS.Timeout {
    const { redis, queueName } = this.#options.connections;
    const { workerWaitMs, url } = this.#options;
    let alone: number | undefined;
    let checking = false;
    const timer = setInterval(() => {
      if (this.#actors.waiting) void this.#actors.checkOwners().catch(() => undefined);
      if (this.#inFlight.size === 0 || checking) {
        alone = undefined;
        return;
      }
      checking = true;
      hasWorkers(redis, queueName)
        .then((present) => {
          if (present) alone = undefined;
          else if (alone === undefined) alone = Date.now();
          else if (Date.now() - alone >= workerWaitMs) {
            this.#failInfrastructure(
              new FunctionFuseError(
                `No functionfuse worker took the jobs of workflow "${this.run.workflowName}" on queue "${queueName}" at ` +
                  `${url} for ${workerWaitMs} ms: start one on each machine with \`npx functionfuse worker --connection ` +
                  `${url} --queue ${queueName}\`.`,
              ),
            );
          }
        })
        .catch(() => undefined)
        .finally(() => {
          checking = false;
        });
    }, 1000);
    timer.unref();
    return timer;
  }

  /** Takes the outcomes of this run's jobs from the queue's events. */
  #listen(): () => void {
    const { events } = this.#options.connections;
    const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
      if (runOfJob(id) !== this.#runId || this.#actors.completed(id, returnvalue as ClusterJobResult)) return;
      this.guarded(() => this.#onJobCompleted(id, returnvalue as ClusterJobResult));
    };
    const onFailed = ({ jobId: id, failedReason }: { jobId: string; failedReason: string }): void => {
      if (runOfJob(id) !== this.#runId || this.#actors.failed(id, failedReason)) return;
      this.guarded(() => this.#onJobFailed(id, failedReason));
    };
    events.on('completed', onCompleted);
    events.on('failed', onFailed);
    return () => {
      events.off('completed', onCompleted);
      events.off('failed', onFailed);
    };
  }

  protected override stopRunning(): void {
    // Reported after this instruction's turn: the core is still handling the event that stopped it.
    setImmediate(() => this.guarded(() => this.#stopInFlight()));
  }

  /** Sends ready task nodes while fewer than maxInFlight jobs are out, in one round trip. */
  protected override pump(): void {
    const { core, plan } = this.run;
    const { maxInFlight, sizer } = this.#options;
    const outgoing: (readonly ClusterPreparedJob[])[] = [];
    while (this.#inFlight.size + outgoing.length < maxInFlight && core.readyCount > 0) {
      sendNextBatch(
        core,
        plan,
        sizer,
        maxInFlight - this.#inFlight.size - outgoing.length,
        (index) => this.#prepare(index),
        (batch) => outgoing.push(batch),
      );
    }
    if (outgoing.length > 0) this.#send(outgoing);
  }

  #prepare(index: number): ClusterPreparedJob | undefined {
    try {
      return this.#jobs.prepare(
        index,
        this.run.nodeOptions[index] as ResolvedNodeOptions,
        this.#options.pluginCalls[index],
        this.#alone.has(index),
      );
    } catch (error) {
      this.tell({ kind: 'refused', index, error });
      return undefined;
    }
  }

  #send(batches: readonly (readonly ClusterPreparedJob[])[]): void {
    const jobs = batches.map((batch) => {
      const id = jobId(this.#runId, ++this.#jobCount);
      this.#inFlight.set(id, { batch });
      for (const { index } of batch) {
        this.#currentJob.set(index, id);
        this.#results.expect(index);
      }
      const payload: ClusterBatch = this.#jobs.compose(this.#runId, batch);
      return {
        name: 'nodes',
        data: { runId: this.#runId, batch: toBase64(payload) },
        opts: { jobId: id, attempts: 1, removeOnComplete: true, removeOnFail: true },
      };
    });
    this.#adding = this.#options.connections.queue
      .addBulk(jobs)
      .catch((error: unknown) => this.breakDown(error));
  }

  #onJobCompleted(id: string, result: ClusterJobResult): void {
    const job = this.#inFlight.get(id);
    if (job === undefined) return; // a redelivered job that finished again, or one already stopped
    this.#inFlight.delete(id);
    const outcomes = fromBase64<ClusterOutcome[]>(result.outcomes);
    job.batch.forEach((prepared, position) => {
      const { index } = prepared;
      if (this.#currentJob.get(index) !== id) return;
      this.#currentJob.delete(index);
      this.#onOutcome(prepared, outcomes[position] as ClusterOutcome, job.batch.length, result.worker);
    });
  }

  #onOutcome(prepared: ClusterPreparedJob, outcome: ClusterOutcome, batchSize: number, worker: string): void {
    const { index, nodeName } = prepared;
    const { plan, core } = this.run;
    const node = plan.nodes[index] as Node;
    switch (outcome.kind) {
      case 'ok': {
        this.#options.sizer.record(node.callable, outcome.durationMs);
        this.#alone.delete(index);
        if (plan.isLeaf[index] === 1) this.#fetchLeaf(index, nodeName);
        this.#consumed(index);
        const { startedAt, durationMs, threadId, startup } = outcome;
        const timing = {
          startedAt,
          durationMs,
          threadId,
          worker,
          ...(startup === undefined ? {} : { startup }),
        };
        this.tell({ kind: 'attempt-succeeded', index, timing });
        return;
      }
      case 'failed':
        this.tell({ kind: 'attempt-failed', index, error: deserializeThrown(outcome.error) });
        return;
      case 'timed-out':
        this.tell({ kind: 'attempt-failed', index, error: timeoutError(nodeName, outcome.timeoutMs) });
        return;
      case 'lost':
        // Stopping a run stops its threads: that is not a lost worker.
        if (core.stopped) this.tell({ kind: 'attempt-stopped', index });
        else this.#workerLost(prepared, batchSize, workerFailure(nodeName, deserializeThrown(outcome.error)));
        return;
      case 'stopped':
        // The worker found the run over: only this coordinator's cancellation ends it.
        if (core.stopped) this.tell({ kind: 'attempt-stopped', index });
        else this.#workerLost(prepared, 2, undefined);
        return;
    }
  }

  /** BullMQ failed the job itself: its worker stalled more often than BullMQ allows (it died). */
  #onJobFailed(id: string, reason: string): void {
    const job = this.#inFlight.get(id);
    if (job === undefined) return;
    this.#inFlight.delete(id);
    for (const prepared of job.batch) {
      if (this.#currentJob.get(prepared.index) !== id) continue;
      this.#currentJob.delete(prepared.index);
      const error = new WorkerDiedError(
        `The cluster worker running node "${prepared.nodeName}" stopped before it finished: ${reason}`,
      );
      this.#workerLost(prepared, job.batch.length, error);
    }
  }

  /** Alone, the node failed with `error`; in a batch, which node killed the worker is unknown: it goes again alone. */
  #workerLost(prepared: ClusterPreparedJob, batchSize: number, error: Error | undefined): void {
    if (batchSize > 1 || error === undefined) {
      this.#alone.add(prepared.index);
      this.tell({ kind: 'worker-lost', index: prepared.index });
      return;
    }
    this.tell({ kind: 'attempt-failed', index: prepared.index, error });
  }

  /** Node `index` ran: parents it was the last consumer of leave Redis (leaves stay until the end). */
  #consumed(index: number): void {
    const { plan } = this.run;
    const released: number[] = [];
    for (const parent of plan.parentIndexes[index] as Int32Array) {
      if (--(this.#remainingConsumers[parent] as number) === 0 && plan.isLeaf[parent] === 0)
        released.push(parent);
    }
    this.#results.release(released);
  }

  #fetchLeaf(index: number, nodeName: string): void {
    this.#fetches.push(
      this.#results.fetch(index, nodeName).then(
        (value) => this.#store.store(index, value),
        (error: unknown) => {
          this.#fetchError ??= error;
        },
      ),
    );
  }

  /** Every job still out is stopped: its workers hear it, its waiting jobs are removed. */
  #stopInFlight(): void {
    const { redis, queue, queueName } = this.#options.connections;
    this.#results.over();
    void redis.publish(cancelChannel(queueName), this.#runId).catch(() => 0);
    this.#actors.stopAll(this.run.core.finalError());
    // With Redis gone nothing can be removed or heard: every job is stopped as it stands.
    if (this.#infrastructureError instanceof RedisConnectionError) {
      for (const id of [...this.#inFlight.keys()]) this.#jobStopped(id);
      return;
    }
    // Jobs still being added are removed once they are in the queue.
    void this.#adding.finally(() => this.#removeWaiting(queue));
    // A worker that died holding a job never answers: it is stopped here after a while.
    setTimeout(
      () =>
        this.guarded(() => {
          for (const id of [...this.#inFlight.keys()]) this.#jobStopped(id);
        }),
      stopWaitMs,
    ).unref();
  }

  #removeWaiting(queue: ClusterConnections['queue']): void {
    for (const id of this.#inFlight.keys()) {
      // A waiting job is removed; one a worker holds cannot be, and is stopped there (the cancel
      // message above): its outcome then comes back as any other, and its keys go with it.
      queue.remove(id).then(
        (removed) => {
          if (removed === 1) this.guarded(() => this.#jobStopped(id));
        },
        () => undefined,
      );
    }
  }

  /** Job `id` will not report: its nodes are stopped. */
  #jobStopped(id: string): void {
    const job = this.#inFlight.get(id);
    if (job === undefined) return;
    this.#inFlight.delete(id);
    for (const { index } of job.batch) {
      if (this.#currentJob.get(index) !== id) continue;
      this.#currentJob.delete(index);
      this.tell({ kind: 'attempt-stopped', index });
    }
  }

  protected override callActor(index: number): void {
    const { nodeOptions } = this.run;
    this.#actors.run(index, nodeOptions[index] as ResolvedNodeOptions, this.#options.pluginCalls[index]).then(
      (done) =>
        this.guarded(() => {
          for (const [at, value] of done.values) this.#store.store(at, value);
          this.#consumed(index);
          this.tell({ kind: 'attempt-succeeded', index, timing: done.timing });
        }),
      (error: unknown) =>
        this.guarded(() => {
          if (this.run.core.stopped && this.run.core.stateOf(index) === NodeState.running)
            this.tell({ kind: 'attempt-stopped', index });
          else this.tell({ kind: 'attempt-failed', index, error });
        }),
    );
  }

  protected override readStored(index: number): void {
    const { stored, plan } = this.run;
    const node = plan.nodes[index] as Node;
    readStoredStep(stored, node, index, this.#store).then(async (event) => {
      // Children on workers read it from Redis.
      if (event.kind === 'stored-found' && (plan.childIndexes[index] as Int32Array).length > 0) {
        try {
          await this.#results.upload(index, this.#store.valueOf(index));
        } catch (error) {
          this.guarded(() => this.tell({ kind: 'stored-failed', index, error }));
          return;
        }
      }
      this.guarded(() => this.tell(event));
    });
  }

  /** Saves a computed result: read back from Redis, then written to the storage here. */
  protected override save(index: number): void {
    const { stored, plan } = this.run;
    const node = plan.nodes[index] as Node;
    this.#results
      .fetch(index, node.name)
      .then((value) => saveStep(stored, node, index, value, undefined, this.#store))
      .then(
        (event) => this.guarded(() => this.tell(event)),
        (error: unknown) => this.guarded(() => this.tell({ kind: 'save-failed', index, error })),
      );
  }

  protected override finish(settle: RunSettlement): void {
    void this.#end(settle);
  }

  async #end(settle: RunSettlement): Promise<void> {
    this.#detach?.();
    // A Redis lost while leaves are read must not hold the end up.
    await Promise.race([Promise.all(this.#fetches), this.#stopWatching.promise]);
    this.#stopWatching.resolve();
    // With Redis lost, nothing can be deleted: the keys' TTLs remain the backstop.
    const waitMs = this.#infrastructureError instanceof RedisConnectionError ? 0 : cleanupWaitMs;
    await Promise.race([this.#actors.end(), delay(waitMs)]);
    await this.#results.end(waitMs);
    const failure = this.#infrastructureError ?? this.run.core.finalError() ?? fetchFailure(this.#fetchError);
    if (failure === undefined) settle.resolve(this.#store.results);
    else settle.reject(failure);
  }
}

function fetchFailure(error: unknown): Error | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error
    ? error
    : new InternalError(`could not read a leaf's result: ${String(error)}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function withResolvers(): { resolve: () => void; promise: Promise<void> } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { resolve, promise };
}
