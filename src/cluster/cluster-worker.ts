/**
 * A cluster worker: one process per machine that takes BullMQ jobs from the coordinators'
 * queue and runs their nodes on a Piscina pool of its own threads. BullMQ's lock renewal runs
 * in this process's main thread, which never runs a node: a CPU-heavy synchronous node cannot
 * make its job look stalled, and a node's timeout stops its thread, not the process.
 */
import { availableParallelism, hostname } from 'node:os';
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { unrefedDelay } from '../util/unrefed-delay.js';
import { WorkerActors } from './cluster-actors.js';
import type { ClusterActorJob, ClusterBatch, ClusterJobData, ClusterJobResult } from './cluster-messages.js';
import { FreshThreads } from './fresh-threads.js';
import { ModuleResolver } from './module-refs.js';
import { OutageReport } from './outage-report.js';
import { openRedis } from './redis-connection.js';
import { runClusterBatch } from './run-cluster-batch.js';
import { actorQueueName, cancelChannel, workerKey } from './run-keys.js';
import { fromBase64, toBase64 } from './wire-format.js';
import { type ClusterWorkerOptions, resolveWorkerOptions } from './worker-options.js';

export type { ClusterWorkerOptions } from './worker-options.js';

/** A running worker. */
export interface ClusterWorker {
  /** Its name in Redis and in BullMQ: host, pid and a count. */
  readonly id: string;
  readonly threads: number;
  readonly queueName: string;
  /**
   * Stops taking jobs, lets the running ones finish, then ends its threads and connections.
   * When Redis came back just before it, BullMQ may keep retry timers of a connection it left
   * reconnecting (taskforcesh/bullmq#4656), and with them the process: a process that only runs
   * a worker should exit once this resolves, as `functionfuse worker` does.
   */
  close(): Promise<void>;
}

let started = 0;

/** How many actor calls (of different actors) a worker runs at once. */
const actorCallsAtOnce = 64;

