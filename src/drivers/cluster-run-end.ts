/**
 * BullMQ driver: how a cluster run stops and ends, each step bounded in time. A stopped run
 * tells its workers (pub/sub), removes its jobs still waiting and gives up after a while on
 * those a worker holds (a dead worker never answers). An ended run waits for its leaves'
 * values, its actors' end and the deletion of its keys in Redis, then settles. A run whose
 * infrastructure failed (Redis gone, no worker: cluster-watch.ts) ends with that error,
 * whatever its nodes did; with Redis gone, nothing is waited for that Redis would have to do.
 */
import { cancelChannel } from '../cluster/run-keys.js';
import { RedisConnectionError } from '../errors.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import { unrefedDelay } from '../util/unrefed-delay.js';
import type { ClusterActorCalls } from './cluster-actor-calls.js';
import type { ClusterConnections } from './cluster-connections.js';
import type { ClusterJobsInFlight } from './cluster-in-flight.js';
import type { ClusterJobOutcomes } from './cluster-job-outcomes.js';
import type { ClusterResultFlow } from './cluster-result-flow.js';
import type { ClusterResults } from './cluster-results.js';
import type { RunSettlement } from './driver-loop.js';
import type { ResultStore } from './result-store.js';

/** The parts of a cluster run that its stop and its end reach. */
export interface ClusterRunParts {
  readonly run: PreparedRun;
  readonly runId: string;
  readonly connections: ClusterConnections;
  readonly inFlight: ClusterJobsInFlight;
  readonly outcomes: ClusterJobOutcomes;
  readonly results: ClusterResults;
  readonly resultFlow: ClusterResultFlow;
  readonly actors: ClusterActorCalls;
  readonly store: ResultStore;
  /** Runs a completion handler, a bug in it ending the run (the driver's `guarded`). */
  readonly guarded: (handler: () => void) => void;
}

/** How long a stopped run waits for the workers holding its jobs to stop them, in ms. */
const stopWaitMs = 5000;

/** How long the end of a run waits for Redis to delete its keys, in ms. */
const cleanupWaitMs = 5000;

export class ClusterRunEnd {
  readonly #parts: ClusterRunParts;
  /** Why the run cannot go on whatever its nodes do: Redis gone, no worker. Ends the run with it. */
  #infrastructureError: Error | undefined;
  /** Resolved once the cluster needs no more watching: its infrastructure failed, or the run ended. */
  readonly #stopWatching: { resolve: () => void; promise: Promise<void> } = withResolvers();

  constructor(parts: ClusterRunParts) {
    this.#parts = parts;
  }

  /**
   * Calls `stopWatch` once the cluster needs no more watching.
   *
   * @example
   * runEnd.watchUntilEnd(watchCluster({ ...watch, fail: (error) => runEnd.infrastructureFailed(error) }));
   */
  watchUntilEnd(stopWatch: () => void): void {
    void this.#stopWatching.promise.then(stopWatch);
  }

  /**
   * The run cannot go on, for `error`: it ends with it, and the watch stops. False when it had
   * failed so already (the driver then cancels nothing more).
   *
   * @example
   * if (runEnd.infrastructureFailed(error)) driver.cancel(error);
   */
  infrastructureFailed(error: Error): boolean {
    if (this.#infrastructureError !== undefined) return false;
    this.#infrastructureError = error;
    this.#stopWatching.resolve();
    return true;
  }

  /**
   * Every job still out is stopped: its workers hear it, its waiting jobs are removed, and each
   * of its nodes is reported stopped once its job will not report.
   *
   * @example
   * setImmediate(() => guarded(() => runEnd.stopJobs()));
   */
  stopJobs(): void {
    const { run, runId, connections, inFlight, outcomes, results, actors, guarded } = this.#parts;
    const { redis, queueName } = connections;
    results.over();
    void redis.publish(cancelChannel(queueName), runId).catch(() => 0);
    actors.stopAll(run.core.finalError());
    // With Redis gone nothing can be removed or heard: every job is stopped as it stands.
    if (this.#infrastructureError instanceof RedisConnectionError) {
      for (const id of inFlight.ids()) outcomes.stopped(id);
      return;
    }
    inFlight.removeWaiting((id) => guarded(() => outcomes.stopped(id)));
    // A worker that died holding a job never answers: it is stopped here after a while.
    setTimeout(
      () =>
        guarded(() => {
          for (const id of inFlight.ids()) outcomes.stopped(id);
        }),
      stopWaitMs,
    ).unref();
  }

  /**
   * No node is in flight: stops hearing the queue (`detach`), waits for what the run left in
   * Redis, then settles: with the infrastructure's error, the run's, or a leaf that could not
   * be read, else with the results.
   *
   * @example
   * protected override finish(settle: RunSettlement): void { void this.#runEnd.settle(this.#detach, settle); }
   */
  async settle(detach: (() => void) | undefined, settlement: RunSettlement): Promise<void> {
    const { run, results, resultFlow, actors, store } = this.#parts;
    detach?.();
    // A Redis lost while leaves are read must not hold the end up.
    await Promise.race([resultFlow.leavesRead(), this.#stopWatching.promise]);
    this.#stopWatching.resolve();
    // With Redis lost, nothing can be deleted: the keys' TTLs remain the backstop.
    const waitMs = this.#infrastructureError instanceof RedisConnectionError ? 0 : cleanupWaitMs;
    await Promise.race([actors.end(), unrefedDelay(waitMs)]);
    await results.end(waitMs);
    const failure = this.#infrastructureError ?? run.core.finalError() ?? resultFlow.fetchFailure();
    if (failure === undefined) settlement.resolve(store.results);
    else settlement.reject(failure);
  }
}

function withResolvers(): { resolve: () => void; promise: Promise<void> } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { resolve, promise };
}
