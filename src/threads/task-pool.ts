import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { FunctionFuseError } from '../errors.js';
import type { BatchResult, JobBatch } from './messages.js';

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
 */
export class TaskPool {
  readonly #piscina: Piscina<JobBatch, BatchResult>;

  constructor(options: TaskPoolOptions) {
    this.#piscina = new Piscina<JobBatch, BatchResult>({
      filename: workerEntry(),
      minThreads: options.threads,
      maxThreads: options.threads,
      // Workers stay up between runs of a workflow; they are unref'd while idle.
      idleTimeout: 60_000,
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
    });
  }

  /** Runs a batch of jobs in one worker, moving the buffers in `transferList`. */
  run(batch: JobBatch, transferList: readonly ArrayBuffer[]): Promise<BatchResult> {
    return this.#piscina.run(batch, transferList.length === 0 ? {} : { transferList: [...transferList] });
  }

  /** Ends every worker; pending batches are rejected. */
  async close(): Promise<void> {
    await this.#piscina.destroy();
  }
}

function workerEntry(): string {
  const path = fileURLToPath(new URL('../../workers/task-worker.js', import.meta.url));
  if (!existsSync(path)) {
    throw new FunctionFuseError(
      `The worker entry ${path} does not exist. ThreadWorkflow runs from the built package: ` +
        "run `npm run build` and import from 'functionfuse', not from its TypeScript sources.",
    );
  }
  return path;
}