/**
 * Starts a worker in this process (what `functionfuse worker` runs).
 *
 * @throws {RedisConnectionError} when Redis cannot be reached within `connectTimeoutMs`.
 *
 * @example
 * const worker = await startWorker({ connection: 'redis://127.0.0.1:6379', threads: 4 });
 * process.once('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const resolved = resolveWorkerOptions(options, availableParallelism());
  const { connection, threads, queueName, root, lockDurationMs, resultTtlMs, connectTimeoutMs } = resolved;
  const id = `${hostname().replace(/[^A-Za-z0-9-]/g, '-')}-${process.pid}-${++started}`;
  const redis = await openRedis(connection, connectTimeoutMs, 'functionfuse worker');
  const subscriber = redis.duplicate();
  const pool = new FreshThreads(threads);
  const resolver = new ModuleResolver(root);
  const cancellations = new RunCancellations();
  subscriber.on('error', () => {}); // reconnects by itself; the data client reports losses
  await subscriber.subscribe(cancelChannel(queueName));
  const actors = new WorkerActors(redis, resolver, resultTtlMs);
  subscriber.on('message', (_channel: string, runId: string) => {
    cancellations.cancel(runId);
    void actors.endRun(runId);
  });
  const actorQueue = actorQueueName(queueName, id);
  const runActorJob = async (job: Job<ClusterJobData, ClusterJobResult>): Promise<ClusterJobResult> => {
    const actorJob = fromBase64<ClusterActorJob>(job.data.actor as string);
    const cancelled = cancellations.enter(actorJob.runId);
    try {
      const outcome = await actors.run(actorJob);
      return {
        worker: id,
        outcomes: toBase64([cancelled.aborted ? { kind: 'stopped' } : outcome]),
        actorQueue,
      };
    } finally {
      cancellations.leave(actorJob.runId);
    }
  };

  const { Worker } = await import('bullmq');
  const workerOptions = {
    connection: { ...connection.options, maxRetriesPerRequest: null } as ConnectionOptions,
    lockDuration: lockDurationMs,
    stalledInterval: lockDurationMs,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
    autorun: false,
  };
  // The actors' calls: only this worker takes them. Calls of one actor come one at a time (each
  // depends on the one before), so calls of different actors may run side by side.
  const actorWorker: Worker<ClusterJobData, ClusterJobResult> = new Worker(actorQueue, runActorJob, {
    ...workerOptions,
    name: id,
    concurrency: actorCallsAtOnce,
  });
  const worker: Worker<ClusterJobData, ClusterJobResult> = new Worker(
    queueName,
    async (job: Job<ClusterJobData, ClusterJobResult>) => {
      if (job.data.actor !== undefined) return runActorJob(job);
      const batch = fromBase64<ClusterBatch>(job.data.batch as string);
      const cancelled = cancellations.enter(batch.runId);
      try {
        const outcomes = await runClusterBatch(batch, {
          redis,
          threads: pool,
          resolver,
          resultTtlMs,
          cancelled,
        });
        return { worker: id, outcomes: toBase64(outcomes) };
      } finally {
        cancellations.leave(batch.runId);
      }
    },
    { ...workerOptions, name: id, concurrency: threads },
  );
  const outage = new OutageReport(
    (line) => process.stderr.write(line),
    `functionfuse worker ${id}`,
    connection.url,
    () => redis.status === 'ready',
  );
  worker.on('error', (error) => outage.error(error));
  actorWorker.on('error', (error) => outage.error(error));
  redis.on('ready', () => outage.ready());
  const heartbeat = new Heartbeat(redis, workerKey(queueName, id), threads, lockDurationMs);
  await heartbeat.beat();
  void worker.run();
  void actorWorker.run();
  await Promise.all([worker.waitUntilReady(), actorWorker.waitUntilReady()]);

  let closing: Promise<void> | undefined;
  return {
    id,
    threads,
    queueName,
    close: () => {
      closing ??= (async () => {
        heartbeat.stop();
        // With Redis there, running jobs finish and are reported. With Redis gone, nothing can
        // be reported: BullMQ's graceful close would wait for ever, so it is forced (the jobs'
        // locks lapse and another worker takes them).
        const force = redis.status !== 'ready';
        const closed = Promise.all([worker.close(force), actorWorker.close(force)]);
        await Promise.race([
          closed,
          cancellations.idle().then(() => unrefedDelay(closeGraceMs)),
          lost(redis).then(() => unrefedDelay(closeGraceMs)),
        ]);
        await actors.endAll();
        // Without its server the key cannot go (its heartbeat's expiry removes it): a delete
        // would wait for a reconnection, holding Ctrl-C for the whole grace.
        if (redis.status === 'ready') {
          await Promise.race([
            redis.del(workerKey(queueName, id)).catch(() => 0),
            unrefedDelay(closeGraceMs),
          ]);
        }
        await pool.close();
        subscriber.disconnect();
        redis.disconnect();
        void worker.disconnect().catch(() => {});
        void actorWorker.disconnect().catch(() => {});
      })();
      return closing;
    },
  };
}

/** How long closing waits for BullMQ and Redis once no job runs, in ms. */
const closeGraceMs = 3000;

/** Resolves when the client is without its server (now, or once it loses it). */
function lost(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('close', () => resolve()));
}

/** One AbortController per run with jobs here, so a cancellation stops exactly that run's threads. */
class RunCancellations {
  readonly #runs = new Map<string, { controller: AbortController; jobs: number }>();
  #jobs = 0;
  #onIdle: (() => void)[] = [];

  /** Resolves once no job runs here. */
  idle(): Promise<void> {
    if (this.#jobs === 0) return Promise.resolve();
    return new Promise((resolve) => this.#onIdle.push(resolve));
  }

  enter(runId: string): AbortSignal {
    let run = this.#runs.get(runId);
    if (run === undefined) {
      run = { controller: new AbortController(), jobs: 0 };
      this.#runs.set(runId, run);
    }
    run.jobs++;
    this.#jobs++;
    return run.controller.signal;
  }

  leave(runId: string): void {
    const run = this.#runs.get(runId);
    if (run !== undefined && --run.jobs === 0) this.#runs.delete(runId);
    if (--this.#jobs === 0) for (const resolve of this.#onIdle.splice(0)) resolve();
  }

  cancel(runId: string): void {
    this.#runs.get(runId)?.controller.abort(new Error(`run ${runId} was cancelled`));
  }
}

/** Keeps the worker's key in Redis while it lives: coordinators read it to know who is there. */
class Heartbeat {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #value: string;
  readonly #ttlMs: number;
  readonly #timer: NodeJS.Timeout;

  constructor(redis: Redis, key: string, threads: number, lockDurationMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.#value = JSON.stringify({ threads, pid: process.pid, host: hostname() });
    this.#ttlMs = lockDurationMs * 2;
    this.#timer = setInterval(() => void this.beat().catch(() => {}), Math.max(100, lockDurationMs / 2));
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    await this.#redis.set(this.#key, this.#value, 'PX', this.#ttlMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
