/**
 * Drives a run on cluster workers through BullMQ (BullMQWorkflow). The run core keeps the
 * graph; BullMQ only carries ready work: ready task nodes leave the core's queue in its order,
 * quick ones batched into one job (as ThreadWorkflow batches them into one message), and each
 * job's outcome comes back through the queue's events. Results stay in Redis under the run's
 * keys (cluster-results.ts); the coordinator reads only leaves and what it saves.
 *
 * Delivery is at least once: a job whose worker died is taken by another once its lock lapses,
 * and may run twice. The first outcome of a node's current job is taken, later ones ignored:
 * what comes back of a job becomes run events in ClusterJobOutcomes (cluster-job-outcomes.ts).
 * Storage is read and written here, in the coordinator, as on the other backends. How a run
 * stops and ends (its workers told, its waiting jobs removed, its keys deleted, each bounded in
 * time, and a failed Redis or no worker ending it whatever its nodes do) is ClusterRunEnd's
 * (cluster-run-end.ts).
 */
import type { ClusterJobResult } from '../cluster/cluster-messages.js';
import type { ModuleReferrer } from '../cluster/module-refs.js';
import { newRunId, runOfJob } from '../cluster/run-keys.js';
import { NodeState } from '../scheduler/node-state.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { RemotePluginCall } from '../threads/messages.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { BatchSizer } from './batch-sizer.js';
import { ClusterActorCalls } from './cluster-actor-calls.js';
import type { ClusterConnections } from './cluster-connections.js';
import { ClusterJobsInFlight } from './cluster-in-flight.js';
import { ClusterJobOutcomes } from './cluster-job-outcomes.js';
import { ClusterJobs, type ClusterPreparedJob } from './cluster-jobs.js';
import { ClusterResultFlow } from './cluster-result-flow.js';
import { ClusterResults } from './cluster-results.js';
import { ClusterRunEnd } from './cluster-run-end.js';
import { watchCluster } from './cluster-watch.js';
import { DriverLoop, type RunSettlement } from './driver-loop.js';
import { sendNextBatch } from './ready-batches.js';
import { ResultStore } from './result-store.js';

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

export function startOnCluster(run: PreparedRun, options: BullMQDriverOptions): ClusterRunHandle {
  const driver = new ClusterRun(run, options);
  return { results: driver.execute(), cancel: (reason) => driver.cancel(reason) };
}

class ClusterRun extends DriverLoop {
  readonly #options: BullMQDriverOptions;
  readonly #runId = newRunId();
  readonly #store: ResultStore;
  readonly #jobs: ClusterJobs;
  readonly #inFlight: ClusterJobsInFlight;
  readonly #results: ClusterResults;
  readonly #actors: ClusterActorCalls;
  readonly #resultFlow: ClusterResultFlow;
  readonly #outcomes: ClusterJobOutcomes;
  readonly #runEnd: ClusterRunEnd;
  #detach: (() => void) | undefined;

  constructor(run: PreparedRun, options: BullMQDriverOptions) {
    super(run, "BullMQWorkflow's driver");
    this.#options = options;
    this.#store = new ResultStore(run.plan, true);
    this.#jobs = new ClusterJobs(run.plan, options.referrer);
    this.#inFlight = new ClusterJobsInFlight(this.#runId, options.connections.queue);
    this.#results = new ClusterResults(options.connections.redis, this.#runId, options.resultTtlMs);
    this.#actors = new ClusterActorCalls(
      run.plan,
      this.#runId,
      options.connections,
      this.#jobs,
      this.#results,
    );
    this.#resultFlow = new ClusterResultFlow(run.plan, this.#results, this.#store);
    this.#outcomes = new ClusterJobOutcomes(run, this.#inFlight, options.sizer, this.#resultFlow, (event) =>
      this.tell(event),
    );
    this.#runEnd = new ClusterRunEnd({
      run,
      runId: this.#runId,
      connections: options.connections,
      inFlight: this.#inFlight,
      outcomes: this.#outcomes,
      results: this.#results,
      resultFlow: this.#resultFlow,
      actors: this.#actors,
      store: this.#store,
      guarded: (handler) => this.guarded(handler),
    });
  }

  /** The run's id: its jobs' ids and its Redis keys start with it. */
  get runId(): string {
    return this.#runId;
  }

  async execute(): Promise<readonly unknown[]> {
    await this.#results.begin();
    this.#detach = this.#listen();
    const { connections, redisLostMs, workerWaitMs, url } = this.#options;
    const stopWatch = watchCluster({
      connections,
      redisLostMs,
      workerWaitMs,
      url,
      workflowName: this.run.workflowName,
      jobsOut: () => this.#inFlight.size > 0,
      onTick: () => {
        if (this.#actors.waiting) void this.#actors.checkOwners().catch(() => undefined);
      },
      fail: (error) => this.#failInfrastructure(error),
    });
    this.#runEnd.watchUntilEnd(stopWatch);
    return this.startRun();
  }

  /** Ends the run with `error`: in-flight nodes are stopped, and run() rejects with it. */
  #failInfrastructure(error: Error): void {
    if (this.#runEnd.infrastructureFailed(error)) this.cancel(error);
  }

  /** Takes the outcomes of this run's jobs from the queue's events. */
  #listen(): () => void {
    const { events } = this.#options.connections;
    const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
      if (runOfJob(id) !== this.#runId || this.#actors.completed(id, returnvalue as ClusterJobResult)) return;
      this.guarded(() => this.#outcomes.completed(id, returnvalue as ClusterJobResult));
    };
    const onFailed = ({ jobId: id, failedReason }: { jobId: string; failedReason: string }): void => {
      if (runOfJob(id) !== this.#runId || this.#actors.failed(id, failedReason)) return;
      this.guarded(() => this.#outcomes.failed(id, failedReason));
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
    setImmediate(() => this.guarded(() => this.#runEnd.stopJobs()));
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
        this.#outcomes.goesAlone(index),
      );
    } catch (error) {
      this.tell({ kind: 'refused', index, error });
      return undefined;
    }
  }

  #send(batches: readonly (readonly ClusterPreparedJob[])[]): void {
    for (const batch of batches) for (const { index } of batch) this.#results.expect(index);
    this.#inFlight.send(
      batches,
      (batch) => this.#jobs.compose(this.#runId, batch),
      (error) => this.breakDown(error),
    );
  }

  protected override callActor(index: number): void {
    const { nodeOptions } = this.run;
    this.#actors.run(index, nodeOptions[index] as ResolvedNodeOptions, this.#options.pluginCalls[index]).then(
      (done) =>
        this.guarded(() => {
          for (const [at, value] of done.values) this.#store.store(at, value);
          this.#resultFlow.consumed(index);
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
    void this.#resultFlow
      .readStored(this.run.stored, index)
      .then((event) => this.guarded(() => this.tell(event)));
  }

  protected override save(index: number): void {
    void this.#resultFlow.save(this.run.stored, index).then((event) => this.guarded(() => this.tell(event)));
  }

  protected override finish(settle: RunSettlement): void {
    void this.#runEnd.settle(this.#detach, settle);
  }
}
