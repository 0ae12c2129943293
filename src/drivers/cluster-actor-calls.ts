/**
 * Coordinator side: the actors of one cluster run. An actor's init goes to the shared queue; the
 * worker that takes it keeps the object and says which queue is its own; the actor's calls go
 * there, each once its parents are done (so in call order), never retried. While a call waits,
 * the holding worker's heartbeat is watched: a worker that died fails the call with a
 * WorkerDiedError instead of leaving it waiting. A run's end tells the workers to drop what
 * actors it still has.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { ClusterJobData, ClusterJobResult, ClusterOutcome } from '../cluster/cluster-messages.js';
import { cancelChannel, jobId, workerKey, workerOfActorQueue } from '../cluster/run-keys.js';
import { fromBase64, toBase64 } from '../cluster/wire-format.js';
import { WorkerDiedError } from '../errors.js';
import { timeoutError } from '../executor/deadline.js';
import type { Node } from '../graph/node.js';
import type { NodeTiming } from '../scheduler/run-events.js';
import type { RemotePluginCall } from '../threads/messages.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { ClusterConnections } from './cluster-connections.js';
import type { ClusterJobs } from './cluster-jobs.js';
import type { ClusterResults } from './cluster-results.js';

/** An actor node that finished, with the values the coordinator keeps (leaves) by plan index. */
export interface ClusterActorDone {
  readonly timing: NodeTiming;
  readonly values: readonly (readonly [index: number, value: unknown])[];
}

interface Pending {
  readonly index: number;
  readonly owner: string | undefined;
  readonly resolve: (result: ClusterJobResult) => void;
  readonly reject: (error: unknown) => void;
}

/** An actor queue of a worker: where its calls are added, and where their outcomes are heard. */
interface OwnerQueue {
  readonly queue: Queue<ClusterJobData, ClusterJobResult>;
  readonly events: QueueEvents;
}

export class ClusterActorCalls {
  readonly #plan: ExecutionPlan;
  readonly #runId: string;
  readonly #connections: ClusterConnections;
  readonly #jobs: ClusterJobs;
  readonly #results: ClusterResults;
  /** For each init node: the calls of the workflow still to send. */
  readonly #callsLeft: Int32Array;
  /** The actor queue holding each actor, by init index. */
  readonly #owners = new Map<number, string>();
  readonly #ownerQueues = new Map<string, Promise<OwnerQueue>>();
  readonly #pending = new Map<string, Pending>();
  #count = 0;
  #started = false;

