/**
 * Coordinator side: the BullMQ jobs of one run that are out (queued or running), and which job
 * now carries each node. A node sent again (its batch lost its worker) gets a new job: outcomes
 * of its earlier job, redelivered or late, are stale and ignored. Jobs are added in bulk, one
 * round trip per pump; a stop removes those still waiting once their add is done.
 */
import type { ClusterBatch } from '../cluster/cluster-messages.js';
import { jobId } from '../cluster/run-keys.js';
import { toBase64 } from '../cluster/wire-format.js';
import type { ClusterConnections } from './cluster-connections.js';
import type { ClusterPreparedJob } from './cluster-jobs.js';

/** A node of a job that came back, still carried by that job. */
export interface CurrentNode {
  readonly prepared: ClusterPreparedJob;
  /** Its place in the job's batch (and in the job's outcomes). */
  readonly position: number;
}

/** What came back of a job: how many nodes it carried, and those it still carries. */
export interface TakenJob {
  readonly batchSize: number;
  readonly current: readonly CurrentNode[];
}

export class ClusterJobsInFlight {
  readonly #runId: string;
  readonly #queue: ClusterConnections['queue'];
  readonly #jobs = new Map<string, readonly ClusterPreparedJob[]>();
  /** The job that now carries each running node. */
  readonly #currentJob = new Map<number, string>();
  #count = 0;
  /** The last addBulk under way: a stop removes waiting jobs once it is done. */
  #adding: Promise<unknown> = Promise.resolve();

  constructor(runId: string, queue: ClusterConnections['queue']) {
    this.#runId = runId;
    this.#queue = queue;
  }

  /** How many jobs are out. */
  get size(): number {
    return this.#jobs.size;
  }

  /** The ids of the jobs out. */
  ids(): string[] {
    return [...this.#jobs.keys()];
  }

  /**
   * Adds one job per batch, in one round trip; `onError` hears a failed add (a bug or a lost
   * Redis: the run cannot go on).
   */
  send(
    batches: readonly (readonly ClusterPreparedJob[])[],
    compose: (batch: readonly ClusterPreparedJob[]) => ClusterBatch,
    onError: (error: unknown) => void,
  ): void {
    const jobs = batches.map((batch) => {
      const id = jobId(this.#runId, ++this.#count);
      this.#jobs.set(id, batch);
      for (const { index } of batch) this.#currentJob.set(index, id);
      return {
        name: 'nodes',
        data: { runId: this.#runId, batch: toBase64(compose(batch)) },
        opts: { jobId: id, attempts: 1, removeOnComplete: true, removeOnFail: true },
      };
    });
    this.#adding = this.#queue.addBulk(jobs).catch(onError);
  }

  /**
   * Job `id` is back (or will never report): it is no longer out, and its nodes it still
   * carries are no longer running anywhere. Undefined when it was not out (a redelivered job
   * that finished again, or one already stopped).
   */
  take(id: string): TakenJob | undefined {
    const batch = this.#jobs.get(id);
    if (batch === undefined) return undefined;
    this.#jobs.delete(id);
    const current: CurrentNode[] = [];
    batch.forEach((prepared, position) => {
      if (this.#currentJob.get(prepared.index) !== id) return;
      this.#currentJob.delete(prepared.index);
      current.push({ prepared, position });
    });
    return { batchSize: batch.length, current };
  }

  /** Removes the jobs still waiting, once the adds under way are done; `onRemoved` hears each one removed. */
  removeWaiting(onRemoved: (id: string) => void): void {
    void this.#adding.finally(() => {
      for (const id of this.#jobs.keys()) {
        // A waiting job is removed; one a worker holds cannot be, and is stopped there (the
        // run's cancel message): its outcome then comes back as any other, and its keys go with it.
        this.#queue.remove(id).then(
          (removed) => {
            if (removed === 1) onRemoved(id);
          },
          () => undefined,
        );
      }
    });
  }
}
