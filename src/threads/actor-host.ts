import { Worker } from 'node:worker_threads';
import type { Remote } from 'comlink';
import { WorkerDiedError } from '../errors.js';
import { nodeEndpoint, releaseProxy, transfer, wrap } from './comlink.js';
import type { ActorConstruct, ActorHostApi, ActorMethodCall, JobOutcome } from './messages.js';
import { workerEntryPath } from './worker-entry.js';

/**
 * The main thread's handle on one actor's dedicated worker thread. All Comlink use is here, so
 * the scheduler only sees calls that resolve to outcomes. If the worker dies, every pending and
 * later call fails with a {@link WorkerDiedError} instead of waiting forever.
 */
export class ActorHost {
  readonly #worker: Worker;
  readonly #remote: Remote<ActorHostApi>;
  readonly #died: Promise<never>;
  #terminating = false;

  constructor(actorName: string) {
    this.#worker = new Worker(workerEntryPath('actor-host'));
    this.#remote = wrap<ActorHostApi>(nodeEndpoint(this.#worker));
    this.#died = new Promise<never>((_, reject) => {
      this.#worker.once('error', (error) => {
        reject(
          new WorkerDiedError(`The worker thread of actor "${actorName}" died: ${error.message}`, {
            cause: error,
          }),
        );
      });
      this.#worker.once('exit', (exitCode) => {
        if (!this.#terminating) {
          reject(
            new WorkerDiedError(`The worker thread of actor "${actorName}" exited with code ${exitCode}`),
          );
        }
      });
    });
    // Nobody may be waiting when it dies; the next call reports it.
    this.#died.catch(() => {});
  }

  construct(call: ActorConstruct, transferList: readonly ArrayBuffer[]): Promise<JobOutcome> {
    return this.#guard(this.#remote.construct(transfer(call, [...transferList])));
  }

  call(call: ActorMethodCall, transferList: readonly ArrayBuffer[]): Promise<JobOutcome> {
    return this.#guard(this.#remote.call(transfer(call, [...transferList])));
  }

  snapshot(nodeName: string): Promise<JobOutcome> {
    return this.#guard(this.#remote.snapshot(nodeName));
  }

  /** Ends the worker thread and the object in it. */
  async terminate(): Promise<void> {
    if (this.#terminating) return;
    this.#terminating = true;
    this.#remote[releaseProxy]();
    await this.#worker.terminate();
  }

  #guard(pending: Promise<JobOutcome>): Promise<JobOutcome> {
    return Promise.race([pending, this.#died]);
  }
}
