import { Piscina } from 'piscina';
import { encodeBatch, type WireBatch } from './batch-wire.js';
import type { BatchResult, JobBatch, WarmUpRequest, WarmUpResult, WorkerRequest } from './messages.js';
import { decodeOutcomes, type WireOutcomes } from './outcome-wire.js';
import { helpSharedCopies } from './shared-copy.js';
import { feelSharedMemory } from './shared-memory-pressure.js';
import { workerEntryPath } from './worker-entry.js';
import { workerStartOptions } from './worker-tsx.js';

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
 * memory (shared-copy.ts).
 */
export class TaskPool {
  readonly #piscina: Piscina<WorkerRequest, unknown>;
  readonly #threads: number;
  readonly #stopHelpingCopies = helpSharedCopies();

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
    // returned) belongs to no node; Piscina replaces it. Without a listener, the 'error' event
    // would crash the whole process.
    this.#piscina.on('error', (error: unknown) => {
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
    return this.#piscina.run(batch, {
      ...(transferList.length === 0 ? {} : { transferList: [...transferList] }),
      ...(signal === undefined ? {} : { signal }),
    }) as Promise<WireOutcomes>;
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

  /** Ends every worker; pending batches are rejected. */
  async close(): Promise<void> {
    this.#stopHelpingCopies();
    await this.#piscina.destroy();
  }
}
