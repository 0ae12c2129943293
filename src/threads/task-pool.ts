import { Piscina } from 'piscina';
import { encodeBatch, type WireBatch } from './batch-wire.js';
import { collectionWaitMs } from './idle-collection.js';
import { takeLeftBy, warnLeftBehind } from './left-behind-errors.js';
import type {
  BatchResult,
  Collected,
  CollectRequest,
  JobBatch,
  WarmUpRequest,
  WarmUpResult,
  WorkerRequest,
} from './messages.js';
import { decodeOutcomes, type WireOutcomes } from './outcome-wire.js';
import { helpSharedCopies } from './shared-copy.js';
import { feelSharedMemory } from './shared-memory-pressure.js';
import { workerEntryPath } from './worker-entry.js';
import { workerStartOptions } from './worker-tsx.js';

const collected = Promise.resolve();

/** Options of the worker-thread pool that runs task nodes. */
export interface TaskPoolOptions {
  readonly threads: number;
  /** Heap limits of each worker, as for `new Worker()`. */
  readonly resourceLimits?: {
    readonly maxOldGenerationSizeMb?: number;
    readonly maxYoungGenerationSizeMb?: number;
    readonly stackSizeMb?: number;
  };
}

/**
 * The Piscina pool behind ThreadWorkflow, so the scheduler never touches Piscina directly.
 * Idle workers are unref'd by Piscina: a script that finished its runs exits without close().
 * While it is open, the main thread takes part in its workers' large copies into shared
 * memory (shared-copy.ts). It knows which workers hold memory their jobs left that only a
 * collection frees (each batch's reply says), and asks idle ones to collect (idle-collection.ts).
 */
export class TaskPool {
  readonly #piscina: Piscina<WorkerRequest, unknown>;
  readonly #threads: number;
  readonly #stopHelpingCopies = helpSharedCopies();
  /** Requests in the pool (batches, tells): fewer than #threads leaves a worker idle. */
  #inPool = 0;
  /** The threads whose last reply said they hold memory left for a collection. */
  readonly #uncollected = new Set<number>();
  /** The collections asked for and not yet answered: close() lets them end first. */
  readonly #collecting = new Set<Promise<void>>();

  constructor(options: TaskPoolOptions) {
    this.#threads = options.threads;
    this.#piscina = new Piscina<WorkerRequest, unknown>({
      filename: workerEntryPath('task-worker'),
      minThreads: options.threads,
      maxThreads: options.threads,
      // Workers stay up between runs of a workflow; they are unref'd while idle.
      idleTimeout: 60_000,
      ...workerStartOptions(),
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
    });
    // A worker that fails while running no task (an exception thrown by a timer after its task
    // returned) fails no node: Piscina replaces it, and a warning names the node whose code
    // threw, when the worker knew it. Without a listener, the 'error' event would crash the
    // whole process.
    this.#piscina.on('error', (error: unknown) => {
      const culprit = takeLeftBy(error);
      if (culprit !== undefined) warnLeftBehind(culprit, error, []);
      else
        process.emitWarning(
          `functionfuse: a worker thread failed between tasks and was replaced: ${String(error)}`,
        );
    });
  }

  /**
   * Runs a batch of jobs in one worker, moving the buffers in `transferList`. Aborting `signal`
   * while the batch runs terminates its worker (Piscina starts a replacement).
   */
  run(batch: WireBatch, transferList: readonly ArrayBuffer[], signal?: AbortSignal): Promise<WireOutcomes> {
    this.#inPool++;
    const outcomes = this.#piscina.run(batch, {
      ...(transferList.length === 0 ? {} : { transferList: [...transferList] }),
      ...(signal === undefined ? {} : { signal }),
    }) as Promise<WireOutcomes>;
    return outcomes.then(
      (wire) => {
        this.#inPool--;
        if ((wire.uncollectedBytes ?? 0) > 0) this.#uncollected.add(wire.threadId);
        else this.#uncollected.delete(wire.threadId);
        return wire;
      },
      (error: unknown) => {
        this.#inPool--;
        throw error;
      },
    );
  }

  /**
   * Has each idle worker collect the memory its jobs left, if a worker holds some: the
   * collection then runs while the worker has nothing else to do, not in front of its next job.
   * Piscina gives a request to any idle worker, not to the one that holds the memory, so every
   * idle worker is asked (one request each: a worker takes one at a time); one with too little
   * to be worth collecting answers at once. Asking fewer left the holder out: after a run, the
   * one request went to the worker that had collected already. Cheap when no worker holds
   * any: the driver calls it whenever it has nothing ready to send, and when a run has settled.
   * Resolves once the workers asked have answered; never rejects (a pool that closes meanwhile
   * owes nobody a collection).
   */
  collectInIdleWorkers(): Promise<void> {
    if (this.#uncollected.size === 0) return collected;
    const requests = this.#threads - this.#inPool;
    const request: CollectRequest = { kind: 'collect' };
    const answers: Promise<void>[] = [];
    for (let sent = 0; sent < requests; sent++) {
      this.#inPool++;
      const answer = (this.#piscina.run(request) as Promise<Collected>).then(
        ({ threadId }) => {
          this.#inPool--;
          this.#uncollected.delete(threadId);
        },
        (error: unknown) => {
          this.#inPool--;
          // A thread's event loop turns again for the request: what a node left behind may
          // throw now. Else the pool closed meanwhile, which owes nobody a collection.
          const culprit = takeLeftBy(error);
          if (culprit !== undefined) warnLeftBehind(culprit, error, []);
        },
      );
      this.#collecting.add(answer);
      void answer.then(() => this.#collecting.delete(answer));
      answers.push(answer);
    }
    return Promise.all(answers).then(() => {});
  }

  /** {@link run} for a batch of job objects, answered with outcome objects (the cluster worker's). */
  async runJobs(
    batch: JobBatch,
    transferList: readonly ArrayBuffer[],
    signal?: AbortSignal,
  ): Promise<BatchResult> {
    const outcomes = await this.run(encodeBatch(batch), transferList, signal);
    for (const extras of Object.values(outcomes.extras ?? {})) {
      if (extras.sharedBytes !== undefined) feelSharedMemory(extras.sharedBytes);
    }
    // A cluster worker's pool knows of no run: a thread it finds idle now is idle.
    void this.collectInIdleWorkers();
    return decodeOutcomes(outcomes);
  }

  /**
   * Starts every worker and has each import `moduleUrls`: one request per worker, each held at a
   * barrier until all have arrived, so no worker takes two. A worker that does not arrive within
   * `waitMs` (a very busy machine) releases the others; the pool is then warmed in part.
   */
  async warm(moduleUrls: readonly string[], waitMs: number): Promise<readonly WarmUpResult[]> {
    const barrier = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const request: WarmUpRequest = { kind: 'warm-up', moduleUrls, barrier, workers: this.#threads, waitMs };
    const runs = Array.from({ length: this.#threads }, () => this.#piscina.run(request));
    return (await Promise.all(runs)) as WarmUpResult[];
  }

  /**
   * Ends every worker; pending batches are rejected. A collection under way ends first (within
   * collectionWaitMs): a worker's answer that arrives while Piscina ends it is an error to it.
   */
  async close(): Promise<void> {
    this.#stopHelpingCopies();
    if (this.#collecting.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2 * collectionWaitMs);
      });
      await Promise.race([Promise.all(this.#collecting), waited]);
      clearTimeout(timer);
    }
    await this.#piscina.destroy();
  }
}