  constructor(
    plan: ExecutionPlan,
    runId: string,
    connections: ClusterConnections,
    jobs: ClusterJobs,
    results: ClusterResults,
  ) {
    this.#plan = plan;
    this.#runId = runId;
    this.#connections = connections;
    this.#jobs = jobs;
    this.#results = results;
    this.#callsLeft = new Int32Array(plan.nodes.length);
    for (const node of plan.nodes) {
      if (node.callable.kind === 'actor-call') (this.#callsLeft[this.#initOf(node)] as number)++;
    }
  }

  /**
   * Runs actor node `index` on the cluster; resolves once it is done with the values to keep,
   * rejects with the node's error.
   */
  async run(
    index: number,
    options: ResolvedNodeOptions,
    plugin: RemotePluginCall | undefined,
  ): Promise<ClusterActorDone> {
    const node = this.#plan.nodes[index] as Node;
    const isInit = node.callable.kind === 'actor-init';
    const init = isInit ? index : this.#initOf(node);
    if (!isInit) (this.#callsLeft[init] as number)--;
    const last = this.#callsLeft[init] === 0;
    const initNode = this.#plan.nodes[init] as Node;
    const snapshot = last && this.#plan.isLeaf[init] === 1;
    const job = this.#jobs.actorJob(
      this.#runId,
      index,
      options,
      plugin,
      last ? { snapshot, initName: initNode.name } : undefined,
    );
    this.#started = true;
    const owner = isInit ? undefined : this.#owners.get(init);
    const target = owner === undefined ? this.#connections : await this.#ownerQueue(owner);
    const id = jobId(this.#runId, `a${++this.#count}`);
    this.#results.expect(index);
    if (snapshot) this.#results.expect(init);
    const finished = new Promise<ClusterJobResult>((resolve, reject) => {
      this.#pending.set(id, { index, owner, resolve, reject });
    });
    await target.queue.add(
      'actor',
      { runId: this.#runId, actor: toBase64(job) },
      { jobId: id, attempts: 1, removeOnComplete: true, removeOnFail: true },
    );
    const result = await finished;
    const outcome = (fromBase64<ClusterOutcome[]>(result.outcomes) as ClusterOutcome[])[0] as ClusterOutcome;
    if (isInit && result.actorQueue !== undefined) this.#owners.set(index, result.actorQueue);
    switch (outcome.kind) {
      case 'ok': {
        const values: (readonly [number, unknown])[] = [];
        if (!isInit && this.#plan.isLeaf[index] === 1)
          values.push([index, await this.#results.fetch(index, node.name)]);
        if (snapshot) values.push([init, await this.#results.fetch(init, initNode.name)]);
        const { startedAt, durationMs, threadId } = outcome;
        return { timing: { startedAt, durationMs, threadId, worker: result.worker }, values };
      }
      case 'failed':
        throw deserializeThrown(outcome.error);
      case 'timed-out':
        throw timeoutError(node.name, outcome.timeoutMs);
      case 'lost':
        throw new WorkerDiedError(`The thread of actor "${initNode.name}" died during node "${node.name}"`, {
          cause: deserializeThrown(outcome.error),
        });
      case 'stopped':
        throw new WorkerDiedError(`Node "${node.name}" was stopped on its worker: its run had ended there`);
    }
  }

  /** Hands a job's outcome to the call waiting for it; false when it is not one of these. */
  completed(id: string, result: ClusterJobResult): boolean {
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    pending.resolve(result);
    return true;
  }

  /** BullMQ failed an actor job (its worker stalled): the actor is gone with it. */
  failed(id: string, reason: string): boolean {
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    const node = this.#plan.nodes[pending.index] as Node;
    pending.reject(
      new WorkerDiedError(`The cluster worker running actor node "${node.name}" stopped: ${reason}`),
    );
    return true;
  }

  /** Fails the calls waiting on workers whose heartbeat is gone (they died with their actors). */
  async checkOwners(): Promise<void> {
    const owners = new Set<string>();
    for (const pending of this.#pending.values()) if (pending.owner !== undefined) owners.add(pending.owner);
    const { redis, queueName } = this.#connections;
    for (const owner of owners) {
      const worker = workerOfActorQueue(queueName, owner);
      if ((await redis.exists(workerKey(queueName, worker))) === 1) continue;
      for (const [id, pending] of this.#pending) {
        if (pending.owner !== owner) continue;
        this.#pending.delete(id);
        const node = this.#plan.nodes[pending.index] as Node;
        pending.reject(
          new WorkerDiedError(
            `The cluster worker ${worker}, which held the actor of node "${node.name}", stopped: the call was lost with the actor.`,
          ),
        );
        void this.#ownerQueue(owner).then(({ queue }) => queue.remove(id).catch(() => 0));
      }
    }
  }

  /** Whether calls are waiting on workers (the driver then watches their heartbeats). */
  get waiting(): boolean {
    return this.#pending.size > 0;
  }

  /** Rejects every call still waiting with `reason` (the run stopped). */
  stopAll(reason: unknown): void {
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
  }

  /** The run is over: its workers drop its actors; this run's actor queues are closed. */
  async end(): Promise<void> {
    if (!this.#started) return;
    const { redis, queueName } = this.#connections;
    await redis.publish(cancelChannel(queueName), this.#runId).catch(() => 0);
    const owners = await Promise.all(
      [...this.#ownerQueues.values()].map((opening) => opening.catch(() => undefined)),
    );
    this.#ownerQueues.clear();
    await Promise.all(
      owners.map(async (owner) => {
        if (owner === undefined) return;
        await Promise.allSettled([owner.events.close(), owner.queue.close()]);
      }),
    );
  }

  #ownerQueue(name: string): Promise<OwnerQueue> {
    let opening = this.#ownerQueues.get(name);
    if (opening === undefined) {
      opening = this.#openOwnerQueue(name);
      this.#ownerQueues.set(name, opening);
    }
    return opening;
  }

  async #openOwnerQueue(name: string): Promise<OwnerQueue> {
    const { Queue, QueueEvents } = await import('bullmq');
    const { redis, connectionOptions } = this.#connections;
    const queue = new Queue<ClusterJobData, ClusterJobResult>(name, { connection: redis });
    queue.on('error', () => {});
    const [seconds, micros] = await redis.time();
    const events = new QueueEvents(name, {
      connection: { ...connectionOptions, maxRetriesPerRequest: null } as never,
      lastEventId: `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`,
    });
    events.on('error', () => {});
    events.on('completed', ({ jobId: id, returnvalue }) => {
      this.completed(id, returnvalue as unknown as ClusterJobResult);
    });
    events.on('failed', ({ jobId: id, failedReason }) => {
      this.failed(id, failedReason);
    });
    await events.waitUntilReady();
    return { queue, events };
  }

  #initOf(node: Node): number {
    if (node.callable.kind !== 'actor-call') throw new TypeError(`Node "${node.name}" is not an actor call`);
    return this.#plan.indexOf.get(node.callable.instance) as number;
  }
}
