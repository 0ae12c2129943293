import { Worker } from 'node:worker_threads';
import type { Remote } from 'comlink';
import { WorkerDiedError } from '../errors.js';
import { nodeEndpoint, releaseProxy, transfer, wrap } from './comlink.js';
import type { ActorConstruct, ActorHostApi, ActorMethodCall, JobOutcome } from './messages.js';
import { workerEntryPath } from './worker-entry.js';
import { workerStartOptions } from './worker-tsx.js';

/**
 * The main thread's handle on one actor's dedicated worker thread. All Comlink use is here, so
 * the scheduler only sees calls that resolve to outcomes. If the worker dies, every pending and
 * later call fails with a {@link WorkerDiedError} instead of waiting forever.
 */
export class ActorHost {
  readonly #worker: Worker;
  readonly #remote: Remote<ActorHostApi>;
  /** Rejects when the worker dies unexpectedly, or when terminate() ends it with calls pending. */
  readonly #ended: Promise<never>;
  #endWith: (reason: unknown) => void = () => {};
  #terminating = false;
  #alive = true;
  /** The actor it holds now, for the messages of a death: a pooled thread holds one after another. */
  #actorName: string;

  constructor(actorName: string) {
    this.#actorName = actorName;
    this.#worker = new Worker(workerEntryPath('actor-host'), workerStartOptions());
    this.#remote = wrap<ActorHostApi>(nodeEndpoint(this.#worker));
    this.#ended = new Promise<never>((_, reject) => {
      this.#endWith = reject;
      this.#worker.once('error', (error) => {
        this.#alive = false;
        reject(
          new WorkerDiedError(`The worker thread of actor "${this.#actorName}" died: ${error.message}`, {
            cause: error,
          }),
        );
      });
      this.#worker.once('exit', (exitCode) => {
        this.#alive = false;
        if (!this.#terminating) {
          reject(
            new WorkerDiedError(
              `The worker thread of actor "${this.#actorName}" exited with code ${exitCode}`,
            ),
          );
        }
      });
    });
    // Nobody may be waiting when it ends; the next call reports it.
    this.#ended.catch(() => {});
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

  /** Whether its thread still runs and was not ended: only such a host may hold another actor. */
  get alive(): boolean {
    return this.#alive && !this.#terminating;
  }

  /**
   * Takes the next actor (`actorName`, for messages) on this thread, which an idle host does not
   * keep the process alive for.
   */
  hold(actorName: string): void {
    this.#actorName = actorName;
    this.#worker.ref();
  }

  /** Drops the actor's object in the thread and lets the process exit while the host is idle. */
  async forget(): Promise<void> {
    await Promise.race([this.#remote.forget(), this.#ended]);
    this.#worker.unref();
  }

  /** Ends the worker thread and the object in it; calls still pending reject with `reason`. */
  async terminate(reason: unknown = new Error('the actor was terminated')): Promise<void> {
    if (this.#terminating) return;
    this.#terminating = true;
    this.#endWith(reason);
    this.#remote[releaseProxy]();
    await this.#worker.terminate();
  }

  #guard(pending: Promise<JobOutcome>): Promise<JobOutcome> {
    return Promise.race([pending, this.#ended]);
  }
}
